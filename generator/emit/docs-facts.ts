/**
 * What the docs say of a key, computed once from the model for every docs emitter (service
 * README, index page, editor schema): type text, default value text (masked when secret), deep
 * link, and the example changes the "how to change a key" sections show.
 */
import { encode } from '../runtime/codec.ts';
import { MASK } from '../runtime/problems.ts';
import { dotted } from '../runtime/tree.ts';
import { envFileValue } from '../syntax/env.ts';
import type { JsonValue, ValueType } from '../runtime/types.ts';
import type { Bounds, LeafSetting, ServiceModel } from '../model.ts';
import type { SchemaProblem } from '../schema-problems.ts';

export interface TypeFacts {
  /** `integer`, `string or null`, `list of string`, `map of boolean`, `any`. */
  types: string;
  /** The allowed values, as value text. */
  enum?: string[];
  format?: string;
  /** `1–65535`, `> 0`, `length ≥ 1`… */
  range?: string;
  pattern?: string;
}

export interface KeyFacts {
  /** The deep link of the key on the index page: `wazo-auth.bus.port`. */
  anchor: string;
  service: string;
  /** The dotted path: `bus.port`. */
  key: string;
  type: TypeFacts;
  /** Value text of the default; the mask for secrets; absent when there is none. */
  default?: string;
  /** Required without a default: every deployment must set it, or the service does not start. */
  required?: true;
  examples?: string[];
  env: string;
  consul: string;
  mutable: boolean;
  secret: boolean;
  deprecated: boolean;
  description?: string;
}

export interface Counts {
  keys: number;
  mutable: number;
  secret: number;
  deprecated: number;
}

const TYPE_WORDS: Record<ValueType, string> = {
  string: 'string',
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
  array: 'list',
  map: 'map',
};

/** `<service>.<dotted path>`, with anything an HTML id or a URL fragment would mangle made `_`. */
export function anchorOf(service: string, leaf: LeafSetting): string {
  return `${service}.${dotted(leaf.path)}`.replace(/[^A-Za-z0-9_.:-]/g, '_');
}

export function keyFactsOf(model: ServiceModel, leaf: LeafSetting): KeyFacts {
  const facts: KeyFacts = {
    anchor: anchorOf(model.name, leaf),
    service: model.name,
    key: dotted(leaf.path),
    type: typeFactsOf(leaf),
    env: leaf.envName,
    consul: leaf.consulKey,
    mutable: leaf.mutable,
    secret: leaf.secret,
    deprecated: leaf.deprecated,
  };
  if (leaf.default !== undefined) facts.default = leaf.secret ? MASK : encode(leaf.default, leaf);
  if (leaf.required) facts.required = true;
  if (leaf.examples && !leaf.secret) facts.examples = leaf.examples.map((v) => encode(v, leaf));
  if (leaf.description) facts.description = leaf.description;
  return facts;
}

/** Every key of every service. */
export function keyFactsOfAll(models: readonly ServiceModel[]): KeyFacts[] {
  return models.flatMap((model) => model.leaves.map((leaf) => keyFactsOf(model, leaf)));
}

/**
 * Keys whose deep links on the index page would be the same (`a.b` and `a` › `b`, or names that differ only in mangled
 * characters).
 */
export function anchorProblems(models: readonly ServiceModel[]): SchemaProblem[] {
  const seen = new Map<string, LeafSetting>();
  const problems: SchemaProblem[] = [];
  for (const model of models) {
    for (const leaf of model.leaves) {
      const anchor = anchorOf(model.name, leaf);
      const earlier = seen.get(anchor);
      if (earlier) {
        problems.push({
          file: model.file,
          pointer: leaf.pointer,
          message: `two keys share the docs anchor #${anchor}: this one and #${earlier.pointer}`,
          hint: 'rename one key',
        });
      } else seen.set(anchor, leaf);
    }
  }
  return problems;
}

/** A service the "how to change a key" sections cannot show: it has no key to serve as their example. */
export function exampleProblems(model: ServiceModel): SchemaProblem[] {
  if (scalarExample(model)) return [];
  return [
    {
      file: model.file,
      pointer: '',
      message:
        "no key can serve as the docs' example: no setting has a value whose text fits on one line of an env file",
      hint: 'give one setting a default or an example that fits on one line',
    },
  ];
}

export function countsOf(model: ServiceModel): Counts {
  const { leaves } = model;
  return {
    keys: leaves.length,
    mutable: leaves.filter((l) => l.mutable).length,
    secret: leaves.filter((l) => l.secret).length,
    deprecated: leaves.filter((l) => l.deprecated).length,
  };
}

export function typeFactsOf(leaf: LeafSetting): TypeFacts {
  const bounds = leaf.bounds ?? {};
  const facts: TypeFacts = {
    types: leaf.types.length === 0 ? 'any' : leaf.types.map((t) => typeWord(t, leaf)).join(' or '),
  };
  if (leaf.enum) facts.enum = leaf.enum.map((v) => encode(v, leaf));
  if (leaf.format) facts.format = leaf.format;
  const range = [
    ...numberRange(bounds),
    ...countRange('length', bounds.minLength, bounds.maxLength),
    ...countRange('items', bounds.minItems, bounds.maxItems),
  ];
  if (range.length > 0) facts.range = range.join(', ');
  if (leaf.pattern !== undefined) facts.pattern = leaf.pattern;
  return facts;
}

function typeWord(type: ValueType, leaf: LeafSetting): string {
  if (type === 'array' && leaf.itemTypes) return `list of ${leaf.itemTypes.join(' or ')}`;
  if (type === 'map' && leaf.mapValueType !== undefined)
    return `map of ${leaf.mapValueType === 'object' ? 'maps' : leaf.mapValueType}`;
  return TYPE_WORDS[type];
}

function numberRange(bounds: Bounds): string[] {
  const { minimum: min, maximum: max, exclusiveMinimum: xmin, exclusiveMaximum: xmax } = bounds;
  if (min !== undefined && max !== undefined) return [`${min}–${max}`];
  const parts: string[] = [];
  if (min !== undefined) parts.push(`≥ ${min}`);
  if (xmin !== undefined) parts.push(`> ${xmin}`);
  if (max !== undefined) parts.push(`≤ ${max}`);
  if (xmax !== undefined) parts.push(`< ${xmax}`);
  return parts;
}

function countRange(what: string, min: number | undefined, max: number | undefined): string[] {
  if (typeof min === 'number' && typeof max === 'number') return [`${what} ${min}–${max}`];
  if (typeof min === 'number' && min > 0) return [`${what} ≥ ${min}`];
  if (typeof max === 'number') return [`${what} ≤ ${max}`];
  return [];
}

export interface ExampleChange {
  leaf: LeafSetting;
  /** The new value; its value text comes from the codec's `encode`. */
  value: JsonValue;
}

/**
 * The key the "how to change" sections use: a scalar that is not secret nor deprecated, a live
 * one when the service has any, set to a value other than its default where one is obvious.
 */
export function scalarExample(model: ServiceModel): ExampleChange | undefined {
  const candidates = model.leaves.filter(
    (l) =>
      !l.secret &&
      !l.deprecated &&
      l.default !== undefined &&
      l.default !== null &&
      l.types.length > 0 &&
      !l.types.includes('array') &&
      !l.types.includes('map'),
  );
  const changes = candidates.map((leaf): ExampleChange => {
    const other = [...(leaf.enum ?? []), ...(leaf.examples ?? [])].find((v) => v !== leaf.default);
    return { leaf, value: typeof leaf.default === 'boolean' ? !leaf.default : (other ?? leaf.default!) };
  });
  const shown = changes.filter(writable);
  return shown.find((c) => c.leaf.mutable) ?? shown[0] ?? anyExample(model);
}

/**
 * For a schema without a non-secret scalar default (every setting required, say): any key, set to
 * one of its examples or a plain value of its type. Non-secret keys first; undefined only for a
 * schema without a single leaf, which the model rules refuse.
 */
function anyExample(model: ServiceModel): ExampleChange | undefined {
  const ordered = [...model.leaves.filter((l) => !l.secret && !l.deprecated), ...model.leaves];
  return ordered.map((leaf): ExampleChange => ({ leaf, value: sampleValue(leaf) })).find(writable);
}

function sampleValue(leaf: LeafSetting): JsonValue {
  const given = [leaf.default, ...(leaf.examples ?? []), ...(leaf.enum ?? [])].find(
    (v) => v !== undefined && v !== null,
  );
  if (given !== undefined) return given;
  const minimum = leaf.bounds?.minimum ?? 1;
  switch (leaf.types.find((t) => t !== 'null')) {
    case 'integer':
    case 'number':
      return minimum;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'map':
      return {};
    case 'string':
    default:
      return leaf.format === 'uri' ? 'https://example.com' : 'example';
  }
}

/** Value text that fits on one line of every snippet, an env file's included. */
function writable(change: ExampleChange): boolean {
  const text = encode(change.value, change.leaf);
  return !/[\r\n]/.test(text) && envFileValue(change.leaf.envName, text).ok;
}

/** A list key with a non-empty default or example, to show that lists are written as JSON. */
export function listExample(model: ServiceModel): ExampleChange | undefined {
  for (const leaf of model.leaves) {
    if (leaf.secret || leaf.deprecated || !leaf.itemTypes) continue;
    const value = [leaf.default, ...(leaf.examples ?? [])].find((v) => Array.isArray(v) && v.length > 0);
    if (value !== undefined && writable({ leaf, value })) return { leaf, value };
  }
  return undefined;
}
