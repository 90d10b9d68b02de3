/**
 * The one value-text codec shared by every artifact (Consul KV, env vars, `.env` files,
 * ConfigMap data) and the loader. docs/design.md "Value text":
 * - strings are written raw; numbers, booleans, arrays, maps and null as JSON;
 * - a string is JSON-quoted only when its leaf also accepts another type and the raw text would
 *   read back as that type (`"8668"` for a port that accepts `integer | string`, `"null"` for a
 *   nullable string), so `decode(encode(v)) === v` for every valid value;
 * - humans may also write booleans as 1/0/yes/no/on/off (any case) and arrays of scalars as
 *   comma-separated items.
 */
import { FORBIDDEN_KEY_HINT, jsonDepth, MAX_DEPTH, treeFault } from './limits.ts';
import type { JsonValue, ScalarType, ValueSpec, ValueType } from './types.ts';

export type Decoded = { ok: true; value: JsonValue } | { ok: false; expected: string; hint: string };

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

export function encode(value: JsonValue, spec?: ValueSpec): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  if (spec && onlyString(spec)) return value;
  if (!spec || !readsAsString(value, spec)) return JSON.stringify(value);
  return value;
}

/** `spec.default`, when the spec is a setting's, is only the example a failure's hint gives. */
export function decode(text: string, spec: ValueSpec & { default?: JsonValue }): Decoded {
  const { types } = spec;
  if (onlyString(spec)) return { ok: true, value: text };
  if (types.includes('string') && text.startsWith('"')) {
    const quoted = parseJson(text);
    if (quoted.ok && typeof quoted.value === 'string') return quoted;
  }
  const trimmed = text.trim();
  const accepts = (t: ValueType) => types.length === 0 || types.includes(t);
  if (accepts('null') && trimmed === 'null') return { ok: true, value: null };
  if (accepts('boolean')) {
    if (trimmed === 'true' || trimmed === 'false') return { ok: true, value: trimmed === 'true' };
  }
  if ((accepts('integer') || accepts('number')) && JSON_NUMBER.test(trimmed)) {
    const n = Number(trimmed);
    if (!Number.isFinite(n))
      return { ok: false, expected: 'a finite number', hint: 'JSON has no infinity: write a smaller number' };
    // An integer past 2^53 would be rounded: refused for integer settings, text where a string is accepted.
    const rounded =
      types.includes('integer') && !types.includes('number') && /^-?[0-9]+$/.test(trimmed) && !Number.isSafeInteger(n);
    if (rounded && !types.includes('string')) {
      return {
        ok: false,
        expected: 'an integer within ±9007199254740991 (2^53 - 1)',
        hint: 'JavaScript would round it: quote it and make the setting a string',
      };
    }
    if (!rounded && (accepts('number') || Number.isInteger(n))) return { ok: true, value: n };
  }
  if (accepts('boolean') && types.length > 0) {
    const word = trimmed.toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, value: true };
    if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  }
  if ((accepts('array') && trimmed.startsWith('[')) || (accepts('map') && trimmed.startsWith('{'))) {
    const parsed = parseJson(trimmed);
    return parsed.ok || parsed.expected ? parsed : failure(spec);
  }
  if (types.includes('array') && spec.itemTypes && !trimmed.startsWith('[')) {
    const list = decodeCommaList(trimmed, spec.itemTypes);
    if (list) return { ok: true, value: list };
  }
  if (accepts('string')) {
    if (types.length === 0) {
      const parsed = parseJson(trimmed);
      if (parsed.ok || parsed.expected) return parsed;
    }
    return { ok: true, value: text };
  }
  return failure(spec);
}

function decodeCommaList(text: string, itemTypes: readonly ScalarType[]): JsonValue[] | undefined {
  if (text === '') return [];
  const items: JsonValue[] = [];
  for (const part of text.split(',')) {
    const item = decode(part.trim(), { types: itemTypes });
    if (!item.ok) return undefined;
    items.push(item.value);
  }
  return items;
}

function onlyString(spec: ValueSpec): boolean {
  return spec.types.length === 1 && spec.types[0] === 'string';
}

function readsAsString(value: string, spec: ValueSpec): boolean {
  const back = decode(value, spec);
  return back.ok && back.value === value;
}

/**
 * JSON text → value, refusing what the loader must not take: nesting beyond MAX_DEPTH (counted
 * before parsing), keys that reach a prototype (`{"__proto__": …}` is an own key after
 * JSON.parse, which a later assignment would turn into a prototype). `expected` is empty when the
 * text is simply not JSON.
 */
function parseJson(text: string): Decoded | { ok: false; expected: ''; hint: '' } {
  if (jsonDepth(text) > MAX_DEPTH)
    return {
      ok: false,
      expected: `a value nested at most ${MAX_DEPTH} levels deep`,
      hint: 'a setting holds a few levels at most: check what wrote it',
    };
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    return { ok: false, expected: '', hint: '' };
  }
  const fault = treeFault(value);
  if (fault?.kind === 'key') return { ok: false, expected: `no key named ${fault.key}`, hint: FORBIDDEN_KEY_HINT };
  if (fault)
    return {
      ok: false,
      expected: 'a smaller value',
      hint: 'a setting holds a few levels at most: check what wrote it',
    };
  return { ok: true, value };
}

function failure(spec: ValueSpec & { default?: JsonValue }): Decoded {
  return { ok: false, expected: describeTypes(spec), hint: typeHint(spec) };
}

const TYPE_NAMES: Record<ValueType, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
  array: 'a list',
  map: 'a map',
};

export function describeTypes(spec: ValueSpec): string {
  if (spec.types.length === 0) return 'any JSON value';
  return spec.types.map((t) => TYPE_NAMES[t]).join(' or ');
}

/** What to write for each type; a number's example is the setting's own default, never another key's. */
const TYPE_HINTS: Record<ValueType, (example: JsonValue | undefined) => string> = {
  string: () => 'any text',
  integer: (d) => (Number.isInteger(d) ? `a whole number such as ${String(d)}` : 'a whole number'),
  number: (d) => `a number such as ${typeof d === 'number' ? String(d) : '2.5'}`,
  boolean: () => 'true or false (also 1/0, yes/no, on/off)',
  null: () => 'null',
  array: () => 'a JSON list such as ["a", "b"]',
  map: () => 'a JSON object such as {"name": true}',
};

/** `spec.default`, when the spec is a setting's: the example a number's hint gives. */
export function typeHint(spec: ValueSpec & { default?: JsonValue }): string {
  const hints = spec.types.map((t) => TYPE_HINTS[t](spec.default));
  if (spec.types.includes('array') && spec.itemTypes) hints.push('a comma-separated list such as a,b');
  return `write ${hints.join(', or ') || 'a JSON value'}`;
}
