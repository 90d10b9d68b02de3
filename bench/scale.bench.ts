/**
 * The scale simulation (docs/scale.md): 1,000 watchers — 10 services × 100 instances, each a
 * loadConfig then a watchConfig, in 4 processes — against one Consul-compatible test server.
 * Measured: the idle request rate and memory per watcher; one write to a prefix watched by 100
 * instances, until each and all got it; a server restart (connections dropped, index reset,
 * writes made while it was down), reconnects per second and the time until every watcher holds
 * what KV holds; the reads a leader must answer with and without maxStale. Twice: with this
 * runtime's defaults (maxStale 2 s, first retry spread over 5 s) and as before them (every read
 * to the leader, first retry within 250 ms).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { encode } from '../generator/runtime/codec.ts';
import { startConsulServer, type ConsulTestServer, type ServerStats } from '../test/consul-server/server.ts';
import { REPO } from './project.ts';
import { serviceSpec, WATCHED_SETTING, type FromWatchers, type StartMessage } from './scale-watchers.ts';
import type { Bench, Table } from './section.ts';
import { formatMs } from './stats.ts';

const SERVICES = 10;
const INSTANCES = 100;
const PROCESSES = 4;
const WATCHERS = SERVICES * INSTANCES;
/** The blocking wait: short, so that the idle rate shows in seconds (the default is 60 s). */
const WAIT_MS = 5_000;
const IDLE_MS = 15_000;
const WRITES = 5;
const DOWN_MS = 2_000;
/** A follower this far behind its leader answers the stale reads: within the default maxStale. */
const FOLLOWER_LAG_MS = 50;

interface Scenario {
  name: string;
  maxStale: string;
  firstRetrySpreadMs: number | undefined;
}

const SCENARIOS: Scenario[] = [
  { name: 'defaults (maxStale 2 s, first retry over 5 s)', maxStale: '2s', firstRetrySpreadMs: undefined },
  { name: 'as before (maxStale 0, first retry within 250 ms)', maxStale: '0', firstRetrySpreadMs: 250 },
];

interface Result {
  scenario: Scenario;
  startMs: number;
  idle: ServerStats;
  heapPerWatcher: number;
  /** Per write: each watcher's latency, in ms. */
  writes: number[][];
  restart: { perSecond: number[]; allBackMs: number; consistentMs: number; different: number };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))]!;
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`scale bench: timed out waiting for ${what}`);
    await sleep(20);
  }
}

class Fleet {
  readonly children: ChildProcess[] = [];
  readonly ready: { heapPerWatcher: number }[] = [];
  listener: (message: FromWatchers) => void = () => undefined;

  constructor(server: ConsulTestServer, scenario: Scenario) {
    for (let p = 0; p < PROCESSES; p++) {
      const child = fork(join(REPO, 'bench/scale-watchers.ts'), [], {
        execArgv: ['--conditions=wazo-config-source', '--import', 'tsx', '--expose-gc'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (message: FromWatchers) => {
        if (message.type === 'ready') this.ready.push(message);
        this.listener(message);
      });
      const start: StartMessage = {
        type: 'start',
        url: server.url,
        // Each process holds instances of every service, as hosts run several daemons.
        watchers: Array.from({ length: WATCHERS / PROCESSES }, (_, n) => {
          const id = p * (WATCHERS / PROCESSES) + n;
          return { id, service: id % SERVICES };
        }),
        blockingWaitMs: WAIT_MS,
        maxStale: scenario.maxStale,
        firstRetrySpreadMs: scenario.firstRetrySpreadMs,
      };
      child.send(start);
      this.children.push(child);
    }
  }

  /** Every watcher's current value of the watched setting. */
  async values(): Promise<Map<number, number>> {
    const values = new Map<number, number>();
    let answered = 0;
    const previous = this.listener;
    this.listener = (message) => {
      if (message.type !== 'values') return previous(message);
      for (const [id, value] of message.values) values.set(id, value);
      answered++;
    };
    for (const child of this.children) child.send({ type: 'values' });
    await until('the watchers’ values', () => answered === this.children.length, 30_000);
    this.listener = previous;
    return values;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.send({ type: 'stop' });
            setTimeout(() => child.kill(), 10_000).unref();
          }),
      ),
    );
  }
}

const key = (service: number) => `${serviceSpec(service).consulPrefix}/${WATCHED_SETTING}`;

async function simulate(server: ConsulTestServer, scenario: Scenario): Promise<Result> {
  let value = 100;
  for (let s = 0; s < SERVICES; s++) server.kv.put(key(s), String(value));
  const started = now();
  const fleet = new Fleet(server, scenario);
  try {
    // Generous: on a busy machine, starting 4 processes and 1,000 loaders takes minutes.
    await until('every watcher ready', () => fleet.ready.length === PROCESSES, 600_000);
    const startMs = now() - started;
    await until('every watcher blocked', () => server.stats().blocking.now >= WATCHERS, 30_000);

    // Idle: nothing written; one blocking query per watcher per wait period.
    server.resetStats();
    await sleep(IDLE_MS);
    const idle = server.stats();

    // One write to a prefix that 100 instances watch: when did each get it?
    const writes: number[][] = [];
    for (let w = 0; w < WRITES; w++) {
      const written = ++value;
      const got: number[] = [];
      let at = 0;
      fleet.listener = (m) => void (m.type === 'change' && m.value === written && got.push(m.at - at));
      at = now();
      server.kv.put(key(3), String(written));
      await until(`the write to svc-3 at all ${INSTANCES} instances`, () => got.length === INSTANCES, 30_000);
      writes.push(got);
      await sleep(300);
    }

    // A restart: every connection cut, down for DOWN_MS, back with its index reset; every prefix
    // written while it was down.
    const reconnects: number[] = [];
    const back = new Set<number>();
    const changed = new Set<number>();
    const target = ++value;
    fleet.listener = (m) => {
      if (m.type === 'reconnected') {
        reconnects.push(m.at);
        back.add(m.id);
      }
      if (m.type === 'change' && m.value === target) changed.add(m.id);
    };
    const cut = now();
    const restarting = server.faults.restart({ downMs: DOWN_MS });
    await sleep(DOWN_MS / 4);
    for (let s = 0; s < SERVICES; s++) server.kv.put(key(s), String(target));
    await restarting;
    await until('every watcher back and changed', () => back.size === WATCHERS && changed.size === WATCHERS, 60_000);
    const allBackMs = Math.max(...reconnects) - cut;
    const consistentMs = now() - cut;
    // No watcher may end different from KV: ask each for what it holds, after a further wait.
    await sleep(1_000);
    const held = await fleet.values();
    const different = [...held.values()].filter((v) => v !== target).length + (WATCHERS - held.size);
    const perSecond = Array.from({ length: Math.ceil(allBackMs / 1000) }, () => 0);
    for (const at of reconnects) perSecond[Math.floor((at - cut) / 1000)]!++;
    const heapPerWatcher = fleet.ready.reduce((sum, r) => sum + r.heapPerWatcher, 0) / PROCESSES;
    if (different > 0) throw new Error(`scale bench: ${different} watchers ended different from KV after the restart`);
    return {
      scenario,
      startMs,
      idle,
      heapPerWatcher,
      writes,
      restart: { perSecond, allBackMs, consistentMs, different },
    };
  } finally {
    await fleet.stop();
  }
}

/** An idle answer on the wire: the whole prefix (the service's defaults, as `seed --defaults` writes), headers too. */
async function idleAnswerBytes(server: ConsulTestServer): Promise<number> {
  const res = await fetch(`${server.url}/v1/kv/${serviceSpec(0).consulPrefix}/?recurse&stale`);
  const body = await res.arrayBuffer();
  const headers = [...res.headers].reduce((sum, [name, v]) => sum + name.length + v.length + 4, 0);
  return body.byteLength + headers + 'HTTP/1.1 200 OK\r\n\r\n'.length;
}

const bench: Bench = {
  name: 'scale',
  order: 70,
  async run() {
    const server = await startConsulServer({ maxRecordedRequests: 0, follower: { lastContactMs: FOLLOWER_LAG_MS } });
    try {
      // Every service's prefix holds its defaults, as after `wazo-config seed --defaults`.
      for (let s = 0; s < SERVICES; s++) {
        for (const setting of serviceSpec(s).settings)
          if (setting.default !== undefined) server.kv.put(setting.consulKey, encode(setting.default, setting));
      }
      const answerBytes = await idleAnswerBytes(server);
      const results: Result[] = [];
      for (const scenario of SCENARIOS) {
        server.resetStats();
        results.push(await simulate(server, scenario));
      }
      return section(results, answerBytes);
    } finally {
      await server.close();
    }
  },
};

function section(results: Result[], answerBytes: number) {
  const all = (r: Result) => r.writes.flat();
  const lastOfEach = (r: Result) => r.writes.map((w) => Math.max(...w));
  const leaderShare = (s: ServerStats) => {
    const total = s.reads.stale + s.reads.default + s.reads.consistent;
    return `${s.reads.default + s.reads.consistent} of ${total} (${(((s.reads.default + s.reads.consistent) / total) * 100).toFixed(0)} %)`;
  };
  const expectedRate = WATCHERS / ((WAIT_MS * (1 + 1 / 32)) / 1000);
  const idleTable: Table = {
    columns: [
      'runtime',
      'start (1,000 loads + watches)',
      `idle requests/s (wait ${WAIT_MS / 1000} s)`,
      'heap per watcher',
      'reads the leader answers (idle)',
    ],
    numeric: [1, 2, 3],
    rows: results.map((r) => [
      r.scenario.name,
      formatMs(r.startMs),
      (r.idle.requests / (IDLE_MS / 1000)).toFixed(0),
      `${(r.heapPerWatcher / 1024).toFixed(0)} KiB`,
      leaderShare(r.idle),
    ]),
  };
  const writeTable: Table = {
    columns: ['runtime', 'write → each instance p50', 'p99', 'until all 100 got it, p50', 'worst'],
    numeric: [1, 2, 3, 4],
    rows: results.map((r) => [
      r.scenario.name,
      formatMs(percentile(all(r), 0.5)),
      formatMs(percentile(all(r), 0.99)),
      formatMs(percentile(lastOfEach(r), 0.5)),
      formatMs(Math.max(...lastOfEach(r))),
    ]),
  };
  const seconds = Math.max(...results.map((r) => r.restart.perSecond.length));
  const restartTable: Table = {
    columns: ['reconnects in second', ...results.map((r) => r.scenario.name)],
    numeric: results.map((_, n) => n + 1),
    rows: [
      ...Array.from({ length: seconds }, (_, s) => [
        `${s}-${s + 1} s`,
        ...results.map((r) => String(r.restart.perSecond[s] ?? 0)),
      ]),
      ['all back', ...results.map((r) => formatMs(r.restart.allBackMs))],
      ['all consistent with KV', ...results.map((r) => formatMs(r.restart.consistentMs))],
      ['different from KV', ...results.map((r) => String(r.restart.different))],
    ],
  };
  return {
    title: 'Scale: 1,000 watchers on one Consul',
    intro: [
      `${WATCHERS} watchers — ${SERVICES} services × ${INSTANCES} instances, each a \`loadConfig\` then a \`watchConfig\` (the generated wazo-webhookd loader under \`config/svc-N\`, ${serviceSpec(0).settings.length} keys seeded), ` +
        `in ${PROCESSES} processes — against one Consul-compatible test server acting as a follower ${FOLLOWER_LAG_MS} ms behind its leader. ` +
        `Blocking wait ${WAIT_MS / 1000} s (the default is 60 s), quiescence off. Idle over ${IDLE_MS / 1000} s: ` +
        `expected ≈ watchers ÷ (wait × 1.03, Consul's jitter) = ${expectedRate.toFixed(0)} requests/s. ` +
        `Writes: ${WRITES} writes to one prefix watched by ${INSTANCES} instances. Restart: every connection cut, ${DOWN_MS / 1000} s down, back with its index reset to 1, ` +
        'every prefix written while it was down; reconnects per second after the cut (a reconnect is the first answer after a failure). See docs/scale.md.',
    ],
    tables: [idleTable, writeTable, restartTable],
    notes: [
      `An idle answer carries the whole prefix: ${answerBytes} bytes on the wire for ${serviceSpec(0).settings.length} keys.`,
      'No watcher ended different from KV after the restart (the bench fails otherwise): each came back, read its prefix from index 0, and took the value written while the server was down.',
      '"Reads the leader answers": reads without `?stale` (the default mode) and `?consistent` ones; with maxStale a follower within it answers the rest, and the leader only the answers found too stale.',
    ],
  };
}

export default bench;
