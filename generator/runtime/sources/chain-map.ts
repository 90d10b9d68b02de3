/**
 * Wazo's merge primitive (SEMANTICS.md §1): `xivo.chain_map.ChainMap` and wazo-auth's
 * `AccumulatingListChainMap`, where two lists at one key are concatenated, higher priority first.
 */
import { clone, getAt, isObject, pointerOf } from '../tree.ts';
import type { JsonObject } from '../types.ts';
import type { TreeLayer, ValuesLayer } from './source.ts';

export interface ChainMapOptions {
  /** `AccumulatingListChainMap`: list + list → the higher-priority items, then the lower ones (duplicates kept). */
  accumulateLists?: boolean;
}

/**
 * `ChainMap(*maps)`, maps highest priority first: the first map that has a key wins; two objects
 * are merged deep; anything else (lists, scalars, null, a type mismatch) keeps the higher value.
 * With `accumulateLists`, returns also the paths where lists were concatenated.
 */
export function chainMap(
  maps: readonly JsonObject[],
  options: ChainMapOptions = {},
): { merged: JsonObject; extended: string[][] } {
  const merged: JsonObject = {};
  const extended = new Map<string, string[]>();
  const deepUpdate = (original: JsonObject, update: JsonObject, at: string[]): void => {
    for (const [key, value] of Object.entries(update)) {
      const current = original[key];
      if (!Object.hasOwn(original, key)) original[key] = clone(value);
      else if (isObject(current) && isObject(value)) deepUpdate(current, value, [...at, key]);
      else if (options.accumulateLists && Array.isArray(current) && Array.isArray(value)) {
        current.push(...clone(value));
        extended.set(pointerOf([...at, key]), [...at, key]);
      }
    }
  };
  for (const map of maps) deepUpdate(merged, map, []);
  return { merged, extended: [...extended.values()] };
}

/**
 * The lists that accumulate across config files, as one values layer applied after the files'
 * own layers: each list whole, with every file it came from (`file a.yml + file config.yml`).
 * Layers come lowest priority first, as the file source applies them.
 */
export function accumulatedLists(layers: readonly TreeLayer[]): ValuesLayer | undefined {
  const byPriority = [...layers].reverse();
  const { merged, extended } = chainMap(
    byPriority.map((layer) => layer.tree),
    { accumulateLists: true },
  );
  if (extended.length === 0) return undefined;
  return {
    kind: 'values',
    values: extended.map((path) => ({
      path,
      value: getAt(merged, path)!,
      source: byPriority
        .filter((layer) => Array.isArray(getAt(layer.tree, path)))
        .map((layer) => layer.source)
        .join(' + '),
    })),
  };
}
