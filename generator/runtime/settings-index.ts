/** Lookups over a service's settings table, built once per service. */
import { pointerOf } from './tree.ts';
import type { ServiceSpec, SettingSpec } from './types.ts';

export class SettingsIndex {
  readonly byPointer = new Map<string, SettingSpec>();
  readonly byEnv = new Map<string, SettingSpec>();
  readonly byConsulKey = new Map<string, SettingSpec>();
  /** Every group (object with fixed properties), the root included, with its children's names. */
  readonly groups = new Map<string, Set<string>>([['', new Set()]]);

  constructor(readonly service: ServiceSpec) {
    for (const setting of service.settings) {
      this.byPointer.set(pointerOf(setting.path), setting);
      this.byEnv.set(setting.env, setting);
      this.byConsulKey.set(setting.consulKey, setting);
      for (let n = 0; n < setting.path.length; n++) {
        const group = pointerOf(setting.path.slice(0, n));
        if (!this.groups.has(group)) this.groups.set(group, new Set());
        this.groups.get(group)!.add(setting.path[n]!);
      }
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
