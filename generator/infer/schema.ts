/**
 * Observations → a draft schema. An object becomes a group (walked, one env var per leaf) unless
 * it is empty somewhere, a set of booleans (`enabled_plugins`), or also seen as another type: then
 * it is one leaf, an open map. Defaults come from the `--defaults` file, else from the first file.
 * Anything a person should check gets a `$comment` starting with `review:`.
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { SchemaNode } from '../load.ts';
import type { JsonValue } from '../runtime/types.ts';
import { pointerOf } from '../runtime/tree.ts';
import type { InputFile } from './inputs.ts';
import type { Observed, Sample } from './observe.ts';
import { isPlaintextSecret, secretReason } from './secrets.ts';
import { entriesOf, itemsOf, shapeOf, typeKeyword, typesOf } from './shape.ts';

/** A remark on one key, for the person who reviews the draft. */
export interface Note {
  path: string[];
  /** `file:line` where the key was first seen, when known. */
  where?: string;
  message: string;
}

export interface BuildOptions {
  /** Paths (as JSON pointers) of objects to keep as one open-map leaf, to resolve name collisions. */
  openMaps: ReadonlySet<string>;
  /** Explicit env names given to leaves whose names collide otherwise. */
  envNames: ReadonlyMap<string, string>;
}

export function buildProperties(root: Observed, options: BuildOptions, notes: Note[]): SchemaNode {
  return propertiesOf(root, [], options, notes);
}

function propertiesOf(node: Observed, path: string[], options: BuildOptions, notes: Note[]): SchemaNode {
  const properties: SchemaNode = {};
  for (const [key, child] of node.children) {
    const schema = buildNode(child, [...path, key], options, notes);
    if (schema) properties[key] = schema;
  }
  return properties;
}

function buildNode(node: Observed, path: string[], options: BuildOptions, notes: Note[]): SchemaNode | undefined {
  const real = node.samples.filter((s) => !s.commented);
  const samples = real.length > 0 ? real : node.samples;
  if (samples.length === 0) return undefined;
  const review: string[] = [];
  if (real.length === 0) review.push(`seen only in a commented-out example in ${samples[0]!.input.file}`);

  const schema: SchemaNode = {};
  const group = isGroup(samples);
  if (group && options.openMaps.has(pointerOf(path)))
    review.push('one open map, not a group: names below it collide with other keys');
  if (group && !options.openMaps.has(pointerOf(path))) {
    schema.type = 'object';
    if (node.description) schema.description = node.description;
    schema.properties = propertiesOf(node, path, options, notes);
  } else {
    let types = typesOf(samples);
    if (types.length === 1 && types[0] === 'null') {
      types = ['string', 'null'];
      review.push('only null was seen: the type string is a guess');
    }
    schema.type = typeKeyword(types);
    if (node.description) schema.description = node.description;
    const fallback = real.length > 0 ? defaultSample(samples) : undefined;
    if (fallback) schema.default = valueOf(fallback);
    const secret = secretReason(path[path.length - 1]!, samples.map(valueOf));
    if (secret) {
      schema['x-secret'] = true;
      review.push(`x-secret suggested: ${secret}`);
      // A schema is checked in and published: a plaintext password must not become its default.
      if (fallback && isPlaintextSecret(valueOf(fallback))) {
        delete schema.default;
        review.push("no default: the file's value is a secret, left out (set it in Consul, the environment or conf.d)");
      }
    }
    const env = options.envNames.get(pointerOf(path));
    if (env) {
      schema['x-env'] = env;
      review.push('x-env given because the derived name collides with another key');
    }
    const examples = [
      ...new Map(samples.filter((s) => s !== fallback).map((s) => [JSON.stringify(valueOf(s)), valueOf(s)])).values(),
    ].filter((v) => !isEmpty(v));
    if (!secret && examples.length > 0 && schema.default === undefined) schema.examples = examples.slice(0, 3);
    const entries = [...entriesOf(samples).values()].flat();
    if (types.includes('object') && entries.length > 0) schema.additionalProperties = shapeOf(entries);
    const items = itemsOf(samples);
    if (types.includes('array') && items.length > 0) schema.items = shapeOf(items);
  }
  if (review.length > 0) {
    schema.$comment = `review: ${review.join('; ')}`;
    notes.push({ path, where: node.where, message: review.join('; ') });
  }
  return schema;
}

/**
 * A group when every value is a non-empty mapping that is not a set of flags. A mapping of
 * booleans is a plugin set (`enabled_plugins: {calls: true}`), unless it has `enabled`: then it
 * is a section switched on and off (`service_discovery: {enabled: false}`).
 */
function isGroup(samples: readonly Sample[]): boolean {
  if (!samples.every((s) => isMap(s.node) && s.node.items.length > 0)) return false;
  const entries = entriesOf(samples);
  const flags = [...entries.values()].every((values) =>
    values.every(({ node }) => isScalar(node) && typeof node.value === 'boolean'),
  );
  return !flags || entries.has('enabled');
}

/** The `--defaults` file's value, else the first file's (the shipped config.yml); never another file's. */
function defaultSample(samples: readonly Sample[]): Sample | undefined {
  const byRole = (role: InputFile['role']) => samples.find((s) => s.input.role === role);
  return byRole('defaults') ?? byRole('main');
}

function isEmpty(value: JsonValue): boolean {
  return value === null || (typeof value === 'object' && Object.keys(value).length === 0);
}

function valueOf(sample: Sample): JsonValue {
  return (sample.node as Node | null)?.toJS(sample.doc) ?? null;
}
