/**
 * The `consul` slot of the source table (table.ts): Consul KV under the service's `consulPrefix`,
 * located by `locateConsul` and read with one recursive query; each value decoded by its leaf's schema,
 * attributed as `consul <key>`. Unknown keys are warnings, or problems under `strict`.
 */
import { ConsulFailure, ConsulKv } from '../consul/client.ts';
import { decodeEntries } from '../consul/decode.ts';
import { locateConsul, type ConsulOptions } from '../consul/locate.ts';
import { readPrefix } from '../consul/read.ts';
import { ConsulUnavailable, problemOf } from '../consul/wait.ts';
import { ConfigError, type Problem } from '../problems.ts';
import type { Env } from './env.ts';
import type { ConfigSource } from './source.ts';

export interface ConsulSourceSettings {
  /** Where the `WAZO_CONSUL_*` variables are read (the loader's env). */
  env: Env;
  /** Unknown keys are problems rather than warnings. */
  strict: boolean;
}

export function consulSource(options: ConsulOptions | undefined, settings: ConsulSourceSettings): ConfigSource {
  return {
    name: 'consul',
    async read({ service, index, logger }) {
      const located = locateConsul(options, settings.env);
      if (located.kind === 'invalid') return { layers: [], problems: located.problems };
      if (located.kind === 'off') {
        // Not located is the quiet default (tests, hosts without Consul); an explicit opt-out is worth a debug line.
        if (located.reason.startsWith('disabled')) logger.debug?.(`${service.name}: Consul not read: ${located.reason}`);
        return { layers: [], problems: [] };
      }
      let kv: ConsulKv | undefined;
      try {
        kv = new ConsulKv(located.location);
        const { entries } = await readPrefix(kv, service.consulPrefix, service.name, logger);
        const { layer, invalid, unknown } = decodeEntries(entries, index);
        return settings.strict
          ? { layers: [layer], problems: [...invalid, ...unknown] }
          : { layers: [layer], problems: invalid, warnings: unknown.map(unknownKeyWarning) };
      } catch (error) {
        // Consul unreachable, ACL or TLS: one clear error now, rather than a config without Consul's values.
        if (error instanceof ConsulUnavailable) throw new ConfigError(service.name, [error.problem]);
        if (error instanceof ConsulFailure) throw new ConfigError(service.name, [problemOf(error, located.location, service.consulPrefix)]);
        throw error;
      } finally {
        kv?.close();
      }
    },
  };
}

/** Worded as the loader words unknown keys in files. */
function unknownKeyWarning(p: Problem): string {
  return `unknown key ${p.key} (${p.source}): ${p.hint}`;
}
