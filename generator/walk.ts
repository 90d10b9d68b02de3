/** A walk over every subschema of a schema, with its JSON pointer. */
import type { SchemaNode } from './load.ts';
import { escapePointer, isObject } from './runtime/tree.ts';

const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SCHEMA_VALUES = [
  'additionalProperties',
  'items',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];

/** A schema object (not a boolean schema, an array or a scalar). */
export function isNode(value: unknown): value is SchemaNode {
  return isObject(value);
}

export function forEachSubschema(
  node: SchemaNode,
  pointer: string,
  visit: (node: SchemaNode, pointer: string) => void,
): void {
  visit(node, pointer);
  for (const keyword of SCHEMA_MAPS) {
    const map = node[keyword];
    if (!isNode(map)) continue;
    for (const [name, child] of Object.entries(map)) {
      if (isNode(child)) forEachSubschema(child, `${pointer}/${keyword}/${escapePointer(name)}`, visit);
    }
  }
  for (const keyword of SCHEMA_LISTS) {
    const list = node[keyword];
    if (Array.isArray(list))
      list.forEach((child, i) => isNode(child) && forEachSubschema(child, `${pointer}/${keyword}/${i}`, visit));
  }
  for (const keyword of SCHEMA_VALUES) {
    const child = node[keyword];
    if (isNode(child)) forEachSubschema(child, `${pointer}/${keyword}`, visit);
  }
}
