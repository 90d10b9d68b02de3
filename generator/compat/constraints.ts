/** Validation keywords beyond `type`, compared between two versions of a leaf: tightened or relaxed. */
import { isDeepStrictEqual } from 'node:util';
import type { SchemaNode } from '../load.ts';
import { MASK } from '../runtime/problems.ts';

/** A larger value accepts less. */
const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
/** A smaller value accepts less. */
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];
/** Any change may reject values that passed: added or changed is tighter, removed is relaxed. */
const OPAQUE = ['pattern', 'format', 'multipleOf', 'const'];

export const CONSTRAINT_KEYWORDS = [...LOWER_BOUNDS, ...UPPER_BOUNDS, ...OPAQUE, 'enum', 'uniqueItems'];

export interface ConstraintChanges {
  tightened: string[];
  relaxed: string[];
}

/** Keywords whose values are accepted values: masked for a secret, whose accepted values are secret too. */
const VALUES = new Set(['enum', 'const']);

export function constraintChanges(old: SchemaNode, updated: SchemaNode, secret = false): ConstraintChanges {
  const changes: ConstraintChanges = { tightened: [], relaxed: [] };
  const shown = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));
  const masked = (value: unknown) => (value === undefined ? 'none' : MASK);
  const valueText = secret ? masked : shown;
  const text = (value: unknown, keyword = 'enum') => (VALUES.has(keyword) ? valueText(value) : shown(value));
  const record = (tighter: boolean, keyword: string) =>
    (tighter ? changes.tightened : changes.relaxed).push(
      `${keyword} ${text(old[keyword], keyword)} → ${text(updated[keyword], keyword)}`,
    );
  for (const keyword of [...LOWER_BOUNDS, ...UPPER_BOUNDS]) {
    const [before, after] = [old[keyword], updated[keyword]];
    if (before === after || (typeof before !== 'number' && typeof after !== 'number')) continue;
    if (typeof before !== 'number') record(true, keyword);
    else if (typeof after !== 'number') record(false, keyword);
    else record(LOWER_BOUNDS.includes(keyword) ? after > before : after < before, keyword);
  }
  for (const keyword of OPAQUE) {
    if (!isDeepStrictEqual(old[keyword], updated[keyword])) record(updated[keyword] !== undefined, keyword);
  }
  if (!isDeepStrictEqual(old.enum, updated.enum)) {
    const before = Array.isArray(old.enum) ? old.enum : undefined;
    const after = Array.isArray(updated.enum) ? updated.enum : undefined;
    const lost = before && after ? before.filter((v) => !after.some((w) => isDeepStrictEqual(v, w))) : [];
    const gained = before && after ? after.filter((v) => !before.some((w) => isDeepStrictEqual(v, w))) : [];
    if (!before) changes.tightened.push(`enum added: ${text(after)}`);
    else if (!after) changes.relaxed.push(`enum removed: ${text(before)}`);
    if (lost.length > 0) changes.tightened.push(`enum lost ${lost.map((v) => text(v)).join(', ')}`);
    if (gained.length > 0) changes.relaxed.push(`enum gained ${gained.map((v) => text(v)).join(', ')}`);
  }
  if (old.uniqueItems !== updated.uniqueItems) record(updated.uniqueItems === true, 'uniqueItems');
  return changes;
}
