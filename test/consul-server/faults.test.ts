import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { b64, sleep, startFixture, type Fixture } from './harness.ts';

/** Until the server holds a blocking query: a fixed sleep lost the race on a busy machine (the fault came first). */
async function untilBlocked(f: Fixture): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (f.server.stats().blocking.now === 0) {
    if (performance.now() > deadline) throw new Error('no blocking query reached the server within 10 s');
    await sleep(5);
  }
}

let f: Fixture;
before(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.server.faults.clear();
});
after(async () => {
  await f.close();
});

const get = (path: string): Promise<Response> => fetch(`${f.server.url}${path}`);

describe('faults: connections', () => {
  it('refuseConnections closes the port and open connections; acceptConnections reopens the same port', async () => {
    f.server.kv.put('conn/k', 'v');
    const port = f.server.port;
    assert.equal(((await f.consul.kv.get('conn/k')) as { Value: string }).Value, 'v'); // a pooled keep-alive socket exists
    const e = f.server.kv.get('conn/k')!;
    const blocked = get(`/v1/kv/conn/k?index=${e.modifyIndex}&wait=5s`).then(
      () => 'answered',
      () => 'cut',
    );
    await untilBlocked(f);
    await f.server.faults.refuseConnections();
    assert.equal(await blocked, 'cut');
    await assert.rejects(
      f.consul.kv.get('conn/k'),
      (err: Error & { code?: string }) => err.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(err.message),
    );
    await assert.rejects(get('/v1/status/leader'));
    await f.server.faults.acceptConnections();
    assert.equal(f.server.port, port);
    assert.equal(((await f.consul.kv.get('conn/k')) as { Value: string }).Value, 'v');
  });
});

describe('faults: slow and failing answers', () => {
  it('delay(ms) delays every response; a path narrows it; 0 turns it off', async () => {
    // A delay far above what a loaded machine adds: delayed means at least DELAY, not delayed well under it.
    const DELAY = 1500;
    const timed = async (call: () => Promise<unknown>) => {
      const t0 = performance.now();
      await call();
      return performance.now() - t0;
    };
    f.server.faults.delay(DELAY);
    assert.ok((await timed(() => f.consul.status.leader())) >= DELAY - 5);
    f.server.faults.delay(DELAY, { path: '/v1/kv/' });
    assert.ok((await timed(() => f.consul.status.leader())) < DELAY - 500, 'another path is not delayed');
    assert.ok((await timed(() => f.consul.kv.get('anything'))) >= DELAY - 5);
    f.server.faults.delay(0);
    assert.ok((await timed(() => f.consul.kv.get('anything'))) < DELAY - 500, 'delay(0) turns it off');
  });

  it('failNext(n) answers 500 "No cluster leader" n times, then recovers', async () => {
    f.server.kv.put('fail/k', 'v');
    f.server.faults.failNext(2);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(f.consul.kv.get('fail/k'), (err: Error & { statusCode?: number }) => {
        assert.equal(err.statusCode, 500);
        assert.equal(err.message, 'consul: kv.get: No cluster leader');
        return true;
      });
    }
    assert.equal(((await f.consul.kv.get('fail/k')) as { Value: string }).Value, 'v');
  });

  it('failNext matches a path and method, with a custom status and body', async () => {
    f.server.faults.failNext(1, { path: /^\/v1\/kv\/only-this/, method: 'PUT', status: 503, body: 'overloaded' });
    assert.equal((await get('/v1/kv/only-this')).status, 404); // a GET is not matched
    const res = await fetch(`${f.server.url}/v1/kv/only-this`, { method: 'PUT', body: 'x' });
    assert.equal(res.status, 503);
    assert.equal(await res.text(), 'overloaded');
    assert.equal(f.server.kv.get('only-this'), undefined);
  });

  it('failAll until stopFailing', async () => {
    f.server.faults.failAll({ path: '/v1/status/' });
    for (let i = 0; i < 3; i++) assert.equal((await get('/v1/status/leader')).status, 500);
    assert.equal((await get('/v1/kv/x')).status, 404);
    f.server.faults.stopFailing();
    assert.equal((await get('/v1/status/leader')).status, 200);
  });

  it('setLeader(false): leader is "", RPC endpoints answer 500 No cluster leader', async () => {
    f.server.faults.setLeader(false);
    const leader = await fetch(`${f.server.url}/v1/status/leader`);
    assert.equal(await leader.text(), '""');
    // The same papi quirk as for `false`: an empty string resolves to undefined.
    assert.equal(await f.consul.status.leader(), undefined);
    const res = await get('/v1/kv/x');
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'No cluster leader');
    assert.equal(
      (await fetch(`${f.server.url}/v1/txn`, { method: 'PUT', body: '[{"KV":{"Verb":"get","Key":"x"}}]' })).status,
      500,
    );
    f.server.faults.setLeader(true);
    assert.equal(await f.consul.status.leader(), '127.0.0.1:8300');
  });
});

describe('faults: dropped responses', () => {
  it('mid-body: headers and half the body, then the connection closes', async () => {
    f.server.kv.put('drop/k', 'x'.repeat(200));
    f.server.faults.dropNext(1, { path: '/v1/kv/drop/' });
    const res = await get('/v1/kv/drop/k');
    assert.equal(res.status, 200);
    await assert.rejects(res.text());
    assert.equal((await get('/v1/kv/drop/k')).status, 200, 'only the next one');
  });

  it('mid-body with the consul client: it fails only through its request timeout (papi never sees the close)', async () => {
    f.server.faults.dropNext(1);
    const t0 = performance.now();
    await assert.rejects(f.consul.kv.get({ key: 'drop/k', timeout: 300 } as never), /timed out|timeout/i);
    assert.ok(performance.now() - t0 >= 290);
  });

  it('before-headers: the client sees the socket hang up', async () => {
    f.server.faults.dropNext(1, { phase: 'before-headers' });
    await assert.rejects(f.consul.kv.get('drop/k'), /socket hang up|ECONNRESET/);
    assert.ok(await f.consul.kv.get('drop/k'));
  });
});

describe('faults: transactions and indexes', () => {
  it('failTxnAtOp(k): the ops before k ran, yet nothing is left; the next txn is untouched', async () => {
    f.server.kv.put('tx/existing', 'keep');
    const before = f.server.index();
    const dump = f.server.kv.dump();
    f.server.faults.failTxnAtOp(2);
    const ops = [0, 1, 2, 3, 4].map((i) => ({ KV: { Verb: 'set', Key: `tx/${i}`, Value: b64(String(i)) } }));
    ops.push({ KV: { Verb: 'delete', Key: 'tx/existing', Value: '' } });
    await assert.rejects(
      f.consul.transaction.create(ops as never),
      (err: Error & { response?: { body?: { Errors?: unknown; Results?: unknown } } }) => {
        assert.equal(err.message, 'conflict');
        assert.deepEqual(err.response?.body?.Errors, [
          { OpIndex: 2, What: 'injected fault: transaction failed at this operation' },
        ]);
        assert.equal(err.response?.body?.Results, null);
        return true;
      },
    );
    assert.deepEqual(f.server.kv.dump(), dump);
    assert.equal(f.server.index(), before);
    const ok = await f.consul.transaction.create(ops as never);
    assert.equal(ok.Errors, null);
    assert.deepEqual(f.server.kv.keys('tx/'), ['tx/0', 'tx/1', 'tx/2', 'tx/3', 'tx/4']);
  });

  it('failTxnAtOp waits for a transaction long enough to reach op k', async () => {
    f.server.faults.failTxnAtOp(3, 'boom');
    const short = await fetch(`${f.server.url}/v1/txn`, {
      method: 'PUT',
      body: JSON.stringify([{ KV: { Verb: 'set', Key: 'short', Value: b64('1') } }]),
    });
    assert.equal(short.status, 200);
    const long = await fetch(`${f.server.url}/v1/txn`, {
      method: 'PUT',
      body: JSON.stringify([0, 1, 2, 3].map((i) => ({ KV: { Verb: 'set', Key: `long/${i}`, Value: b64('1') } }))),
    });
    assert.equal(long.status, 409);
    assert.deepEqual(((await long.json()) as { Errors: unknown }).Errors, [{ OpIndex: 3, What: 'boom' }]);
  });

  it('resetIndex: blocked queries are released at once WITHOUT running again (old index); the lower one shows after the next whole wait', async () => {
    const e = f.server.kv.put('reset/k', 'v');
    assert.ok(e.modifyIndex > 5);
    const pending = get(`/v1/kv/reset/k?index=${e.modifyIndex}&wait=5s`);
    await untilBlocked(f);
    const t0 = performance.now();
    f.server.faults.resetIndex(3);
    const res = await pending;
    assert.ok(performance.now() - t0 < 2_500, 'released well before its 5 s wait');
    assert.equal(res.headers.get('x-consul-index'), String(e.modifyIndex), 'the answer it had, old index included');
    // The same request again blocks its whole wait (3 is not past the index it asks for), then answers 3.
    const t1 = performance.now();
    const next = await get(`/v1/kv/reset/k?index=${e.modifyIndex}&wait=300ms`);
    assert.ok(performance.now() - t1 >= 290, 'blocked for its wait');
    assert.equal(next.headers.get('x-consul-index'), '3');
    assert.equal(f.server.index(), 3);
    assert.equal(f.server.kv.get('reset/k')!.modifyIndex, 3);
    // Writes go on from the lower index.
    assert.equal(f.server.kv.put('reset/k', 'w').modifyIndex, 4);
  });

  it('resetIndex: node-consul watch resets to index 0 and reports a change (after one more wait)', async () => {
    f.server.kv.put('reset/w', 'v');
    const w = f.consul.watch({ method: f.consul.kv.get, options: { key: 'reset/w', wait: '2s' } });
    const seen: string[] = [];
    let onChange: () => void = () => undefined;
    w.on('change', (_data: unknown, res: { headers: Record<string, string> }) => {
      seen.push(res.headers['x-consul-index']!);
      onChange();
    });
    w.on('error', () => undefined);
    try {
      await new Promise<void>((r) => (onChange = r));
      const high = Number(seen[0]);
      const changed = new Promise<void>((r) => (onChange = r));
      f.server.faults.resetIndex(2);
      await changed;
      assert.ok(high > 2);
      assert.equal(seen[1], '2');
    } finally {
      w.end();
    }
  });
});
