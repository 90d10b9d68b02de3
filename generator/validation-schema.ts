/** The schema a loader validates with: the resolved schema without annotations, so the compiled code stays small. */
import type { SchemaNode } from './load.ts';
import { isNode } from './walk.ts';

const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'contentMediaType',
  'contentEncoding',
]);
/** Keywords whose value is a map of names to schemas: their keys are property names, never annotations. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

export function validationSchemaOf(schema: SchemaNode): SchemaNode {
  return strip(schema) as SchemaNode;
}

function strip(value: unknown, isNameMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v));
  if (!isNode(value)) return value;
  const out: SchemaNode = {};
  for (const [key, child] of Object.entries(value)) {
    if (!isNameMap && (ANNOTATIONS.has(key) || key.startsWith('x-'))) continue;
    if (!isNameMap && (key === 'enum' || key === 'const')) out[key] = child;
    else out[key] = strip(child, !isNameMap && NAME_MAPS.has(key));
  }
  return out;
}
