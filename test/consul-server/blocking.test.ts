import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { blockingTimeout, CONSUL_BLOCKING_DEFAULTS } from './blocking.ts';
import { parseGoDuration } from './go-duration.ts';
import { sleep, startFixture, type Fixture } from './harness.ts';

const DEFAULT_MS = 1500;
const MAX_MS = 3000;

let f: Fixture;
before(async () => {
  // The default and the cap far apart from each other and from the waits the tests give, so that
  // each bound below has room on a loaded machine and still tells which rule answered.
  f = await startFixture({ blocking: { defaultQueryTime: DEFAULT_MS, maxQueryTime: MAX_MS, jitterFraction: 0 } });
});
after(async () => {
  await f.close();
});
beforeEach(() => {
  f.server.kv.delete('', { recurse: true });
});

interface Timed {
  status: number;
  index: number;
  body: string;
  ms: number;
}

async function timedGet(path: string, signal?: AbortSignal): Promise<Timed> {
  const t0 = performance.now();
  const res = await fetch(`${f.server.url}${path}`, { signal });
  const body = await res.text();
  return { status: res.status, index: Number(res.headers.get('x-consul-index')), body, ms: performance.now() - t0 };
}

/** Resolves to 'pending' if `p` has not settled after `ms`. */
async function stillPending<T>(p: Promise<T>, ms: number): Promise<boolean> {
  return (await Promise.race([p.then(() => 'settled'), sleep(ms).then(() => 'pending')])) === 'pending';
}

describe('blocking queries on KV', () => {
  it('index=0 (or absent) answers at once, whatever the wait', async () => {
    f.server.kv.put('k', 'v');
    const r = await timedGet('/v1/kv/k?index=0&wait=10s');
    assert.equal(r.status, 200);
    assert.ok(r.ms < 5000, `${r.ms} ms: not well before the 10 s wait`);
  });

  it('returns early when the key changes, with the new index', async () => {
    const e = f.server.kv.put('k', 'v1');
    const pending = timedGet(`/v1/kv/k?index=${e.modifyIndex}&wait=5s`);
    assert.ok(await stillPending(pending, 80));
    const e2 = f.server.kv.put('k', 'v2');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.index, e2.modifyIndex);
    assert.match(r.body, new RegExp(Buffer.from('v2').toString('base64')));
    assert.ok(r.ms < 2500, `${r.ms} ms: not well before the 5 s wait`);
  });

  it('times out at wait and answers the same data and index (no 304)', async () => {
    const e = f.server.kv.put('k', 'v1');
    const r = await timedGet(`/v1/kv/k?index=${e.modifyIndex}&wait=150ms`);
    assert.equal(r.status, 200);
    assert.equal(r.index, e.modifyIndex);
    assert.ok(
      r.ms >= 140 && r.ms < DEFAULT_MS - 300,
      `${r.ms} ms: not the 150 ms wait (the default is ${DEFAULT_MS} ms)`,
    );
  });

  it('no wait → the default query time; a long wait is capped', async () => {
    const e = f.server.kv.put('k', 'v1');
    const dflt = await timedGet(`/v1/kv/k?index=${e.modifyIndex}`);
    assert.ok(
      dflt.ms >= DEFAULT_MS - 10 && dflt.ms < MAX_MS - 300,
      `default ${dflt.ms} ms: not the ${DEFAULT_MS} ms default`,
    );
    const capped = await timedGet(`/v1/kv/k?index=${e.modifyIndex}&wait=10m`);
    assert.ok(capped.ms >= MAX_MS - 10 && capped.ms < 60_000, `capped ${capped.ms} ms: not the ${MAX_MS} ms cap`);
  });

  it('an identical PUT wakes nobody', async () => {
    const e = f.server.kv.put('k', 'same');
    const pending = timedGet(`/v1/kv/k?index=${e.modifyIndex}&wait=200ms`);
    await sleep(30);
    const res = await fetch(`${f.server.url}/v1/kv/k`, { method: 'PUT', body: 'same' });
    assert.equal(await res.text(), 'true');
    const r = await pending;
    assert.equal(r.index, e.modifyIndex);
    assert.ok(r.ms >= 190, `${r.ms}`);
  });

  it('a missing key blocks until it is created; unrelated writes do not release it', async () => {
    f.server.kv.put('unrelated', '0');
    const first = await timedGet('/v1/kv/later');
    assert.equal(first.status, 404);
    const pending = timedGet(`/v1/kv/later?index=${first.index}&wait=2s`);
    await sleep(30);
    f.server.kv.put('unrelated', '1');
    f.server.kv.put('later-but-not-it', '1');
    assert.ok(await stillPending(pending, 80), 'unrelated writes released the missing-key query');
    const created = f.server.kv.put('later', 'now');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.index, created.modifyIndex);
  });

  it('a missing key that stays missing → 404 with the table index at timeout', async () => {
    const first = await timedGet('/v1/kv/never');
    f.server.kv.put('other', 'x');
    const r = await timedGet(`/v1/kv/never?index=${first.index}&wait=100ms`);
    assert.equal(r.status, 404);
    assert.equal(r.index, f.server.kv.tableIndex());
  });

  it('a deletion releases the key query with a 404 and a higher index', async () => {
    const e = f.server.kv.put('k', 'v');
    const pending = timedGet(`/v1/kv/k?index=${e.modifyIndex}&wait=10s`);
    await sleep(30);
    f.server.kv.delete('k');
    const r = await pending;
    assert.equal(r.status, 404);
    assert.ok(r.index > e.modifyIndex);
    assert.ok(r.ms < 5000, `${r.ms} ms: not well before the 10 s wait`);
  });

  it('recurse blocks on changes under the prefix only', async () => {
    f.server.kv.put('svc/a', '1');
    const first = await timedGet('/v1/kv/svc/?recurse');
    const pending = timedGet(`/v1/kv/svc/?recurse&index=${first.index}&wait=2s`);
    await sleep(30);
    f.server.kv.put('elsewhere', '1');
    assert.ok(await stillPending(pending, 80));
    const b = f.server.kv.put('svc/b', '2');
    const r = await pending;
    assert.equal(r.index, b.modifyIndex);
    assert.equal((JSON.parse(r.body) as unknown[]).length, 2);
  });

  it('keys queries block too', async () => {
    f.server.kv.put('ks/a', '1');
    const first = await timedGet('/v1/kv/ks/?keys');
    const pending = timedGet(`/v1/kv/ks/?keys&index=${first.index}&wait=2s`);
    await sleep(30);
    f.server.kv.delete('ks/a');
    const r = await pending;
    assert.equal(r.status, 404);
    assert.ok(r.index > first.index);
  });

  it('a client that goes away frees its blocked query', async () => {
    const e = f.server.kv.put('k', 'v');
    const ac = new AbortController();
    const pending = timedGet(`/v1/kv/k?index=${e.modifyIndex}&wait=5s`, ac.signal).catch((err: Error) => err);
    await sleep(50);
    ac.abort();
    assert.ok((await pending) instanceof Error);
    // Freed: the server goes idle well before the 5 s wait would have ended the query.
    const t0 = performance.now();
    await f.server.idle();
    assert.ok(performance.now() - t0 < 2500, 'the blocked query outlived its client');
  });
});

describe('node-consul watch()', () => {
  it('sees [undefined, "1", "2", "3", undefined] across set, set, set, del', async () => {
    const changes: unknown[] = [];
    const errors: Error[] = [];
    const w = f.consul.watch({ method: f.consul.kv.get, options: { key: 'watched', wait: '1s' } });
    let notify: () => void = () => undefined;
    w.on('change', (data: { Value?: string } | undefined) => {
      changes.push(data?.Value);
      notify();
    });
    w.on('error', (err: Error) => errors.push(err));
    const nextChange = (): Promise<void> => new Promise((r) => (notify = r));
    try {
      await nextChange();
      for (const v of ['1', '2', '3']) {
        const p = nextChange();
        await f.consul.kv.set('watched', v);
        await p;
      }
      const p = nextChange();
      await f.consul.kv.del('watched');
      await p;
    } finally {
      w.end();
    }
    assert.deepEqual(changes, [undefined, '1', '2', '3', undefined]);
    assert.deepEqual(errors, []);
  });
});

describe('timing rules', () => {
  it('jitter stays within [timeout, timeout + timeout/16)', () => {
    for (let i = 0; i < 200; i++) {
      const t = blockingTimeout(CONSUL_BLOCKING_DEFAULTS, 30_000);
      assert.ok(t >= 30_000 && t < 30_000 + 30_000 / 16, `${t}`);
    }
    assert.equal(blockingTimeout({ ...CONSUL_BLOCKING_DEFAULTS, jitterFraction: 0 }, undefined), 300_000);
    assert.equal(blockingTimeout({ ...CONSUL_BLOCKING_DEFAULTS, jitterFraction: 0 }, 0), 300_000);
    assert.equal(blockingTimeout({ ...CONSUL_BLOCKING_DEFAULTS, jitterFraction: 0 }, 3_600_000), 600_000);
  });

  it('waits are Go durations', () => {
    assert.equal(parseGoDuration('30s'), 30_000);
    assert.equal(parseGoDuration('1m30s'), 90_000);
    assert.equal(parseGoDuration('1.5h'), 5_400_000);
    assert.equal(parseGoDuration('60000ms'), 60_000);
    assert.equal(parseGoDuration('250us'), 0.25);
    assert.equal(parseGoDuration('250µs'), 0.25);
    assert.equal(parseGoDuration('.5s'), 500);
    assert.equal(parseGoDuration('0'), 0);
    assert.equal(parseGoDuration('-1s'), -1000);
    for (const bad of ['', '10', 's', '.s', '1d', '1 s', '5sec']) assert.equal(parseGoDuration(bad), undefined, bad);
  });
});
