/**
 * The test server at scale (test/consul-server/README.md "At scale"): 1,000 blocking queries held
 * at once by one process, all woken by one write, with nothing left behind; reads counted by
 * consistency mode; a restart that drops every connection and comes back with its index reset.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startConsulServer, type ConsulTestServer } from './server.ts';

const WATCHERS = 1_000;

interface Answer {
  status: number;
  index: number;
  body: string;
}

/** One GET on `agent`; rejects on a cut connection. */
function get(server: ConsulTestServer, agent: Agent, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, index: Number(res.headers['x-consul-index']), body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the test server at scale', () => {
  let server: ConsulTestServer;
  // One socket per blocking query, as a thousand watchers in as many processes hold.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  before(async () => {
    server = await startConsulServer({ maxRecordedRequests: 0, blocking: { jitterFraction: 0 } });
    for (let s = 0; s < 10; s++) for (let k = 0; k < 20; k++) server.kv.put(`config/svc-${s}/key-${k}`, `value ${k}`);
  });
  after(async () => {
    agent.destroy();
    await server.close();
  });

  it('holds 1,000 blocking queries at once in bounded memory, wakes those of the prefix written, and leaves nothing behind', async () => {
    const index = server.index();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const pending = Array.from({ length: WATCHERS }, (_, n) =>
      get(server, agent, `/v1/kv/config/svc-${n % 10}/?recurse&stale&index=${index}&wait=60s`),
    );
    await until('1,000 blocked queries', () => server.stats().blocking.now === WATCHERS);
    const heapPerQuery = (process.memoryUsage().heapUsed - heapBefore) / WATCHERS;
    // Client and server sides both count here; a leak of the body or of the recorded requests would show.
    assert.ok(heapPerQuery < 64 * 1024, `${Math.round(heapPerQuery)} bytes of heap per blocked query`);
    assert.ok(server.stats().connections.now >= WATCHERS);

    server.kv.put('config/svc-3/key-0', 'changed');
    const woken = pending.filter((_, n) => n % 10 === 3);
    const answers = await Promise.all(woken);
    assert.equal(answers.length, 100);
    assert.ok(
      answers.every((a) => a.status === 200 && a.index === index + 1 && a.body.includes('"config/svc-3/key-0"')),
    );
    // Every write wakes every query to run it again; those of other prefixes stay blocked.
    await until('the others blocked again', () => server.stats().blocking.now === WATCHERS - 100);
    assert.equal(server.stats().blocking.most, WATCHERS);

    server.kv.put('config/svc-other/x', '1'); // wakes every one of them without answering them
    server.faults.resetIndex(index); // releases the rest, as a restore does
    const rest = await Promise.all(pending);
    assert.equal(rest.filter((a) => a.status === 200).length, WATCHERS);
    assert.equal(server.stats().blocking.now, 0, 'no listener left behind');
  });

  it('counts reads by consistency mode (not writes)', async () => {
    server.resetStats();
    await get(server, agent, '/v1/kv/config/svc-1/?recurse&stale');
    await get(server, agent, '/v1/kv/config/svc-1/?recurse&stale');
    await get(server, agent, '/v1/kv/config/svc-1/?recurse');
    await get(server, agent, '/v1/kv/config/svc-1/?recurse&consistent');
    await get(server, agent, '/v1/health/service/web?stale');
    server.kv.put('config/svc-1/key-0', 'written directly, not counted');
    const stats = server.stats();
    assert.deepEqual(stats.reads, { stale: 3, default: 1, consistent: 1 });
    assert.equal(stats.requests, 5);
  });

  it('restarts: every connection dropped, blocked queries cut, refused while down, back with its index reset and its data', async () => {
    const index = server.index();
    const blocked = Array.from({ length: 50 }, () =>
      get(server, agent, `/v1/kv/config/svc-2/?recurse&index=${index}&wait=60s`).then(
        () => 'answered',
        (error: NodeJS.ErrnoException) => error.code ?? String(error),
      ),
    );
    await until('50 blocked queries', () => server.stats().blocking.now === 50);
    let refused: string | undefined;
    const restarting = server.faults.restart({ downMs: 300 });
    await until('connections refused', () => server.faults.connectionsRefused);
    await get(server, new Agent(), '/v1/kv/config/svc-2/?recurse').catch(
      (error: NodeJS.ErrnoException) => (refused = error.code),
    );
    assert.equal(refused, 'ECONNREFUSED');
    const outcomes = await Promise.all(blocked);
    assert.ok(
      outcomes.every((o) => o === 'ECONNRESET' || o === 'socket hang up' || o === 'Error: socket hang up'),
      outcomes.join(', '),
    );
    await restarting;
    const back = await get(server, agent, '/v1/kv/config/svc-2/?recurse');
    assert.equal(back.status, 200);
    assert.equal(back.index, 1, 'the index starts over');
    assert.equal((JSON.parse(back.body) as unknown[]).length, 20, 'the data is kept');
    assert.equal(server.stats().restarts, 1);
    assert.equal(server.stats().blocking.now, 0);
  });
});
