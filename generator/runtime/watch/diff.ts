/**
 * What changed between two configurations, leaf by leaf (the settings table), each change marked
 * mutable or not; and the in-place update of the live configuration with the mutable ones.
 * A change prints with secrets masked, whether by `String()`, `JSON.stringify` or `console.log`.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import { showValue } from '../problems.ts';
import { clone, dotted, getAt, isObject, type ConfigTree } from '../tree.ts';
import type { JsonObject, JsonValue, ServiceSpec, SettingSpec } from '../types.ts';

export class KeyChange {
  constructor(
    readonly setting: SettingSpec,
    /** The value running now; undefined when the key had none. */
    readonly oldValue: JsonValue | undefined,
    /** The value read; undefined when the key has none any more. */
    readonly newValue: JsonValue | undefined,
    /** Where the new value comes from: `consul config/…`, `file …`, `env …`, `default`. */
    readonly source: string,
  ) {}

  /** Dotted key: `rest_api.port`. */
  get key(): string {
    return dotted(this.setting.path);
  }

  get path(): readonly string[] {
    return this.setting.path;
  }

  get mutable(): boolean {
    return this.setting.mutable;
  }

  get secret(): boolean {
    return this.setting.secret;
  }

  /** `log_level: "info" → "debug" (consul config/wazo-webhookd/log_level)`, secrets as `*****`. */
  toString(): string {
    return `${this.key}: ${showValue(this.oldValue, this.secret)} → ${showValue(this.newValue, this.secret)} (${this.source})`;
  }

  toJSON(): Record<string, unknown> {
    const shown = (value: JsonValue | undefined) =>
      this.secret && value !== undefined ? showValue(value, true) : value;
    return {
      key: this.key,
      mutable: this.mutable,
      secret: this.secret,
      oldValue: shown(this.oldValue),
      newValue: shown(this.newValue),
      source: this.source,
    };
  }

  [inspect.custom](): Record<string, unknown> {
    return this.toJSON();
  }
}

/** Every leaf whose value differs between `running` and `next` (deep equality for lists and maps). */
export function diffConfigs(service: ServiceSpec, running: JsonObject, next: ConfigTree): KeyChange[] {
  const changes: KeyChange[] = [];
  for (const setting of service.settings) {
    const before = getAt(running, setting.path);
    const after = getAt(next.root, setting.path);
    if (!isDeepStrictEqual(before, after))
      changes.push(new KeyChange(setting, before, after, next.sourceOf(setting.path)));
  }
  return changes;
}

/** Writes each change's new value into `live`, in place (a key with no value any more is deleted). */
export function applyChanges(live: JsonObject, changes: readonly KeyChange[]): void {
  for (const change of changes) {
    const path = change.path;
    let node = live;
    for (const segment of path.slice(0, -1)) {
      if (!isObject(node[segment])) node[segment] = {};
      node = node[segment] as JsonObject;
    }
    const last = path[path.length - 1]!;
    if (change.newValue === undefined) delete node[last];
    else node[last] = clone(change.newValue);
  }
}

/**
 * The changes of a cycle: the diff's, and the Connect files rewritten in place. A key in both (its path changed too)
 * is reported once, from its old path to its new one, with the renewal or rotation as its source.
 */
export function withConnectChanges(diff: KeyChange[], connect: KeyChange[]): KeyChange[] {
  const renewed = new Map(connect.map((c) => [c.key, c]));
  const merged = diff.map((c) => {
    const also = renewed.get(c.key);
    if (!also) return c;
    renewed.delete(c.key);
    return new KeyChange(c.setting, c.oldValue, c.newValue, also.source);
  });
  return [...merged, ...renewed.values()];
}
