/**
 * Registering a service in Consul, as Wazo's `ServiceCatalogRegistration` and `Registerer` do
 * (SEMANTICS.md §4): when `service_discovery.enabled`, wait until the service's own `check()`
 * passes (asking again every `retry_interval` s), register it with a TTL check, send the TTL every
 * `refresh_interval` s (after a failure: back to `retry_interval` and register again), and
 * deregister on `stop()` or on SIGTERM / SIGINT.
 */
import { networkInterfaces } from 'node:os';
import type { ConsulClient } from '../consul/client.ts';
import type { ConsulOptions } from '../consul/locate.ts';
import { ConsulFailure } from '../consul/failure.ts';
import { ConsulSession } from '../consul/session.ts';
import { HealthFollower } from './health.ts';
import { ConfigError } from '../problems.ts';
import type { Env } from '../sources/env.ts';
import type { Logger } from '../types.ts';
import { sleep } from '../watch/pacing.ts';

/** The `service_discovery` group every Wazo schema has; the generated `ServiceDiscovery` type fits it. */
export interface ServiceDiscoverySettings {
  enabled: boolean;
  /** An address, or `auto`: see `advertiseAddress`. */
  advertise_address: string;
  advertise_address_interface: string;
  advertise_port: number;
  /** Seconds: the TTL of the check. */
  ttl_interval: number;
  /** Seconds between two TTL updates (below `ttl_interval`). */
  refresh_interval: number;
  /** Seconds between two attempts while `check()` fails or Consul does not answer. */
  retry_interval: number;
  extra_tags: readonly string[];
}

export interface RegistrationOptions {
  /** The Consul service name, e.g. `wazo-calld`. */
  name: string;
  /** `config.service_discovery`. */
  settings: ServiceDiscoverySettings;
  /** Wazo's UUID (`XIVO_UUID`): the first tag, as Wazo's Registerer puts it. */
  uuid?: string;
  /** The service ID; default a random UUID, as Wazo's. */
  id?: string;
  /** Service Meta. `scheme: 'https'` tells discovering services to use https (docs/discovery.md). */
  meta?: Record<string, string>;
  /** The service's own readiness (e.g. its HTTP server listens); registration waits until it is true. */
  check?: () => boolean | Promise<boolean>;
  /**
   * Ask `check` again before each TTL update, as a wrapper probing a daemon does (docs/exec.md):
   * while it fails, no update is sent, the TTL lapses and Consul marks the instance critical;
   * once it passes again, the service registers again. Default false (checked once, at start).
   */
  recheck?: boolean;
  /** Where Consul is; located like the loader's, else `http://consul:8500`. */
  consul?: ConsulOptions;
  /** Where the `WAZO_CONSUL_*` variables are read; default `process.env`. */
  env?: Env;
  logger?: Logger;
  /** Deregister on these signals, then let the signal take its course; default SIGTERM and SIGINT; `[]` for none. */
  deregisterOn?: readonly NodeJS.Signals[];
  /** The network interfaces for the `auto` address; default `os.networkInterfaces()`. */
  networkInterfaces?: () => ReturnType<typeof networkInterfaces>;
}

export type RegistrationState = 'disabled' | 'waiting' | 'registered' | 'stopped';

export interface ServiceRegistration {
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly tags: readonly string[];
  /**
   * Settles once the service is registered, its check passes, and `/v1/health/service/<name>?passing`
   * lists it — what a discovering service sees; Consul's agent syncs the catalog asynchronously,
   * so this may come after the registration itself. At once when disabled.
   */
  readonly registered: Promise<void>;
  state(): RegistrationState;
  /** Stops the TTL updates and deregisters; idempotent. */
  stop(): Promise<void>;
}

/**
 * `advertise_address`, or for `auto` the first IPv4 address of `advertise_address_interface`, then
 * of the interfaces named `eth*` or `en*`, then of `lo`; else 127.0.0.1.
 */
export function advertiseAddress(
  settings: Pick<ServiceDiscoverySettings, 'advertise_address' | 'advertise_address_interface'>,
  interfaces = networkInterfaces(),
): string {
  if (settings.advertise_address !== 'auto') return settings.advertise_address;
  const names = [
    settings.advertise_address_interface,
    ...Object.keys(interfaces).filter((n) => /^(eth|en)/.test(n)),
    'lo',
  ];
  for (const name of names) {
    const address = interfaces[name]?.find((a) => a.family === 'IPv4')?.address;
    if (address) return address;
  }
  return '127.0.0.1';
}

/**
 * Starts registering in the background and returns at once. Throws a ConfigError when the Consul location is invalid.
 */
export function startRegistration(options: RegistrationOptions): ServiceRegistration {
  const { settings, name } = options;
  const logger = options.logger ?? { info: () => {}, warn: () => {}, error: () => {} };
  // node:crypto fetched here, not imported: it is costly to load and only a registration uses it.
  const id = options.id ?? process.getBuiltinModule('node:crypto').randomUUID();
  const address = advertiseAddress(settings, options.networkInterfaces?.());
  const port = settings.advertise_port;
  const tags = [...(options.uuid ? [options.uuid] : []), name, ...settings.extra_tags];
  if (!settings.enabled) {
    logger.debug?.(`${name}: not registering in Consul: service_discovery.enabled is false`);
    return { id, address, port, tags, registered: Promise.resolve(), state: () => 'disabled', stop: async () => {} };
  }
  const session = ConsulSession.open({ ...options.consul, required: true }, options.env ?? process.env);
  const { located } = session;
  if (located.kind === 'invalid') throw new ConfigError(name, located.problems);
  if (located.kind === 'off')
    throw new ConfigError(name, [{ key: 'consul', source: 'service_discovery.enabled', message: located.reason }]);
  const checkId = `service:${id}`;
  const where = `${name} (${id}) at ${address}:${port} in Consul at ${located.location.url}`;
  const abort = new AbortController();
  let state: RegistrationState = 'waiting';
  let markRegistered!: () => void;
  const registered = new Promise<void>((resolve) => (markRegistered = resolve));
  const retry = () => sleep(settings.retry_interval * 1000, abort.signal);

  const register = async (): Promise<boolean> => {
    try {
      const kv = await session.client();
      await kv.registerService({
        name,
        id,
        address,
        port,
        tags,
        meta: options.meta ?? {},
        ttl: `${Math.round(settings.ttl_interval * 1000)}ms`,
      });
      await kv.passCheck(checkId);
      return true;
    } catch (error) {
      if (!abort.signal.aborted)
        logger.warn(
          `${name}: cannot register ${where}: ${(error as Error).message}; retrying in ${settings.retry_interval} s`,
        );
      return false;
    }
  };

  const run = async () => {
    while (!abort.signal.aborted) {
      if (!(await ready(options.check, logger, name))) {
        await retry();
        continue;
      }
      if (abort.signal.aborted || !(await register())) {
        await retry();
        continue;
      }
      state = 'registered';
      logger.info(`${name}: registered ${where}`);
      // Consul's agent syncs the catalog asynchronously: `registered` waits until health shows it passing.
      void visible(await session.client(), name, id, abort.signal, logger).then(markRegistered);
      const still = options.recheck ? () => ready(options.check, logger, name) : undefined;
      await heartbeats(await session.client(), checkId, settings, abort.signal, still, (error) =>
        logger.warn(
          `${name}: the TTL update of ${where} failed: ${error.message}; registering again in ${settings.retry_interval} s`,
        ),
      );
      if (!abort.signal.aborted) {
        state = 'waiting';
        await retry();
      }
    }
  };
  const running = run();

  let stopping: Promise<void> | undefined;
  const signals = options.deregisterOn ?? ['SIGTERM', 'SIGINT'];
  const onSignal = (signal: NodeJS.Signals) => {
    void stop().finally(() => {
      // Nobody else handles it: let the signal do what it would have done without us.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      signals.forEach((s) => process.off(s, onSignal));
      abort.abort();
      await running;
      state = 'stopped';
      try {
        // Consul answers 404 for an ID it does not know (it restarted, or never got the registration): already gone.
        const outcome = await (await session.client()).deregisterService(id);
        logger.info(
          outcome === 'gone'
            ? `${name}: ${where} was not registered (any more): nothing to deregister`
            : `${name}: deregistered ${where}`,
        );
      } catch (error) {
        logger.error(`${name}: cannot deregister ${where}: ${(error as Error).message}`);
      } finally {
        session.close();
      }
    })());
  signals.forEach((s) => process.on(s, onSignal));
  return { id, address, port, tags, registered, state: () => state, stop };
}

/**
 * Resolves once `/v1/health/service/<name>?passing` lists `id` (blocking queries, so at once when
 * it does), or on abort. When the token may not read health, it resolves at once with a warning:
 * registration itself succeeded, only its visibility cannot be confirmed.
 */
async function visible(kv: ConsulClient, name: string, id: string, signal: AbortSignal, logger: Logger): Promise<void> {
  const follower = new HealthFollower(kv, name);
  while (!signal.aborted) {
    try {
      if ((await follower.next(30_000, kv.location.requestTimeoutMs, signal)).some((i) => i.id === id)) return;
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ConsulFailure && error.kind === 'acl') {
        logger.warn(
          `${name}: registered ${id}, but cannot confirm it is visible in Consul health (${error.detail}); the token needs service:read on ${name}`,
        );
        return;
      }
      follower.restart();
      await sleep(1_000, signal);
    }
  }
}

/** The service's own check; one that throws is a failing one. */
async function ready(check: RegistrationOptions['check'], logger: Logger, name: string): Promise<boolean> {
  if (!check) return true;
  try {
    return (await check()) === true;
  } catch (error) {
    logger.warn(`${name}: its readiness check failed: ${(error as Error).message}`);
    return false;
  }
}

/**
 * TTL updates every `refresh_interval` until aborted, until one fails (then `onFailure` and return), or until `still`
 * says not ready.
 */
async function heartbeats(
  kv: ConsulClient,
  checkId: string,
  settings: ServiceDiscoverySettings,
  signal: AbortSignal,
  still: (() => Promise<boolean>) | undefined,
  onFailure: (error: Error) => void,
): Promise<void> {
  while (!signal.aborted) {
    await sleep(settings.refresh_interval * 1000, signal);
    if (signal.aborted) return;
    if (still && !(await still())) {
      onFailure(new Error('the readiness check fails'));
      return;
    }
    try {
      await kv.passCheck(checkId);
    } catch (error) {
      if (!signal.aborted) onFailure(error as Error);
      return;
    }
  }
}
