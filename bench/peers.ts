/**
 * The peers wazo-config is measured beside, each given the same settings (schema, defaults, YAML
 * file, environment) in the fairest set-up we know for it. What each does and does not do is in
 * PEER_NOTES, printed with the results.
 */
import { readFileSync } from 'node:fs';
import convict from 'convict';
import envSchema from 'env-schema';
import { parse } from 'yaml';
import type { JsonObject, JsonValue } from '../generator/runtime/types.ts';
import type { SyntheticLeaf, SyntheticService } from './synthetic-schema.ts';

export type Env = Record<string, string>;

/** One way of loading a service's configuration; returns the loaded values. */
export type LoadOp = () => unknown;

export const PEER_NOTES = [
  '**wazo-config** — `loadConfig()` of the generated loader, as a service calls it. Does: schema defaults; the YAML file read as YAML 1.1 ' +
    '(PyYAML’s booleans), objects deep-merged; Consul looked for and not found (no `WAZO_CONSUL_*`, no /etc/wazo-platform/consul), as on a host ' +
    'without Consul; env vars decoded by each leaf’s type (1/0/yes/no booleans, numbers, comma lists, JSON); unknown keys reported with ' +
    '“did you mean”; the source of every value kept (`explain`, error messages); one validation of the whole tree by the ajv validator ' +
    'precompiled at generate time (every keyword: ranges, enums, list items, map values); every problem listed with key, source and hint.',
  '**convict** 6 — a nested schema with `doc`/`format`/`default`/`env`; one op = `convict(schema, { env, args: [] })` (normalises the schema, ' +
    'applies the defaults, reads the env), `loadFile()` (the same `yaml` package as parser, YAML 1.2), `validate({ allowed: "strict" })`, ' +
    '`getProperties()`. Its formats check the same rules: closures for non-empty strings and ranges, enum arrays, and custom formats with ' +
    'coercion for string lists and boolean maps. Does not: keep sources, suggest names, read YAML 1.1 booleans; env booleans are true for ' +
    'anything but "false".',
  '**env-schema** 8 — ajv with `coerceTypes`, `useDefaults`, `removeAdditional`; one flat property per leaf, named by its env name, with ' +
    'the same JSON Schema (`separator: ","` for lists); ajv caches the compiled validator across runs. It reads no config file, so its op ' +
    'also reads and parses the same YAML and flattens it to env names, then calls `envSchema({ schema, data: [file, env], env: false })`. ' +
    'Does not: nest (the result is flat), keep sources, report unknown keys (they are silently removed), set a map from the env.',
];

/** Paths as `a.b.c`, for maps from a leaf to its env name. */
export const dottedPath = (path: readonly string[]) => path.join('.');

// ---- convict ---------------------------------------------------------------------------------

convict.addParser({ extension: ['yml', 'yaml'], parse: (text) => parse(text) });
convict.addFormat({
  name: 'string-list',
  validate: (value: unknown) => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
      throw new Error('must be a list of strings');
  },
  coerce: (text: string) => (text === '' ? [] : text.split(',')),
});
convict.addFormat({
  name: 'boolean-map',
  validate: (value: unknown) => {
    const ok =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === 'boolean');
    if (!ok) throw new Error('must be a map of booleans');
  },
  coerce: (text: string) => JSON.parse(text) as unknown,
});

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

function convictFormat(leaf: SyntheticLeaf): convict.SchemaObj['format'] {
  const { minimum, maximum } = leaf.schema as { minimum?: number; maximum?: number };
  switch (leaf.kind) {
    case 'string':
      return (v: unknown) => check(typeof v === 'string' && v.length >= 1, 'must be a non-empty string');
    case 'integer':
      return (v: unknown) =>
        check(
          Number.isInteger(v) && (v as number) >= minimum! && (v as number) <= maximum!,
          `must be an integer in ${minimum}..${maximum}`,
        );
    case 'number':
      return (v: unknown) => check(typeof v === 'number' && v >= minimum!, `must be a number ≥ ${minimum}`);
    case 'boolean':
      return Boolean;
    case 'enum':
      return (leaf.schema.enum as JsonValue[]).slice();
    case 'nullable':
      return String;
    case 'list':
      return 'string-list' as convict.SchemaObj['format'];
    case 'flags':
      return 'boolean-map' as convict.SchemaObj['format'];
  }
}

export function convictLoad(service: SyntheticService, envNames: Map<string, string>, file: string, env: Env): LoadOp {
  type Node = { [key: string]: Node | convict.SchemaObj };
  const schema: Node = {};
  for (const leaf of service.leaves) {
    let node = schema;
    for (const segment of leaf.path.slice(0, -1)) node = (node[segment] ??= {}) as Node;
    node[leaf.path[leaf.path.length - 1]!] = {
      doc: String(leaf.schema.description),
      format: convictFormat(leaf),
      default: leaf.default,
      env: envNames.get(dottedPath(leaf.path)),
      ...(leaf.kind === 'nullable' ? { nullable: true } : {}),
    };
  }
  return () => {
    const config = convict<unknown>(schema, { env, args: [] });
    config.loadFile(file);
    config.validate({ allowed: 'strict' });
    return config.getProperties();
  };
}

// ---- env-schema ------------------------------------------------------------------------------

type EnvTree = Map<string, string | EnvTree>;

/**
 * The YAML tree's leaves under their env names; what is not a known leaf is kept at its path for env-schema to drop.
 */
function flatten(tree: unknown, names: EnvTree, out: Record<string, unknown> = {}): Record<string, unknown> {
  if (typeof tree !== 'object' || tree === null) return out;
  for (const [key, value] of Object.entries(tree)) {
    const name = names.get(key);
    if (typeof name === 'string') out[name] = value;
    else if (name) flatten(value, name, out);
    else out[key] = value;
  }
  return out;
}

export function envSchemaLoad(
  service: SyntheticService,
  envNames: Map<string, string>,
  file: string,
  env: Env,
): LoadOp {
  const properties: JsonObject = {};
  const names: EnvTree = new Map();
  for (const leaf of service.leaves) {
    const name = envNames.get(dottedPath(leaf.path))!;
    const { 'x-mutable': _mutable, ...schema } = leaf.schema;
    // `separator` applies to strings (env text); a list from the file is already an array.
    properties[name] = leaf.kind === 'list' ? { ...schema, type: ['array', 'string'], separator: ',' } : schema;
    let node = names;
    for (const segment of leaf.path.slice(0, -1)) {
      if (!node.has(segment)) node.set(segment, new Map());
      node = node.get(segment) as EnvTree;
    }
    node.set(leaf.path[leaf.path.length - 1]!, name);
  }
  const schema = { type: 'object', properties };
  return () => {
    const fromFile = flatten(parse(readFileSync(file, 'utf8')), names);
    return envSchema({ schema, data: [fromFile, env], env: false });
  };
}
