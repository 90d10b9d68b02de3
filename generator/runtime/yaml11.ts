/**
 * Config file text as Wazo reads it: PyYAML's `safe_load`, a YAML 1.1 reader. Its scalar rules are
 * copied here from PyYAML's resolver and constructor (not from the YAML 1.1 spec, which PyYAML
 * follows only in part): `yes`/`no`/`on`/`off` are booleans but `y`/`n` are strings, `010` is 8,
 * `1e3` is a string (a float needs a dot), `190:20:30` is 685230. test/adversarial/yaml11.test.ts
 * checks each rule against Debian's python3-yaml.
 *
 * The parser is js-yaml (its event parser is linear in the text and bounds nesting before
 * building anything); what the loader cannot take is refused with its line or its key: nesting
 * beyond MAX_DEPTH, aliases that expand past MAX_VALUES, keys that reach a prototype, `!!omap`,
 * `!!set` and `!!pairs` (PyYAML gives a list of pairs or a Python set, which no setting takes),
 * integers JavaScript would round and numbers JSON cannot carry (`.inf`, `.nan`). Timestamps stay
 * strings: no setting is a date.
 *
 * js-yaml is required on the first file read, not imported with this module: a service loading
 * without a config file (env and Consul only) never pays for the parser (docs/benchmarks.md,
 * start-up).
 */
import { createRequire } from 'node:module';
import type * as JsYaml from 'js-yaml';
import type { MappingTagDefinition, Schema, SequenceTagDefinition } from 'js-yaml';
import { FORBIDDEN_KEY_HINT, isForbiddenKey, MAX_DEPTH, MAX_VALUES } from './limits.ts';

/** js-yaml and the schema below, built once, on the first parse. */
let parser: { yaml: typeof JsYaml; schema: Schema } | undefined;
/** js-yaml's "not this tag" answer; set with the parser, read only while parsing. */
let NOT_RESOLVED: typeof JsYaml.NOT_RESOLVED;

function yaml11Parser(): { yaml: typeof JsYaml; schema: Schema } {
  if (parser) return parser;
  // Synchronous and lazy: parseYaml11 is synchronous, and a static import would load js-yaml with the runtime.
  const yaml = createRequire(import.meta.url)('js-yaml') as typeof JsYaml;
  NOT_RESOLVED = yaml.NOT_RESOLVED;
  parser = { yaml, schema: yaml11Schema(yaml) };
  return parser;
}

/** A scalar or collection the loader refuses, kept where it was written so that the error names its key. */
export class Refused {
  constructor(
    /** What was written, e.g. `.inf`, `9007199254740993`, `!!omap`. */
    readonly written: string,
    readonly reason: string,
    readonly hint: string,
  ) {}
}

/** A `!exec {command: …}` mapping (Wazo's tag, sources/exec.ts): its command, run after parsing if allowed. */
export class ExecRequest {
  constructor(
    readonly command: unknown,
    /** 1-based line of the mapping, filled in after parsing. */
    public line = 0,
  ) {}

  /** What the command printed, read as YAML; set once it ran. */
  value: unknown = undefined;
}

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

const QUOTE_HINT = 'quote it to keep it as text';

/** PyYAML's `construct_yaml_int`, exact (BigInt), refused past 2^53 where a JavaScript number would round it. */
function resolveInt(source: string, explicit: boolean): number | Refused | typeof NOT_RESOLVED {
  if (!INT.test(source))
    return explicit ? new Refused(`!!int ${source}`, 'is not an integer', 'write a whole number') : NOT_RESOLVED;
  let text = source.replaceAll('_', '');
  const negative = text.startsWith('-');
  if (text[0] === '-' || text[0] === '+') text = text.slice(1);
  let value: bigint;
  if (text.startsWith('0b')) value = BigInt(text);
  else if (text.startsWith('0x')) value = BigInt(text);
  else if (text !== '0' && text.startsWith('0')) value = BigInt(`0o${text.slice(1)}`);
  else if (text.includes(':')) value = text.split(':').reduce((sum, part) => sum * 60n + BigInt(part), 0n);
  else value = BigInt(text);
  if (negative) value = -value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    return new Refused(
      source,
      'is an integer beyond 2^53, which JavaScript would round',
      'quote it and make the setting a string',
    );
  }
  return Number(value);
}

/**
 * PyYAML's `construct_yaml_float`; infinities and NaN are refused: JSON (env, Consul, the validator) cannot carry them.
 */
function resolveFloat(source: string, explicit: boolean): number | Refused | typeof NOT_RESOLVED {
  // An explicit `!!float 1` skips the pattern, as PyYAML's constructor does (it calls float()).
  if (
    !FLOAT.test(source) &&
    !(explicit && /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?$/.test(source))
  ) {
    return explicit ? new Refused(`!!float ${source}`, 'is not a number', 'write a number such as 2.5') : NOT_RESOLVED;
  }
  let text = source.replaceAll('_', '').toLowerCase();
  const sign = text.startsWith('-') ? -1 : 1;
  if (text[0] === '-' || text[0] === '+') text = text.slice(1);
  const value = text.includes(':')
    ? sign * text.split(':').reduce((sum, part) => sum * 60 + Number(part), 0)
    : sign * Number(text.endsWith('.') ? text.slice(0, -1) : text);
  if (!Number.isFinite(value))
    return new Refused(
      source,
      'is not a finite number (JSON has no infinity or NaN)',
      `write a finite number, or ${QUOTE_HINT}`,
    );
  return value;
}

const FORBIDDEN_KEY_MESSAGE = 'refused key';

/** YAML 1.1 collections with no JSON equivalent: kept as a Refused marker so that the error names the setting. */
function refusedSequence<C, R>(
  tag: SequenceTagDefinition<C, R>,
  written: string,
  hint: string,
): SequenceTagDefinition<C, Refused> {
  return {
    ...tag,
    carrierIsResult: false,
    finalize: () => new Refused(written, 'is a YAML 1.1 type no setting takes', hint),
  };
}
function refusedMapping<C, R>(
  tag: MappingTagDefinition<C, R>,
  written: string,
  hint: string,
): MappingTagDefinition<C, Refused> {
  const none = { has: () => false, keys: () => [], get: () => undefined };
  return {
    ...tag,
    ...none,
    carrierIsResult: false,
    finalize: () => new Refused(written, 'is a YAML 1.1 type no setting takes', hint),
  };
}

/** PyYAML's safe_load resolvers and constructors as js-yaml tags (the rules are in the functions above). */
function yaml11Schema(yaml: typeof JsYaml): Schema {
  const {
    defineMappingTag,
    defineScalarTag,
    mapTag,
    mergeTag,
    nullYaml11Tag,
    omapTag,
    pairsTag,
    seqTag,
    setTag,
    strTag,
  } = yaml;
  const boolTag = defineScalarTag('tag:yaml.org,2002:bool', {
    implicit: true,
    implicitFirstChars: [...'yYnNtTfFoO'],
    resolve: (source, explicit) =>
      BOOL.test(source)
        ? /^(?:y|t|on)/i.test(source)
        : explicit
          ? new Refused(`!!bool ${source}`, 'is not a boolean', 'write true or false')
          : NOT_RESOLVED,
    identify: () => false,
  });
  const intTag = defineScalarTag('tag:yaml.org,2002:int', {
    implicit: true,
    implicitFirstChars: [...'-+0123456789'],
    resolve: resolveInt,
    identify: () => false,
  });
  const floatTag = defineScalarTag('tag:yaml.org,2002:float', {
    implicit: true,
    implicitFirstChars: [...'-+0123456789.'],
    resolve: resolveFloat,
    identify: () => false,
  });

  /** YAML 1.1's `=` (the "value" key): PyYAML resolves it but has no constructor, so safe_load refuses it. */
  const valueTag = defineScalarTag('tag:yaml.org,2002:value', {
    implicit: true,
    implicitFirstChars: ['='],
    resolve: (source) =>
      source === '='
        ? new Refused('=', "is YAML 1.1's value key, which PyYAML refuses", 'quote it: "="')
        : NOT_RESOLVED,
    identify: () => false,
  });

  /** `{}` maps, as PyYAML's dicts, without the keys that reach a prototype. */
  const guardedMapTag: typeof mapTag = {
    ...mapTag,
    addPair: (container, key, value) =>
      typeof key === 'string' && isForbiddenKey(key)
        ? `${FORBIDDEN_KEY_MESSAGE} ${key}`
        : mapTag.addPair(container, key, value),
  };

  const execTag = defineMappingTag<Record<string, unknown>, ExecRequest>('!exec', {
    create: mapTag.create,
    addPair: guardedMapTag.addPair,
    // Merging an `!exec` mapping (`<<: *x`) merges nothing: its value is only known once the command ran.
    has: () => false,
    keys: () => [],
    get: () => undefined,
    finalize: (map) => new ExecRequest(Object.hasOwn(map, 'command') ? map.command : null),
    identify: () => false,
  });

  return new yaml.Schema([
    strTag,
    seqTag,
    guardedMapTag,
    nullYaml11Tag,
    boolTag,
    intTag,
    floatTag,
    mergeTag,
    valueTag,
    refusedSequence(omapTag, '!!omap', 'write a plain mapping (key: value lines)'),
    refusedSequence(pairsTag, '!!pairs', 'write a plain mapping (key: value lines)'),
    refusedMapping(setTag, '!!set', 'write a list, or a mapping of name: true'),
    execTag,
  ]);
}

export type Yaml11Result =
  | { ok: true; value: unknown; exec: ExecRequest[] }
  | { ok: false; message: string; hint: string; line?: number; column?: number; path?: string[] };

/**
 * One YAML document, read as PyYAML's `safe_load` reads it: an empty text (or only comments) is
 * null; several documents are an error. `!exec` mappings are left as ExecRequest markers.
 */
export function parseYaml11(text: string): Yaml11Result {
  const { yaml, schema } = yaml11Parser();
  let documents: unknown[];
  try {
    documents = yaml.loadAll(text.startsWith('\ufeff') ? text.slice(1) : text, {
      schema,
      maxDepth: MAX_DEPTH,
      maxTotalMergeKeys: MAX_VALUES,
    });
  } catch (error) {
    if (!(error instanceof yaml.YAMLException)) throw error;
    const mark = error.mark as { line?: number; column?: number } | undefined;
    const reason = error.reason ?? error.message;
    const forbidden = reason.startsWith(FORBIDDEN_KEY_MESSAGE);
    return {
      ok: false,
      message: forbidden ? reason : `invalid YAML: ${reason.replace(/maxDepth \((\d+)\)/, 'the limit of $1 levels')}`,
      hint: forbidden
        ? FORBIDDEN_KEY_HINT
        : /maxDepth/.test(reason)
          ? 'a configuration nests a few levels at most: check the brackets and the indentation'
          : 'fix the YAML syntax at that line',
      ...(mark?.line !== undefined ? { line: mark.line + 1, column: (mark.column ?? 0) + 1 } : {}),
    };
  }
  if (documents.length > 1)
    return {
      ok: false,
      message: `invalid YAML: ${documents.length} documents (--- separators) in one file`,
      hint: 'keep one document per file',
    };
  const value = documents[0] ?? null;
  const exec: ExecRequest[] = [];
  const fault = inspectParsed(value, exec);
  if (fault) return { ok: false, ...fault };
  if (exec.length > 0) lineExecRequests(text, exec);
  return { ok: true, value, exec };
}

/**
 * Finds the markers and checks the expanded size: aliases share one object in memory, but the
 * loader copies what it merges, so `a: &a [x, x]`, `b: &b [*a, *a]`, … grows twice per line.
 */
function inspectParsed(
  root: unknown,
  exec: ExecRequest[],
): { message: string; hint: string; path: string[] } | undefined {
  let count = 0;
  const path: string[] = [];
  const walk = (node: unknown, depth: number): { message: string; hint: string; path: string[] } | undefined => {
    if (++count > MAX_VALUES)
      return {
        message: `more than ${MAX_VALUES} values once its aliases (*name) are expanded`,
        hint: 'write the values out, or use fewer nested aliases',
        path: [],
      };
    if (node instanceof Refused) return { message: `${node.written} ${node.reason}`, hint: node.hint, path: [...path] };
    if (node instanceof ExecRequest) {
      exec.push(node);
      return undefined;
    }
    if (typeof node !== 'object' || node === null) return undefined;
    // Aliases are not counted by the parser's depth limit: an alias of a deep list inside a deep list.
    if (depth > MAX_DEPTH)
      return {
        message: `nests deeper than ${MAX_DEPTH} levels (through aliases)`,
        hint: 'a configuration nests a few levels at most',
        path: [...path],
      };
    // Keys, not entries: a map of 100,000 keys would otherwise allocate as many [key, value] pairs.
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(String(i));
        const fault = walk(node[i], depth + 1);
        path.pop();
        if (fault) return fault;
      }
      return undefined;
    }
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      path.push(key);
      const fault = walk(record[key], depth + 1);
      path.pop();
      if (fault) return fault;
    }
    return undefined;
  };
  return walk(root, 1);
}

/** The 1-based line of each `!exec` mapping, in document order (the order the markers were built in). */
function lineExecRequests(text: string, requests: ExecRequest[]): void {
  const starts: number[] = [];
  for (const event of yaml11Parser().yaml.parseEvents(text, { maxDepth: MAX_DEPTH })) {
    if (event.type === 3 && event.tagStart >= 0 && text.slice(event.tagStart, event.tagEnd) === '!exec')
      starts.push(event.start);
  }
  let line = 1;
  let offset = 0;
  starts.forEach((start, n) => {
    for (; offset < start; offset++) if (text.charCodeAt(offset) === 10) line++;
    if (requests[n]) requests[n].line = line;
  });
}
