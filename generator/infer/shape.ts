/**
 * JSON types from YAML nodes, and type-only schemas for what lists and open maps hold. The node,
 * not its JavaScript value, decides integer vs number: `60.0` is a float in the file.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { SchemaNode } from '../load.ts';

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

const ORDER: readonly JsonType[] = ['string', 'integer', 'number', 'boolean', 'object', 'array', 'null'];
/** A number written with a fraction or an exponent (not hexadecimal `0x1e`). */
const FLOAT_TEXT = /^[-+]?(\.?[0-9][0-9_]*\.|[0-9._]*[eE]|\.(inf|nan))/i;

export interface NodeSample {
  node: Node | null;
  doc: Document;
}

export function typeOf({ node, doc }: NodeSample): JsonType {
  if (isAlias(node)) return typeOf({ node: node.resolve(doc) ?? null, doc });
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  const value: unknown = isScalar(node) ? node.value : null;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') {
    const source = isScalar(node) ? (node.source ?? '') : '';
    return Number.isInteger(value) && !FLOAT_TEXT.test(source) ? 'integer' : 'number';
  }
  return 'string';
}

/** The types of some values in a fixed order; `integer` folded into `number` when both are seen. */
export function typesOf(samples: readonly NodeSample[]): JsonType[] {
  const seen = new Set(samples.map(typeOf));
  if (seen.has('number')) seen.delete('integer');
  return ORDER.filter((t) => seen.has(t));
}

/** `"string"` for one type, `["string", "null"]` for several. */
export function typeKeyword(types: readonly JsonType[]): JsonType | JsonType[] {
  return types.length === 1 ? types[0]! : [...types];
}

/** The entries of the mappings among `samples`, by key, in order of first appearance. */
export function entriesOf(samples: readonly NodeSample[]): Map<string, NodeSample[]> {
  const entries = new Map<string, NodeSample[]>();
  for (const { node, doc } of samples) {
    if (!isMap(node)) continue;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!entries.has(key)) entries.set(key, []);
      entries.get(key)!.push({ node: (pair.value as Node | null) ?? null, doc });
    }
  }
  return entries;
}

/** The items of the lists among `samples`. */
export function itemsOf(samples: readonly NodeSample[]): NodeSample[] {
  return samples.flatMap(({ node, doc }) =>
    isSeq(node) ? node.items.map((item) => ({ node: item as Node, doc })) : [],
  );
}

/** A type-only schema for values: their types, the properties of objects, the items of arrays. */
export function shapeOf(samples: readonly NodeSample[]): SchemaNode {
  const schema: SchemaNode = { type: typeKeyword(typesOf(samples)) };
  const entries = entriesOf(samples);
  if (entries.size > 0)
    schema.properties = Object.fromEntries([...entries].map(([key, values]) => [key, shapeOf(values)]));
  const items = itemsOf(samples);
  if (items.length > 0) schema.items = shapeOf(items);
  return schema;
}
