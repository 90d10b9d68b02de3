/**
 * Synthetic service schemas of any size, with a realistic mix of leaves, and the inputs every
 * loader under test reads: a YAML config file setting ~30% of the keys and an environment setting
 * ~10% of them (chosen with a seeded generator, so every run loads the same thing).
 */
import { stringify } from 'yaml';
import type { JsonObject, JsonValue } from '../generator/runtime/types.ts';

export type LeafKind = 'string' | 'integer' | 'number' | 'boolean' | 'enum' | 'nullable' | 'list' | 'flags';

export interface SyntheticLeaf {
  path: string[];
  kind: LeafKind;
  /** The leaf's JSON Schema node, `default` included. */
  schema: JsonObject;
  default: JsonValue;
  /** Set when the config file sets this key. */
  fileValue?: JsonValue;
  /** Set when the environment sets this key: the text and what it decodes to. */
  env?: { text: string; value: JsonValue };
}

export interface SyntheticService {
  name: string;
  schema: JsonObject;
  leaves: SyntheticLeaf[];
  /** The config file's text (YAML). */
  yaml: string;
  /** Every leaf's value once defaults, file and env are applied (env > file > default). */
  expected(leaf: SyntheticLeaf): JsonValue;
}

/** One in twenty of each kind: 30% strings, 20% integers, 15% booleans, 10% enums and numbers, 5% the rest. */
const KIND_CYCLE: LeafKind[] = [
  'string',
  'integer',
  'boolean',
  'string',
  'enum',
  'integer',
  'string',
  'number',
  'boolean',
  'list',
  'string',
  'integer',
  'nullable',
  'boolean',
  'string',
  'integer',
  'enum',
  'number',
  'flags',
  'string',
];

const NAMES: Record<LeafKind, string> = {
  string: 'host',
  integer: 'port',
  number: 'ratio',
  boolean: 'enabled',
  enum: 'log_level',
  nullable: 'token',
  list: 'hosts',
  flags: 'plugins',
};

const LEVELS = ['critical', 'error', 'warning', 'info', 'debug'];

/**
 * Where leaf `i` goes, in blocks of 25: 3 at the top level, 10 in group `gK`, 8 in `gK.sub`, 4 in
 * `gK.sub.deep` (groups nested up to 3 deep).
 */
function parentOf(i: number): string[] {
  const block = `g${Math.floor(i / 25)}`;
  const slot = i % 25;
  if (slot < 3) return [];
  if (slot < 13) return [block];
  if (slot < 21) return [block, 'sub'];
  return [block, 'sub', 'deep'];
}

function leafOf(i: number): SyntheticLeaf {
  const kind = KIND_CYCLE[i % KIND_CYCLE.length]!;
  const path = [...parentOf(i), `${NAMES[kind]}_${i}`];
  const description = `Synthetic ${kind} setting number ${i}, as a real schema would describe it in a sentence or two.`;
  const make = (schema: JsonObject, value: JsonValue, fileValue: JsonValue, envText: string, envValue: JsonValue) => ({
    path,
    kind,
    schema: { ...schema, description, default: value, ...(i % 7 === 0 ? { 'x-mutable': true } : {}) },
    default: value,
    fileValue,
    env: { text: envText, value: envValue },
  });
  switch (kind) {
    case 'string':
      return make({ type: 'string', minLength: 1 }, `value-${i}`, `file-${i}`, `env-${i}`, `env-${i}`);
    case 'integer':
      return make({ type: 'integer', minimum: 1, maximum: 65535 }, 1000 + i, 2000 + i, `${3000 + i}`, 3000 + i);
    case 'number':
      return make({ type: 'number', minimum: 0 }, 0.5, 1.5, '2.25', 2.25);
    case 'boolean':
      return make({ type: 'boolean' }, i % 2 === 0, i % 2 !== 0, String(i % 2 === 0), i % 2 === 0);
    case 'enum':
      return make({ type: 'string', enum: LEVELS }, 'info', 'debug', 'warning', 'warning');
    case 'nullable':
      return make({ type: ['string', 'null'] }, null, `file-${i}`, `env-${i}`, `env-${i}`);
    case 'list':
      return make({ type: 'array', items: { type: 'string' } }, ['a', 'b'], ['red', 'green', 'blue'], 'p,q', [
        'p',
        'q',
      ]);
    case 'flags':
      // The file names every default key, so "maps merged" (wazo-config, convict) and "map replaced"
      // (env-schema's flat merge) give the same result; the env never sets a map (env-schema cannot).
      return make(
        { type: 'object', additionalProperties: { type: 'boolean' } },
        { alpha: true, beta: false },
        { alpha: false, beta: true, gamma: true },
        '',
        null,
      );
  }
}

/** mulberry32: a small seeded generator, so that every run picks the same keys. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The first `count` items of a seeded shuffle. */
function pick<T>(items: readonly T[], count: number, next: () => number): Set<T> {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return new Set(copy.slice(0, count));
}

function setAt(tree: JsonObject, path: readonly string[], value: JsonValue): void {
  let node = tree;
  for (const segment of path.slice(0, -1)) node = (node[segment] ??= {}) as JsonObject;
  node[path[path.length - 1]!] = value;
}

export function syntheticService(leafCount: number, seed = 42): SyntheticService {
  const name = `bench-${leafCount}`;
  const all = Array.from({ length: leafCount }, (_, i) => leafOf(i));
  const next = random(seed);
  const inFile = pick(all, Math.round(leafCount * 0.3), next);
  const inEnv = pick(
    all.filter((leaf) => leaf.kind !== 'flags'),
    Math.round(leafCount * 0.1),
    next,
  );
  const leaves = all.map((leaf): SyntheticLeaf => {
    const { fileValue, env, ...rest } = leaf;
    return { ...rest, ...(inFile.has(leaf) ? { fileValue } : {}), ...(inEnv.has(leaf) ? { env } : {}) };
  });

  const schema: JsonObject = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    title: `${name} configuration`,
    description: `A synthetic service with ${leafCount} settings, for benchmarks.`,
    'x-service': { name },
    properties: {},
  };
  const file: JsonObject = {};
  for (const leaf of leaves) {
    let node = schema;
    for (const segment of leaf.path.slice(0, -1)) {
      const properties = node.properties as JsonObject;
      node = (properties[segment] ??= {
        type: 'object',
        description: `Group ${segment}.`,
        properties: {},
      }) as JsonObject;
    }
    (node.properties as JsonObject)[leaf.path[leaf.path.length - 1]!] = leaf.schema;
    if (leaf.fileValue !== undefined) setAt(file, leaf.path, leaf.fileValue);
  }

  return {
    name,
    schema,
    leaves,
    yaml: stringify(file),
    expected: (leaf) => leaf.env?.value ?? leaf.fileValue ?? leaf.default,
  };
}
