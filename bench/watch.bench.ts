/**
 * watchConfig: write → change-event latency (p50/p99) and the idle request rate, for a service of
 * 1 and of 1,000 watched keys, against the Consul-compatible test server behind a counting TCP
 * proxy, which shows one connection per service.
 */
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { encode } from '../generator/runtime/codec.ts';
import { watch, type JsonObject, type LoadOptions, type WatchOptions } from '../generator/runtime/index.ts';
import { startConsulServer, type ConsulTestServer } from '../test/consul-server/server.ts';
import { loadFixtures, silent, type LoadFixture } from './load-config.ts';
import type { Bench } from './section.ts';
import { formatMs, summarise } from './stats.ts';

/** Writes are spaced so that each one meets an idle watcher (the rate limit refills one query per 250 ms). */
const GAP_MS = 300;
const SAMPLES = { immediate: 60, quiesced: 10 };
const IDLE = { waitMs: 1_000, forMs: 6_000 };

interface Proxy {
  url: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** Bytes sent from Consul to the clients so far. */
  bytesDown: number;
  close(): Promise<void>;
}

/** A TCP proxy in front of the server that counts connections and bytes. */
async function countingProxy(target: ConsulTestServer): Promise<Proxy> {
  const proxy: Proxy = { url: '', connections: 0, bytesDown: 0, close: async () => undefined };
  const server: Server = createServer((client) => {
    proxy.connections++;
    const upstream = connect(target.port, target.host);
    upstream.on('data', (chunk: Buffer) => (proxy.bytesDown += chunk.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => server.close(() => resolve()));
  return proxy;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Measured {
  keys: number;
  immediate: number[];
  quiesced: number[];
  idleQueries: number;
  idleBytesPerAnswer: number;
  /** TCP connections each watcher opened (three watchers: two latency runs, one idle run). */
  connections: number[];
  queriesPerWrite: number;
}

async function measure(fixture: LoadFixture, server: ConsulTestServer, proxy: Proxy): Promise<Measured> {
  const { service } = fixture.loader;
  for (const setting of service.settings)
    if (setting.default !== undefined) server.kv.put(setting.consulKey, encode(setting.default, setting));
  const leaf = service.settings.find((s) => s.mutable && s.types.includes('string'))!;
  const options: LoadOptions = {
    configFile: false,
    configDir: false,
    env: {},
    logger: silent,
    consul: { url: proxy.url },
  };
  const watchOptions: WatchOptions<JsonObject> = { ...options, sighup: false, restart: 'emit' };
  const config = await fixture.loader.loadConfig(options);
  const connections: number[] = [];
  let arrived: ((value: string) => void) | undefined;
  let writes = 0;
  const queriesBefore = server.requests.length;

  const latencies = async (wait: WatchOptions<JsonObject>['wait'], samples: number): Promise<number[]> => {
    const opened = proxy.connections;
    const watcher = watch(
      service,
      config,
      { change: (e) => arrived?.(String(e.changes.find((c) => c.setting === leaf)?.newValue)) },
      { ...watchOptions, wait },
    );
    await watcher.ready;
    const times: number[] = [];
    for (let n = 0; n < samples; n++) {
      await sleep(GAP_MS);
      const value = `written-${writes++}`;
      const seen = new Promise<void>((resolve) => (arrived = (v) => v === value && resolve()));
      const start = performance.now();
      server.kv.put(leaf.consulKey, value);
      await seen;
      times.push(performance.now() - start);
    }
    await watcher.close();
    connections.push(proxy.connections - opened);
    return times;
  };
  const immediate = await latencies({ minMs: 0 }, SAMPLES.immediate);
  const quiesced = await latencies(undefined, SAMPLES.quiesced);
  const queriesPerWrite = (server.requests.length - queriesBefore) / writes;

  // Idle: nothing changes; one query per wait period, whatever the number of keys.
  const opened = proxy.connections;
  const watcher = watch(service, config, {}, { ...watchOptions, blockingWaitMs: IDLE.waitMs });
  await watcher.ready;
  const [requests, bytes] = [server.requests.length, proxy.bytesDown];
  await sleep(IDLE.forMs);
  const idleQueries = server.requests.length - requests;
  const idleBytesPerAnswer = (proxy.bytesDown - bytes) / Math.max(1, idleQueries);
  await watcher.close();
  connections.push(proxy.connections - opened);
  server.kv.delete(`${service.consulPrefix}/`, { recurse: true });
  return {
    keys: service.settings.length,
    immediate,
    quiesced,
    idleQueries,
    idleBytesPerAnswer,
    connections,
    queriesPerWrite,
  };
}

const bench: Bench = {
  name: 'watch',
  order: 60,
  async run() {
    // Consul's own blocking timings: a query waits up to its `wait` (capped at 10 min), plus jitter.
    const server = await startConsulServer({ maxRecordedRequests: 100_000 });
    const proxy = await countingProxy(server);
    const { project, fixtures } = await loadFixtures([1, 1000]);
    try {
      const results: Measured[] = [];
      for (const fixture of fixtures) results.push(await measure(fixture, server, proxy));
      const p = (samples: number[]) => summarise(samples);
      const p99 = (samples: number[]) =>
        [...samples].sort((a, b) => a - b)[Math.min(samples.length - 1, Math.ceil(samples.length * 0.99) - 1)]!;
      return {
        title: 'Consul: watching for changes',
        intro: [
          'A watcher (`watchConfig`, generated loader of a synthetic service) on the Consul-compatible test server, reached through a TCP proxy that counts connections and bytes. ' +
            `Latency: from \`kv put\` of a mutable key to the \`change\` event, the whole configuration re-read and re-validated; writes ${GAP_MS} ms apart, ` +
            `${SAMPLES.immediate} with quiescence off (\`wait: { minMs: 0 }\`), ${SAMPLES.quiesced} with the default \`wait\` (min 500 ms, max 5 s). ` +
            `Idle: ${IDLE.forMs / 1000} s with nothing written and a ${IDLE.waitMs / 1000} s blocking wait (the default is 60 s).`,
        ],
        tables: [
          {
            columns: [
              'watched keys',
              'write → change p50',
              'p99',
              'with default quiescence p50',
              'p99',
              'queries per write',
            ],
            numeric: [0, 1, 2, 3, 4, 5],
            rows: results.map((r) => [
              String(r.keys),
              formatMs(p(r.immediate).median),
              formatMs(p99(r.immediate)),
              formatMs(p(r.quiesced).median),
              formatMs(p99(r.quiesced)),
              r.queriesPerWrite.toFixed(2),
            ]),
          },
          {
            columns: [
              'watched keys',
              `idle queries in ${IDLE.forMs / 1000} s (wait ${IDLE.waitMs / 1000} s)`,
              'queries per wait period',
              'bytes per idle answer',
              'TCP connections per watcher',
            ],
            numeric: [0, 1, 2, 3, 4],
            rows: results.map((r) => [
              String(r.keys),
              String(r.idleQueries),
              (r.idleQueries / (IDLE.forMs / IDLE.waitMs)).toFixed(2),
              String(Math.round(r.idleBytesPerAnswer)),
              r.connections.join(', '),
            ]),
          },
        ],
        notes: [
          'One blocking query per service, on its whole prefix, whatever the number of keys: idle, one query per wait period (one a minute at the default 60 s wait); a write costs about one query.',
          'An idle answer (the wait timing out) carries the whole prefix, so its size grows with the keys: at the 60 s default, about that many bytes a minute.',
          'Each watcher (three per row: two latency runs and the idle run) kept to one TCP connection for all its queries (keep-alive), counted at the proxy.',
          'With quiescence on, the latency is the quiet time (500 ms) plus the pipeline: a burst of writes gives one event.',
        ],
      };
    } finally {
      project.dispose();
      await proxy.close();
      await server.close();
    }
  },
};

export default bench;
