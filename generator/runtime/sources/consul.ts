/**
 * The `consul` slot of the source table (table.ts): Consul KV under the service's `consulPrefix`,
 * read with one recursive query through the load's Consul session; each value decoded by its
 * leaf's schema, attributed as `consul <key>`. Unknown keys are warnings, or problems under `strict`.
 */
import { consulOutput } from '../consul/decode.ts';
import { ConsulFailure } from '../consul/failure.ts';
import type { ConsulSession } from '../consul/session.ts';
import { ConsulUnavailable, problemOf } from '../consul/wait.ts';
import { ConfigError } from '../problems.ts';
import type { ConfigSource } from './source.ts';

export interface ConsulSourceSettings {
  /** The load's Consul session (located once, one client). */
  session: ConsulSession;
  /** Unknown keys are problems rather than warnings. */
  strict: boolean;
}

export function consulSource(settings: ConsulSourceSettings): ConfigSource {
  return {
    name: 'consul',
    async read({ service, index, logger }) {
      const { located } = settings.session;
      if (located.kind === 'invalid') return { layers: [], problems: located.problems };
      if (located.kind === 'off') {
        // Not located is the quiet default (tests, hosts without Consul); an explicit opt-out is worth a debug line.
        if (located.reason.startsWith('disabled'))
          logger.debug?.(`${service.name}: Consul not read: ${located.reason}`);
        return { layers: [], problems: [] };
      }
      try {
        const { entries } = await settings.session.readPrefix(service.consulPrefix, service.name, logger);
        return consulOutput(entries, index, settings.strict);
      } catch (error) {
        // Consul unreachable, ACL, TLS or not Consul at all: one clear error now, rather than a config without Consul's
        // values.
        if (error instanceof ConsulUnavailable) throw new ConfigError(service.name, [error.problem]);
        if (error instanceof ConsulFailure)
          throw new ConfigError(service.name, [problemOf(error, located.location, service.consulPrefix)]);
        throw error;
      }
    },
  };
}
