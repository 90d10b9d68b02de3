/**
 * The one ordered table of sources, lowest priority first (docs/design.md "Sources"; the Python
 * runtime mirrors it). Each slot has a name, and a caller replaces a slot by that name rather than
 * by switching built-in sources off and injecting others at a position: the watcher puts the last
 * Consul answer in the `consul` slot, `diff` the values it read, `validate` the files it was given.
 * The order is the table's, whoever fills a slot.
 */
import type { ConfigSource } from './source.ts';

export const SOURCE_SLOTS = ['defaults', 'files', 'consul', 'discovered', 'connect', 'env', 'overrides'] as const;

export type SourceSlot = (typeof SOURCE_SLOTS)[number];

/** A source in a slot's place, or `false` to leave the slot empty. */
export type SourceReplacements = Partial<Record<SourceSlot, ConfigSource | false>>;

/** Builds a slot's own source; `undefined` when the options leave it empty. Called only for slots not replaced. */
export type SlotBuilders = Record<SourceSlot, () => ConfigSource | undefined>;

/**
 * The sources in table order: each slot's replacement if there is one, else its own source; the
 * caller's `extras` (LoadOptions.sources) go after `connect`, before the environment.
 */
export function sourceTable(
  builders: SlotBuilders,
  replacements: SourceReplacements = {},
  extras: readonly ConfigSource[] = [],
): ConfigSource[] {
  const table: ConfigSource[] = [];
  for (const slot of SOURCE_SLOTS) {
    const replacement = replacements[slot];
    const source = replacement === undefined ? builders[slot]() : replacement || undefined;
    if (source) table.push(source);
    if (slot === 'connect') table.push(...extras);
  }
  return table;
}
