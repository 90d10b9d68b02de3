/**
 * A Consul change that can never apply: the key is pinned by a source ranking above Consul — an
 * environment variable, as a rendered env file or a ConfigMap sets for every key (docs/deployment.md
 * "Which deployments keep live changes"). Without a word, an operator edits Consul and nothing
 * happens; so the watcher says it, once per key (not once per change, which a loop of edits would
 * turn into noise).
 */
import { decode } from '../codec.ts';
import type { KvEntry } from '../consul/client.ts';
import { showValue } from '../problems.ts';
import { indexOf } from '../settings-index.ts';
import { dotted, getAt, type ConfigTree } from '../tree.ts';
import type { ServiceSpec } from '../types.ts';

export class HiddenConsulChanges {
  /** Consul's value text by key at the last cycle; undefined before the first (nothing is new then). */
  private seen: Map<string, string | null> | undefined;
  private readonly reported = new Set<string>();

  constructor(private readonly service: ServiceSpec) {}

  /**
   * After a cycle resolved `tree` from Consul's `entries` (and the sources above it): one line per
   * key whose Consul value changed since the last cycle while another source set the value in use,
   * each key at most once in the watcher's life. Secrets are masked.
   */
  check(entries: readonly KvEntry[], tree: ConfigTree): string[] {
    const previous = this.seen;
    this.seen = new Map(entries.map((e) => [e.key, e.value]));
    if (!previous) return [];
    const index = indexOf(this.service);
    const lines: string[] = [];
    for (const entry of entries) {
      const setting = index.byConsulKey.get(entry.key);
      if (!setting || this.reported.has(entry.key)) continue;
      if (previous.has(entry.key) && previous.get(entry.key) === entry.value) continue;
      const winner = tree.sourceOf(setting.path);
      if (winner.startsWith('consul ')) continue;
      this.reported.add(entry.key);
      const decoded = decode(entry.value ?? '', setting);
      const wanted = showValue(decoded.ok ? decoded.value : (entry.value ?? ''), setting.secret);
      const inUse = showValue(getAt(tree.root, setting.path), setting.secret);
      const what = setting.mutable ? 'live changes of this key do not apply' : 'a restart would not apply it either';
      const fix = winner.startsWith('env ')
        ? `remove ${winner.slice('env '.length)} from the service's environment for Consul to apply`
        : 'that source ranks above Consul';
      lines.push(
        `${this.service.name}: ${dotted(setting.path)}: Consul's new value ${wanted} at ${entry.key} is hidden by ` +
          `${winner} (${inUse}): ${what}; ${fix} (said once per key)`,
      );
    }
    return lines;
  }
}
