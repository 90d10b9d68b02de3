/**
 * `x-discover` (docs/discovery.md): a group's `host`, `port` and `scheme` / `https` leaves filled
 * from the first passing instance (by ID) of a Consul service, attributed as `discovered <service>`.
 * Once discovered, an address sticks for the life of the process: while the service has no passing
 * instance (it restarts), the last address seen stays rather than falling back to `localhost`.
 * It is a source like the others, between Consul KV and the environment, so explicit env vars and
 * overrides win; the loader runs it, and so does a watcher that re-resolves. `watchDiscovery`
 * tells such a watcher when a discovered address changes.
 */
import { decode } from '../codec.ts';
import { ConsulFailure, type ConsulKv, type HealthInstance } from '../consul/client.ts';
import type { ConsulOptions } from '../consul/locate.ts';
import { ConsulUnavailable, waitForConsul } from '../consul/wait.ts';
import { ConfigError, showValue, type Problem } from '../problems.ts';
import type { SettingsIndex } from '../settings-index.ts';
import type { Env } from '../sources/env.ts';
import type { ConfigSource, ValuesLayer } from '../sources/source.ts';
import { dotted, pointerOf } from '../tree.ts';
import type { Logger, ServiceSpec } from '../types.ts';
import { backoffDelay, sleep } from '../watch/pacing.ts';
import { addressOf, chooseInstance, healthDenied, HealthFollower, openConsul } from './health.ts';

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
    name: 'discovery',
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
          const keys = keysOf(service, name);
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

/** A discovered address that changed: the one used before (`none` if there was none), and the new one. */
export interface DiscoveryChange {
  service: string;
  /** The groups it fills, dotted (`auth`). */
  keys: string[];
  before: string;
  after: string;
}

function keysOf(service: ServiceSpec, name: string): string[] {
  return (service.discover ?? []).filter((d) => d.service === name).map((d) => dotted(d.path));
}

export interface DiscoveryWatchOptions {
  consul?: ConsulOptions | false | undefined;
  env?: Env | undefined;
  logger?: Logger | undefined;
  /** The longest single blocking query, in ms; default 60 000. */
  blockMs?: number | undefined;
  /** Retry delays after a failure, in ms; default 250 doubling up to 10 000, with jitter. */
  backoff?: { initialMs?: number; maxMs?: number } | undefined;
  /** Told of each failed query (else it is logged as a warning) and of the first success after failures. */
  report?: DiscoveryReporter | undefined;
}

/** The shape of the watcher's `WatchReporter`. */
export interface DiscoveryReporter {
  failure(error: unknown, attempt: number, retryInMs: number): void;
  recovered(attempts: number, downMs: number): void;
}

export interface DiscoveryWatch {
  /** Settles once every discovered service has been read once (its address then is the baseline). */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * Follows the discovered services with blocking health queries and calls `onChange` when a
 * passing instance with another address (host, port or scheme) than the last one appears. A
 * service left without a passing instance is logged, not reported: its last address sticks. The
 * watcher then re-resolves (the discovery source gives the new values). Failures are logged and
 * retried with backoff; it never throws. Without Consul or `x-discover`, it does nothing.
 */
export function watchDiscovery(service: ServiceSpec, options: DiscoveryWatchOptions, onChange: (change: DiscoveryChange) => void): DiscoveryWatch {
  const services = discoveredServices(service);
  const logger = options.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
  const opened = options.consul === false || services.length === 0 ? undefined : openConsul(options.consul, options.env ?? process.env);
  if (opened?.kind !== 'consul') return { ready: Promise.resolve(), stop: () => {} };
  const { kv } = opened;
  const abort = new AbortController();
  const loops = services.map((name) => {
    const follower = new HealthFollower(kv, name);
    const keys = keysOf(service, name);
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const run = async () => {
      let before: string | undefined;
      let gone = false;
      let downSince = 0;
      for (let failures = 0; !abort.signal.aborted; ) {
        try {
          const instance = chooseInstance(await follower.next(options.blockMs ?? 60_000, kv.location.requestTimeoutMs, abort.signal));
          if (failures > 0) options.report?.recovered(failures, Date.now() - downSince);
          failures = 0;
          const after = addressOf(instance);
          if (before === undefined) before = after;
          else if (instance && after !== before) {
            onChange({ service: name, keys, before, after });
            before = after;
          } else if (!instance && !gone) logger.info(`${service.name}: ${name} has no passing instance in Consul: ${keys.join(', ')} keep${keys.length === 1 ? 's' : ''} ${before}`);
          gone = !instance;
          markReady();
        } catch (error) {
          if (abort.signal.aborted) break;
          const delay = backoffDelay(options.backoff ?? {}, ++failures);
          if (failures === 1) downSince = Date.now();
          if (options.report) options.report.failure(error, failures, delay);
          else logger.warn(`${service.name}: watching ${name} in Consul at ${kv.location.url} failed: ${(error as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`);
          markReady();
          await sleep(delay, abort.signal);
        }
      }
    };
    return { run: run(), ready };
  });
  void Promise.all(loops.map((l) => l.run)).finally(() => kv.close());
  return {
    ready: Promise.all(loops.map((l) => l.ready)).then(() => undefined),
    stop: () => abort.abort(),
  };
}

/**
 * The discovered addresses as one of the watcher's `watches` (its `WatchedThing`): each change is
 * logged and starts a cycle, in which the discovery source reads the new address.
 */
export function discoveryWatched(service: ServiceSpec, options: Omit<DiscoveryWatchOptions, 'logger' | 'report'>) {
  return {
    name: 'discovery',
    start(changed: () => void, context: { logger: Logger; signal: AbortSignal; report: DiscoveryReporter }): () => void {
      const watch = watchDiscovery(service, { ...options, logger: context.logger, report: context.report }, (change) => {
        context.logger.info(`${service.name}: ${change.service} (${change.keys.join(', ')}) moved: ${change.before} → ${change.after}`);
        changed();
      });
      context.signal.addEventListener('abort', () => watch.stop(), { once: true });
      return () => watch.stop();
    },
  };
}
