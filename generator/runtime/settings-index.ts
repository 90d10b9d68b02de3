/** Lookups over a service's settings table, built once per service. */
import { escapePointer, pointerOf } from './tree.ts';
import type { ServiceSpec, SettingSpec } from './types.ts';

export class SettingsIndex {
  readonly byPointer = new Map<string, SettingSpec>();
  readonly byEnv = new Map<string, SettingSpec>();
  readonly byConsulKey = new Map<string, SettingSpec>();
  /** Every group (object with fixed properties), the root included, with its children's names. */
  readonly groups = new Map<string, Set<string>>([['', new Set()]]);

  constructor(readonly service: ServiceSpec) {
    for (const setting of service.settings) {
      // Each group on the way down gets its child's name; the pointer grows a segment at a time.
      let pointer = '';
      for (const segment of setting.path) {
        let children = this.groups.get(pointer);
        if (!children) this.groups.set(pointer, (children = new Set()));
        children.add(segment);
        pointer += `/${escapePointer(segment)}`;
      }
      this.byPointer.set(pointer, setting);
      this.byEnv.set(setting.env, setting);
      this.byConsulKey.set(setting.consulKey, setting);
    }
  }

  /** The leaf at `path` or the leaf that holds it (an array item, a map entry). */
  leafFor(path: readonly string[]): SettingSpec | undefined {
    for (let n = path.length; n > 0; n--) {
      const leaf = this.byPointer.get(pointerOf(path.slice(0, n)));
      if (leaf) return leaf;
    }
    return undefined;
  }
}

const indexes = new WeakMap<ServiceSpec, SettingsIndex>();

export function indexOf(service: ServiceSpec): SettingsIndex {
  let index = indexes.get(service);
  if (!index) indexes.set(service, (index = new SettingsIndex(service)));
  return index;
}
