import { isObject } from '../tree.ts';
import type { JsonObject } from '../types.ts';
import type { ConfigSource } from './source.ts';

/**
 * The `overrides` slot of the source table (table.ts): values the program passes itself (e.g. from its command line),
 * deep-merged on top.
 */
export function overridesSource(overrides: unknown): ConfigSource {
  return {
    name: 'overrides',
    async read() {
      if (!isObject(overrides)) return { layers: [], problems: [] };
      return { layers: [{ kind: 'tree', source: 'override', tree: overrides as JsonObject }], problems: [] };
    },
  };
}
