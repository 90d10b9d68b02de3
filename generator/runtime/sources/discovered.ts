/**
 * `x-discover` (docs/discovery.md): a group's `host`, `port` and `scheme` / `https` leaves filled
 * from the first passing instance (by ID) of a Consul service, attributed as `discovered <service>`.
 * Once discovered, an address sticks for the life of the process: while the service has no passing
 * instance (it restarts), the last address seen stays rather than falling back to `localhost`.
 * It is a source like the others, between Consul KV and the environment, so explicit env vars and
 * overrides win; the loader runs it, and so does a watcher that re-resolves. `watch/discovery-watch.ts`
 * tells such a watcher when a discovered address changes.
 */
import { decode } from '../codec.ts';
import { ConsulFailure, type ConsulKv, type HealthInstance } from '../consul/client.ts';
import type { ConsulOptions } from '../consul/locate.ts';
import { ConsulUnavailable, waitForConsul } from '../consul/wait.ts';
import { ConfigError, showValue, type Problem } from '../problems.ts';
import type { SettingsIndex } from '../settings-index.ts';
import type { Env } from './env.ts';
import type { ConfigSource, ValuesLayer } from './source.ts';
import { dotted, pointerOf } from '../tree.ts';
import type { Logger, ServiceSpec } from '../types.ts';
import { addressOf, chooseInstance, healthDenied, openConsul } from '../discovery/health.ts';

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
export function discoveredLayer(service: ServiceSpec, index: SettingsIndex, instances: ReadonlyMap<string, HealthInstance | undefined>): { layer: ValuesLayer; problems: Problem[] } {
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
      const decoded = decode(text, setting);
      if (decoded.ok) layer.values.push({ path: setting.path, value: decoded.value, source });
      else problems.push({ key: dotted(setting.path), source, message: `expected ${decoded.expected}`, value: showValue(text, setting.secret), hint: decoded.hint });
    }
  }
  return { layer, problems };
}

/** One non-blocking read of each service's passing instances, waiting for Consul as the loader does. Throws ConsulUnavailable. */
export async function readInstances(kv: ConsulKv, services: readonly string[], what: string, logger: Logger): Promise<Map<string, HealthInstance | undefined>> {
  const found = new Map<string, HealthInstance | undefined>();
  for (const name of services) {
    const read = await waitForConsul(kv.location, what, `health/service/${name}`, logger, (t) => kv.healthService(name, t));
    if (read.filteredByAcl) {
      const failure = new ConsulFailure('acl', 'instances were left out by ACL filtering (X-Consul-Results-Filtered-By-ACLs)', false, 403);
      throw new ConsulUnavailable(failure, healthDenied(failure, kv.location, name));
    }
    found.set(name, chooseInstance(read.instances));
  }
  return found;
}

export interface DiscoverySourceSettings {
  /** Where the `WAZO_CONSUL_*` variables are read (the loader's env). */
  env: Env;
}

/**
 * The `x-discover` groups, from Consul health. Quiet and without a request when the service
 * discovers nothing or nothing locates Consul (an invalid location is the Consul source's to report).
 */
export function discoverySource(options: ConsulOptions | undefined, settings: DiscoverySourceSettings): ConfigSource {
  return {
    name: 'discovered',
    async read({ service, index, logger }) {
      const services = discoveredServices(service);
      if (services.length === 0) return { layers: [], problems: [] };
      const opened = openConsul(options, settings.env);
      if (opened.kind !== 'consul') return { layers: [], problems: [] };
      const { kv } = opened;
      try {
        const instances = await readInstances(kv, services, service.name, logger);
        for (const [name, instance] of instances) {
          const seenKey = `${kv.location.url} ${name}`;
          if (instance) {
            lastSeen.set(seenKey, instance);
            continue;
          }
          const last = lastSeen.get(seenKey);
          instances.set(name, last);
          const keys = discoveredKeys(service, name);
          const keeping = last ? `the last address seen, ${addressOf(last)}` : 'the values of the other sources';
          logger.info(`${service.name}: no passing instance of ${name} in Consul at ${kv.location.url}: ${keys.join(', ')} keep${keys.length === 1 ? 's' : ''} ${keeping}`);
        }
        const { layer, problems } = discoveredLayer(service, index, instances);
        return { layers: [layer], problems };
      } catch (error) {
        if (error instanceof ConsulUnavailable) throw new ConfigError(service.name, [error.problem]);
        throw error;
      } finally {
        kv.close();
      }
    },
  };
}

/** The groups a discovered service fills, dotted (`auth`). */
export function discoveredKeys(service: ServiceSpec, name: string): string[] {
  return (service.discover ?? []).filter((d) => d.service === name).map((d) => dotted(d.path));
}
