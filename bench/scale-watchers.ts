/**
 * One process of the scale simulation (scale.bench.ts): a few hundred service instances, each a
 * `loadConfig` then a `watchConfig` of its service's prefix, as many Wazo daemons on one host do.
 * The services are the generated wazo-webhookd loader under other prefixes (`config/svc-N`). It
 * tells the bench, over IPC, each change of the watched key, each reconnect, and on request its
 * heap per watcher and every watcher's current value.
 */
import { service as webhookd } from '../generated/wazo-webhookd/config.ts';
import { load, watch, type JsonObject, type ServiceSpec, type Watcher } from '../generator/runtime/index.ts';
import { silent } from './load-config.ts';

/** The mutable setting the bench writes and compares: an integer, so every write can be told apart. */
export const WATCHED_SETTING = 'hook_max_attempts';

export interface StartMessage {
  type: 'start';
  url: string;
  /** Watcher id → its service number. */
  watchers: { id: number; service: number }[];
  blockingWaitMs: number;
  /** `WAZO_CONSUL_MAX_STALE`. */
  maxStale: string;
  /** `backoff.firstRetrySpreadMs`; undefined: the default. */
  firstRetrySpreadMs: number | undefined;
}

export type FromWatchers =
  | { type: 'ready'; heapPerWatcher: number }
  | { type: 'change'; id: number; value: number; at: number }
  | { type: 'lost'; id: number; at: number }
  | { type: 'reconnected'; id: number; at: number }
  | { type: 'values'; values: [number, number][] };

export function serviceSpec(n: number): ServiceSpec {
  const prefix = `config/svc-${n}`;
  return {
    ...webhookd,
    name: `svc-${n}`,
    consulPrefix: prefix,
    settings: webhookd.settings.map((s) => ({ ...s, consulKey: s.consulKey.replace(webhookd.consulPrefix, prefix) })),
  };
}

const now = () => performance.timeOrigin + performance.now();
const send = (message: FromWatchers): void => void process.send!(message);

/** The heap after a full collection (the process runs with --expose-gc): what the watchers keep, not what they left. */
function heap(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function start(message: StartMessage): Promise<Watcher<JsonObject>[]> {
  const url = new URL(message.url);
  const env = { WAZO_CONSUL_HOST: url.hostname, WAZO_CONSUL_PORT: url.port, WAZO_CONSUL_MAX_STALE: message.maxStale };
  const specs = new Map<number, ServiceSpec>();
  const before = heap();
  const watchers: Watcher<JsonObject>[] = [];
  for (const { id, service } of message.watchers) {
    if (!specs.has(service)) specs.set(service, serviceSpec(service));
    const spec = specs.get(service)!;
    const options = {
      configFile: false as const,
      configDir: false as const,
      env,
      logger: silent,
      consul: { file: false as const },
    };
    const config = await load<JsonObject>(spec, options);
    const watcher = watch(
      spec,
      config,
      {
        change: () => send({ type: 'change', id, value: config[WATCHED_SETTING] as number, at: now() }),
        error: (e) => void (e.attempt === 1 && send({ type: 'lost', id, at: now() })),
        reconnected: () => send({ type: 'reconnected', id, at: now() }),
      },
      {
        ...options,
        blockingWaitMs: message.blockingWaitMs,
        // The propagation itself: quiescence would add its 500 ms to every change.
        wait: { minMs: 0 },
        ...(message.firstRetrySpreadMs === undefined
          ? {}
          : { backoff: { firstRetrySpreadMs: message.firstRetrySpreadMs } }),
        restart: 'emit',
        sighup: false,
        discover: false,
      },
    );
    watchers.push(watcher);
  }

  await Promise.all(watchers.map((w) => w.ready));
  const after = heap();
  send({
    type: 'ready',
    heapPerWatcher: (after - before) / watchers.length,
  });
  return watchers;
}

let watchers: Watcher<JsonObject>[] = [];
let ids: number[] = [];
process.on('message', (message: StartMessage | { type: 'values' } | { type: 'stop' }) => {
  if (message.type === 'start') {
    ids = message.watchers.map((w) => w.id);
    void start(message).then((started) => (watchers = started));
  } else if (message.type === 'values') {
    send({ type: 'values', values: watchers.map((w, n) => [ids[n]!, w.config[WATCHED_SETTING] as number]) });
  } else {
    void Promise.all(watchers.map((w) => w.close())).then(() => process.exit(0));
  }
});
