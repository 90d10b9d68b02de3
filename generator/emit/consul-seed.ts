/** `consul-seed.json`: the schema defaults in `consul kv export`/`import` format. */
import { encode } from '../runtime/codec.ts';
import type { Emitter } from './emitter.ts';
import { jsonText } from '../syntax/json.ts';

export interface SeedEntry {
  key: string;
  flags: number;
  /** base64 of the value text. */
  value: string;
}

export const consulSeedEmitter: Emitter = {
  name: 'consul-seed',
  emit(model) {
    const entries: SeedEntry[] = model.leaves
      .filter((leaf) => leaf.default !== undefined)
      .map((leaf) => ({
        key: leaf.consulKey,
        flags: 0,
        value: Buffer.from(encode(leaf.default!, leaf), 'utf8').toString('base64'),
      }));
    return [{ path: `${model.name}/consul-seed.json`, contents: jsonText(entries) + '\n' }];
  },
};
