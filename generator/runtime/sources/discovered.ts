/**
 * `x-discover` (docs/discovery.md): a group's `host`, `port` and `scheme` / `https` leaves filled
 * from the first passing instance (by ID) of a Consul service, attributed as `discovered <service>`.
 * Once discovered, an address sticks for the life of the process: while the service has no passing
 * instance (it restarts), the last address seen stays rather than falling back to `localhost`.
 * It is a source like the others, between Consul KV and the environment, so explicit env vars and
 * overrides win; the loader runs it through its Consul session, and a watcher runs it on the last
 * answers of its own health queries (`watch/discovery-watch.ts`), which tell it when an address changes.
 */
import type { HealthInstance } from '../consul/client.ts';
import { ConsulFailure } from '../consul/failure.ts';
import type { ConsulSession } from '../consul/session.ts';
import { ConsulUnavailable, problemOf, waitForConsul } from '../consul/wait.ts';
import { addressOf, chooseInstance, healthDenied, HealthFollower } from '../discovery/health.ts';
import { ConfigError, type Problem } from '../problems.ts';
import type { SettingsIndex } from '../settings-index.ts';
import { dotted, pointerOf } from '../tree.ts';
import type { Logger, ServiceSpec } from '../types.ts';
import type { DiscoveryWatch } from '../watch/discovery-watch.ts';
import { decodeInto, type ConfigSource, type SourceOutput, type ValuesLayer } from './source.ts';

/** The leaves of a discovered group that an instance fills, and the text each gets. */
const FIELDS: Record<string, (instance: HealthInstance) => string | undefined> = {
  host: (i) => i.address,
  port: (i) => String(i.port),
  // Consul has no scheme: a registering service says it in its Meta (`scheme: https`).
  scheme: (i) => i.meta.scheme,
  https: (i) => (i.meta.scheme === undefined ? undefined : String(i.meta.scheme === 'https')),
};

/** The last instance seen of each service, by Consul address and service name. */
const lastSeen = new Map<string, HealthInstance>();

/** The Consul services a spec discovers, each once. */
export function discoveredServices(service: ServiceSpec): string[] {
  return [...new Set((service.discover ?? []).map((d) => d.service))];
}

/** The values the instances give the spec's discovered groups; a service without an instance gives none. */
export function discoveredLayer(
  service: ServiceSpec,
  index: SettingsIndex,
  instances: ReadonlyMap<string, HealthInstance | undefined>,
): { layer: ValuesLayer; problems: Problem[] } {
  const layer: ValuesLayer = { kind: 'values', values: [] };
  const problems: Problem[] = [];
  for (const { path, service: name } of service.discover ?? []) {
    const instance = instances.get(name);
    if (!instance) continue;
    const source = `discovered ${name}`;
    for (const [key, field] of Object.entries(FIELDS)) {
      const setting = index.byPointer.get(pointerOf([...path, key]));
      const text = field(instance);
      if (!setting || text === undefined) continue;
      decodeInto(layer, problems, setting, text, source);
    }
  }
  return { layer, problems };
}

/**
 * One non-blocking read of each service's passing instances, waiting for Consul as the loader does. Throws
 * ConsulUnavailable.
 */
export async function readInstances(
  session: ConsulSession,
  services: readonly string[],
  what: string,
  logger: Logger,
): Promise<Map<string, HealthInstance | undefined>> {
  const location = session.location!;
  const found = new Map<string, HealthInstance | undefined>();
  let client;
  try {
    client = await session.client();
  } catch (error) {
    if (error instanceof ConsulFailure) throw new ConsulUnavailable(error, problemOf(error, location, ''));
    throw error;
  }
  for (const name of services) {
    const follower = new HealthFollower(client, name);
    try {
      found.set(
        name,
        chooseInstance(
          await waitForConsul(location, what, `health/service/${name}`, logger, (timeoutMs) =>
            follower.next(0, timeoutMs),
          ),
        ),
      );
    } catch (error) {
      if (error instanceof ConsulUnavailable && error.failure.kind === 'acl')
        throw new ConsulUnavailable(error.failure, healthDenied(error.failure, location, name));
      throw error;
    }
  }
  return found;
}

/**
 * The `x-discover` groups from the instances given (a fresh read, or a watcher's last answers):
 * a service without a passing instance keeps the last address this process saw for it, said once
 * per read at info level.
 */
export function discoveredOutput(
  service: ServiceSpec,
  index: SettingsIndex,
  instances: Map<string, HealthInstance | undefined>,
  consulUrl: string,
  logger: Logger,
): SourceOutput {
  for (const [name, instance] of instances) {
    const seenKey = `${consulUrl} ${name}`;
    if (instance) {
      lastSeen.set(seenKey, instance);
      continue;
    }
    const last = lastSeen.get(seenKey);
    instances.set(name, last);
    const keys = discoveredKeys(service, name);
    const keeping = last ? `the last address seen, ${addressOf(last)}` : 'the values of the other sources';
    logger.info(
      `${service.name}: no passing instance of ${name} in Consul at ${consulUrl}: ${keys.join(', ')} keep${keys.length === 1 ? 's' : ''} ${keeping}`,
    );
  }
  const { layer, problems } = discoveredLayer(service, index, instances);
  return { layers: [layer], problems };
}

/**
 * The `x-discover` groups, from Consul health through the load's session. Quiet and without a
 * request when the service discovers nothing or nothing locates Consul (an invalid location is
 * the Consul source's to report).
 */
export function discoverySource(session: ConsulSession): ConfigSource {
  return {
    name: 'discovered',
    async read({ service, index, logger }) {
      const services = discoveredServices(service);
      const location = session.location;
      if (services.length === 0 || !location) return { layers: [], problems: [] };
      try {
        return discoveredOutput(
          service,
          index,
          await readInstances(session, services, service.name, logger),
          location.url,
          logger,
        );
      } catch (error) {
        if (error instanceof ConsulUnavailable) throw new ConfigError(service.name, [error.problem]);
        throw error;
      }
    },
  };
}

/** The `x-discover` groups from a watch's last answers: a watcher's cycle reads no health of its own. */
export function watchedDiscoverySource(watch: DiscoveryWatch, consulUrl: string): ConfigSource {
  return {
    name: 'discovery',
    async read({ service, index, logger }) {
      await watch.ready;
      return discoveredOutput(service, index, watch.instances(), consulUrl, logger);
    },
  };
}

/** The groups a discovered service fills, dotted (`auth`). */
export function discoveredKeys(service: ServiceSpec, name: string): string[] {
  return (service.discover ?? []).filter((d) => d.service === name).map((d) => dotted(d.path));
}
