/**
 * Following `x-discover` services (docs/discovery.md) with blocking health queries: a watcher
 * re-resolves when a discovered address changes, from the last answers these queries got.
 */
import type { HealthInstance } from '../consul/client.ts';
import type { ConsulOptions } from '../consul/locate.ts';
import { ConsulSession } from '../consul/session.ts';
import { addressOf, chooseInstance, HealthFollower } from '../discovery/health.ts';
import type { Env } from '../sources/env.ts';
import { discoveredKeys, discoveredServices } from '../sources/discovered.ts';
import type { Logger, ServiceSpec } from '../types.ts';
import { retryDelay, sleep, type Backoff } from './pacing.ts';

/** A discovered address that changed: the one used before (`none` if there was none), and the new one. */
export interface DiscoveryChange {
  service: string;
  /** The groups it fills, dotted (`auth`). */
  keys: string[];
  before: string;
  after: string;
}

export interface DiscoveryWatchOptions {
  /**
   * The Consul session to read through (a watcher's); else one is opened from `consul` and `env`, and closed on stop.
   */
  session?: ConsulSession | undefined;
  consul?: ConsulOptions | false | undefined;
  env?: Env | undefined;
  logger?: Logger | undefined;
  /** The longest single blocking query, in ms; default 60 000. */
  blockMs?: number | undefined;
  /** Retry delays after a failure, in ms; default 250 doubling up to 10 000, with jitter. */
  backoff?: Backoff | undefined;
  /** Told of each failed query (else it is logged as a warning) and of the first success after failures. */
  report?: DiscoveryReporter | undefined;
}

/** The shape of the watcher's `WatchReporter`. */
export interface DiscoveryReporter {
  failure(error: unknown, attempt: number, retryInMs: number): void;
  recovered(attempts: number, downMs: number): void;
}

export interface DiscoveryWatch {
  /** Settles once every discovered service has been read once, or failed once (its address then is the baseline). */
  readonly ready: Promise<void>;
  /**
   * The last answer of each service's own blocking query: its chosen instance, or undefined (none passing, or not read
   * yet).
   */
  instances(): Map<string, HealthInstance | undefined>;
  stop(): void;
}

/**
 * Follows the discovered services with blocking health queries and calls `onChange` when a
 * passing instance with another address (host, port or scheme) than the last one appears. A
 * service left without a passing instance is logged, not reported: its last address sticks. The
 * watcher then re-resolves from `instances()`, the last answers: health is read only by these
 * queries. Failures are logged and retried with backoff, the next query then starting from index 0
 * (at once, whatever Consul's index became meanwhile); it never throws. Without Consul or
 * `x-discover`, it does nothing.
 */
export function watchDiscovery(
  service: ServiceSpec,
  options: DiscoveryWatchOptions,
  onChange: (change: DiscoveryChange) => void,
): DiscoveryWatch {
  const services = discoveredServices(service);
  const logger = options.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
  const last = new Map<string, HealthInstance | undefined>();
  const nothing: DiscoveryWatch = { ready: Promise.resolve(), instances: () => new Map(last), stop: () => {} };
  if (options.consul === false || services.length === 0) return nothing;
  const owned = options.session === undefined;
  const session = options.session ?? ConsulSession.open(options.consul, options.env ?? process.env);
  const location = session.location;
  if (!location) return nothing;
  const abort = new AbortController();
  const loops = services.map((name) => {
    const keys = discoveredKeys(service, name);
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const run = async () => {
      let before: string | undefined;
      let gone = false;
      let downSince = 0;
      let follower: HealthFollower | undefined;
      for (let failures = 0; !abort.signal.aborted;) {
        try {
          follower ??= new HealthFollower(await session.client(), name);
          const instance = chooseInstance(
            await follower.next(options.blockMs ?? 60_000, location.requestTimeoutMs, abort.signal),
          );
          last.set(name, instance);
          if (failures > 0) options.report?.recovered(failures, Date.now() - downSince);
          failures = 0;
          const after = addressOf(instance);
          if (before === undefined) before = after;
          else if (instance && after !== before) {
            onChange({ service: name, keys, before, after });
            before = after;
          } else if (!instance && !gone)
            logger.info(
              `${service.name}: ${name} has no passing instance in Consul: ${keys.join(', ')} keep${keys.length === 1 ? 's' : ''} ${before}`,
            );
          gone = !instance;
          markReady();
        } catch (error) {
          if (abort.signal.aborted) break;
          // Consul may have restarted meanwhile, its index reset: the next query starts over at once.
          follower?.restart();
          const delay = retryDelay(options.backoff ?? {}, ++failures);
          if (failures === 1) downSince = Date.now();
          if (options.report) options.report.failure(error, failures, delay);
          else
            logger.warn(
              `${service.name}: watching ${name} in Consul at ${location.url} failed: ${(error as Error).message}; retrying in ${(delay / 1000).toFixed(1)} s`,
            );
          markReady();
          await sleep(delay, abort.signal);
        }
      }
    };
    return { run: run(), ready };
  });
  void Promise.all(loops.map((l) => l.run)).finally(() => {
    if (owned) session.close();
  });
  return {
    ready: Promise.all(loops.map((l) => l.ready)).then(() => undefined),
    instances: () => new Map(last),
    stop: () => abort.abort(),
  };
}

/**
 * The discovered addresses as one of the watcher's `watches` (its `WatchedThing`): each change is
 * logged and starts a cycle, in which the discovery source reads the new address.
 */
export function discoveryWatched(
  service: ServiceSpec,
  options: Omit<DiscoveryWatchOptions, 'logger' | 'report'>,
  started?: (watch: DiscoveryWatch) => void,
) {
  return {
    name: 'discovery',
    start(
      changed: () => void,
      context: { logger: Logger; signal: AbortSignal; report: DiscoveryReporter },
    ): () => void {
      const watch = watchDiscovery(
        service,
        { ...options, logger: context.logger, report: context.report },
        (change) => {
          context.logger.info(
            `${service.name}: ${change.service} (${change.keys.join(', ')}) moved: ${change.before} → ${change.after}`,
          );
          changed();
        },
      );
      started?.(watch);
      context.signal.addEventListener('abort', () => watch.stop(), { once: true });
      return () => watch.stop();
    },
  };
}
