/**
 * Helpers of the watch tests: a watcher on the generated wazo-webhookd loader against the test server, its events,
 * waiting.
 */
import * as webhookd from '../../generated/wazo-webhookd/config.ts';
import type { WatchEvent, Watcher, WatchHandlers, WatchOptions } from '../../generator/runtime/index.ts';
import type { ConsulTestServer } from '../consul-server/server.ts';
import { memoryLogger } from '../helpers.ts';

export const PREFIX = 'config/wazo-webhookd';

/** Small delays everywhere, so that each test takes a fraction of a second. */
export function fastOptions(
  server: ConsulTestServer | undefined,
  extra: WatchOptions<webhookd.Config> = {},
): WatchOptions<webhookd.Config> & { logger: ReturnType<typeof memoryLogger> } {
  return {
    configFile: false,
    configDir: false,
    env: server ? { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) } : {},
    consul: { file: false, requestTimeoutMs: 1_000, waitTimeoutMs: 2_000 },
    wait: { minMs: 30, maxMs: 150 },
    backoff: { initialMs: 20, maxMs: 200 },
    rateLimit: { burst: 2, intervalMs: 10 },
    blockingWaitMs: 1_000,
    restart: 'emit',
    sighup: false,
    // These tests are about the KV prefix; following discovered addresses is tested in test/discovery.
    discover: false,
    ...extra,
    logger: memoryLogger(),
  };
}

export interface Watched {
  config: webhookd.Config;
  watcher: Watcher<webhookd.Config>;
  events: WatchEvent<webhookd.Config>[];
  logger: ReturnType<typeof memoryLogger>;
  of<T extends WatchEvent<webhookd.Config>['type']>(type: T): Extract<WatchEvent<webhookd.Config>, { type: T }>[];
}

/** loadConfig, then watchConfig with the same options, every event recorded; resolves once the watcher is ready. */
export async function startWatching(
  server: ConsulTestServer | undefined,
  extra: WatchOptions<webhookd.Config> = {},
  also: WatchHandlers<webhookd.Config> = {},
): Promise<Watched> {
  const options = fastOptions(server, extra);
  const config = await webhookd.loadConfig(options);
  const events: WatchEvent<webhookd.Config>[] = [];
  const record = (e: WatchEvent<webhookd.Config>) => {
    events.push(e);
    return (also[e.type] as ((e: WatchEvent<webhookd.Config>) => void) | undefined)?.(e);
  };
  const watcher = webhookd.watchConfig(
    config,
    { change: record, restartRequired: record, invalid: record, error: record, reconnected: record },
    options,
  );
  await watcher.ready;
  const of = <T extends WatchEvent<webhookd.Config>['type']>(type: T) =>
    events.filter((e): e is Extract<WatchEvent<webhookd.Config>, { type: T }> => e.type === type);
  return { config, watcher, events, logger: options.logger, of };
}

/** Polls `check` until it holds, or fails after `timeoutMs` with `what`. */
export async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
