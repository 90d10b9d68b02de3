/** The watcher's parts alone: the blocking-query rules, pacing, quiescence, the diff and the restart policy. */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { service } from '../../generated/wazo-webhookd/config.ts';
import { BlockingQuery, type BlockingAnswer } from '../../generator/runtime/watch/blocking.ts';
import { applyChanges, diffConfigs, KeyChange, withConnectChanges } from '../../generator/runtime/watch/diff.ts';
import { backoffDelay, retryDelay, TokenBucket } from '../../generator/runtime/watch/pacing.ts';
import { Quiescence } from '../../generator/runtime/watch/quiescence.ts';
import { RestartPolicy } from '../../generator/runtime/watch/restart.ts';
import { ConfigTree } from '../../generator/runtime/tree.ts';
import type { JsonObject, SettingSpec } from '../../generator/runtime/types.ts';
import { memoryLogger } from '../helpers.ts';
import { sleep, until } from './helpers.ts';

/** A BlockingQuery over scripted answers (an Error fails the request); records what it asked and told. */
function scripted(answers: (BlockingAnswer<string> | Error)[]) {
  const asked: number[] = [];
  const told: string[] = [];
  const query = new BlockingQuery<string>(
    async (index, signal) => {
      asked.push(index);
      const next = answers.shift();
      if (next === undefined)
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))); // blocks until stopped
      if (next instanceof Error) throw next;
      return next;
    },
    {
      data: (data, index) => void told.push(`data ${data}@${index}`),
      failure: (error, attempt) => void told.push(`failure ${attempt} ${(error as Error).message}`),
      recovered: (attempts) => void told.push(`recovered after ${attempts}`),
    },
    { backoff: { initialMs: 1, maxMs: 4 }, rateLimit: { burst: 100, intervalMs: 0 } },
  );
  return { query, asked, told, done: () => answers.length === 0 };
}

describe('the blocking-query loop', () => {
  it('waits past the last index, ignores timeouts, and starts over from 0 when the index goes backwards', async () => {
    const s = scripted([
      { index: 50, data: 'a' },
      { index: 50, data: 'a' }, // the wait timed out
      { index: 60, data: 'b' },
      { index: 7, data: 'b' }, // a snapshot restore
      { index: 8, data: 'c' },
    ]);
    s.query.start();
    await until('every answer', s.done);
    await s.query.stop();
    assert.deepEqual(s.asked, [0, 50, 50, 60, 0, 8]);
    assert.deepEqual(s.told, ['data a@50', 'data b@60', 'data b@7', 'data c@8']);
  });

  it('treats an index of 0 (or none) as 1', async () => {
    const s = scripted([
      { index: 0, data: 'a' },
      { index: 0, data: 'a' },
      { index: 3, data: 'b' },
    ]);
    s.query.start();
    await until('every answer', s.done);
    await s.query.stop();
    assert.deepEqual(s.asked, [0, 1, 1, 3]);
    assert.deepEqual(s.told, ['data a@1', 'data b@3']);
  });

  it('retries failures with backoff, from index 0 (Consul may come back restarted), keeping the last index to compare, and says when it recovers', async () => {
    const s = scripted([{ index: 5, data: 'a' }, new Error('refused'), new Error('refused'), { index: 6, data: 'b' }]);
    s.query.start();
    await until('every answer', s.done);
    await s.query.stop();
    assert.deepEqual(s.asked, [0, 5, 0, 0, 6]);
    assert.deepEqual(s.told, ['data a@5', 'failure 1 refused', 'failure 2 refused', 'recovered after 2', 'data b@6']);
  });

  it('stop() aborts the request in flight', async () => {
    let aborted = false;
    const query = new BlockingQuery<string>(
      (_index, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
      {
        data: () => assert.fail(),
        failure: () => assert.fail('an abort is no failure'),
        recovered: () => assert.fail(),
      },
    );
    query.start();
    await sleep(5);
    await query.stop();
    assert.ok(aborted);
  });
});

describe('pacing', () => {
  it('a token bucket lets a burst of 2 through, then one request per interval', async () => {
    const bucket = new TokenBucket({ burst: 2, intervalMs: 40 });
    const start = Date.now();
    for (let n = 0; n < 5; n++) await bucket.take();
    const elapsed = Date.now() - start;
    // The lower bound is the pacing (3 waits of 40 ms); the upper one only says it does not hang.
    assert.ok(elapsed >= 110 && elapsed < 5000, `${elapsed} ms for 5 takes`);
  });

  it('backoff doubles up to the cap, with jitter from ½ to 1', () => {
    const at = (random: number) => ({ now: () => 0, random: () => random });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => backoffDelay({ initialMs: 100, maxMs: 1000 }, n, at(0.999999))),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(backoffDelay({ initialMs: 100, maxMs: 1000 }, 3, at(0)), 200);
    assert.equal(backoffDelay({}, 1, at(0.999999)), 250, 'default 250 ms');
    assert.equal(backoffDelay({}, 99, at(0.999999)), 10_000, 'default cap 10 s');
  });

  it('a watch’s first retry is a random fraction of the spread (default 5 s, at most the cap), the next ones back off', () => {
    const at = (random: number) => ({ now: () => 0, random: () => random });
    assert.equal(retryDelay({}, 1, at(0)), 0);
    assert.equal(retryDelay({}, 1, at(0.5)), 2_500);
    assert.equal(retryDelay({}, 1, at(0.999999)), 5_000);
    assert.equal(retryDelay({ maxMs: 1_000 }, 1, at(0.5)), 500, 'never above the cap');
    assert.equal(retryDelay({ firstRetrySpreadMs: 8_000 }, 1, at(0.25)), 2_000);
    assert.equal(retryDelay({ firstRetrySpreadMs: 0 }, 1, at(0.7)), 0, 'spread off: at once');
    assert.equal(retryDelay({ initialMs: 100, maxMs: 1000 }, 2, at(0.999999)), 200, 'then as backoffDelay');
    assert.equal(retryDelay({ initialMs: 100, maxMs: 1000 }, 3, at(0)), 200);
  });

  it('a thousand watchers that lose Consul in the same instant retry over the spread, not in one second', () => {
    // A seeded generator (mulberry32): the same draws on every run.
    let seed = 17;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const clock = { now: () => 0, random };
    const perSecond = [0, 0, 0, 0, 0];
    for (let n = 0; n < 1_000; n++) perSecond[Math.floor(retryDelay({}, 1, clock) / 1_000)]!++;
    // Uniform over 5 s: about 200 a second; without the spread all 1,000 fell within 125-250 ms.
    assert.ok(
      perSecond.every((count) => count >= 150 && count <= 250),
      perSecond.join(', '),
    );
    assert.ok(
      Array.from({ length: 1_000 }, () => backoffDelay({}, 1, clock)).every((d) => d >= 125 && d <= 250),
      'the plain backoff: every first retry in the same quarter second',
    );
  });

  it('the blocking-query loop draws its first retry from the spread, its second from the backoff', async () => {
    const told: number[] = [];
    let calls = 0;
    const query = new BlockingQuery<string>(
      async (_index, signal) => {
        calls++;
        if (calls <= 2) throw new Error('refused');
        return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
      {
        data: () => undefined,
        failure: (_error, _attempt, retryInMs) => void told.push(retryInMs),
        recovered: () => undefined,
      },
      {
        backoff: { initialMs: 4, maxMs: 40, firstRetrySpreadMs: 30 },
        rateLimit: { burst: 100, intervalMs: 0 },
        clock: { now: () => Date.now(), random: () => 0.5 },
      },
    );
    query.start();
    await until('two failures', () => told.length === 2);
    await query.stop();
    assert.deepEqual(told, [15, 6]);
  });
});

describe('quiescence (virtual time: exact, whatever the load)', () => {
  it('fires once after min ms of quiet, or at max ms after the first change of a burst', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    let fired = 0;
    const q = new Quiescence(
      { minMs: 40, maxMs: 150 },
      () => fired++,
      () => Date.now(),
    );
    q.poke();
    t.mock.timers.tick(20);
    q.poke();
    t.mock.timers.tick(39);
    assert.equal(fired, 0, '39 ms after the last change');
    t.mock.timers.tick(1);
    assert.equal(fired, 1, '40 ms of quiet');
    for (let ms = 0; ms < 140; ms += 10) {
      q.poke();
      t.mock.timers.tick(10);
    }
    assert.equal(fired, 1, 'changes every 10 ms for 140 ms');
    q.poke();
    t.mock.timers.tick(10);
    assert.equal(fired, 2, 'the max: 150 ms after the first change of the burst');
    q.cancel();
  });

  it('defaults to 500 ms of quiet and at most 5 s, as consul-template', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    let fired = 0;
    const q = new Quiescence(
      {},
      () => fired++,
      () => Date.now(),
    );
    q.poke();
    t.mock.timers.tick(499);
    assert.equal(fired, 0);
    t.mock.timers.tick(1);
    assert.equal(fired, 1, '500 ms of quiet');
    for (let ms = 0; ms < 4900; ms += 100) {
      q.poke();
      t.mock.timers.tick(100);
    }
    assert.equal(fired, 1, 'changes every 100 ms for 4.9 s');
    q.poke();
    t.mock.timers.tick(100);
    assert.equal(fired, 2, '5 s after the first change');
    q.cancel();
  });

  it('max defaults to 4 × min, as in consul-template; min 0 fires at once', () => {
    let fired = 0;
    const q = new Quiescence({ minMs: 0 }, () => fired++);
    q.poke();
    assert.equal(fired, 1);
    assert.equal(q.pending, false);
  });
});

describe('the diff', () => {
  const setting = (path: string[], mutable: boolean, secret = false): SettingSpec => ({
    path,
    env: 'X',
    consulKey: 'k',
    mutable,
    secret,
    types: ['string'],
  });

  it('lists each leaf that differs, lists and maps compared deeply, with the new source', () => {
    const running: JsonObject = structuredClone(defaults());
    const next = new ConfigTree();
    next.merge(structuredClone(defaults()), 'default');
    next.set(['log_level'], 'debug', 'consul config/wazo-webhookd/log_level');
    next.set(['enabled_plugins'], { ...(running.enabled_plugins as JsonObject) }, 'env X'); // equal: no change
    next.set(['rest_api', 'cors', 'allow_headers'], ['X-One'], 'env Y');
    const changes = diffConfigs(service, running, next);
    assert.deepEqual(
      changes.map((c) => [c.key, c.mutable, c.source]),
      [
        ['log_level', true, 'consul config/wazo-webhookd/log_level'],
        ['rest_api.cors.allow_headers', false, 'env Y'],
      ],
    );
  });

  it('reports a Connect file whose path changed too once, from its old path, with the renewal as source', () => {
    const cert = setting(['rest_api', 'certificate'], true);
    const key = setting(['rest_api', 'private_key'], true);
    const log = setting(['log_level'], true);
    const renewal = 'consul connect: leaf 01 → 02';
    const changes = withConnectChanges(
      [
        new KeyChange(log, 'info', 'debug', 'env X'),
        new KeyChange(cert, '/old/leaf.crt', '/new/leaf.crt', 'consul connect'),
      ],
      [new KeyChange(cert, '/new/leaf.crt', '/new/leaf.crt', renewal), new KeyChange(key, '/k', '/k', renewal)],
    );
    assert.deepEqual(
      changes.map((c) => [c.key, c.oldValue, c.newValue, c.source]),
      [
        ['log_level', 'info', 'debug', 'env X'],
        ['rest_api.certificate', '/old/leaf.crt', '/new/leaf.crt', renewal],
        ['rest_api.private_key', '/k', '/k', renewal],
      ],
    );
  });

  it('applies changes in place, creating groups and deleting keys with no value', () => {
    const live: JsonObject = { a: 1, g: { b: [1] } };
    const g = live.g;
    applyChanges(live, [
      new KeyChange(setting(['g', 'b'], true), [1], [2], 's'),
      new KeyChange(setting(['a'], true), 1, undefined, 's'),
      new KeyChange(setting(['h', 'c'], true), undefined, 'x', 's'),
    ]);
    assert.deepEqual(live, { g: { b: [2] }, h: { c: 'x' } });
    assert.equal(live.g, g, 'the same objects, updated');
  });

  it('masks secrets in every printed form, and keeps the values for the program', () => {
    const change = new KeyChange(
      setting(['bus', 'password'], true, true),
      'old-secret',
      'new-secret',
      'consul config/x/bus/password',
    );
    assert.equal(change.newValue, 'new-secret');
    for (const printed of [
      String(change),
      `${change}`,
      JSON.stringify(change),
      inspect(change),
      inspect({ changes: [change] }),
    ]) {
      assert.ok(!printed.includes('new-secret') && !printed.includes('old-secret'), printed);
    }
    assert.equal(String(change), 'bus.password: ***** → ***** (consul config/x/bus/password)');
    assert.equal(
      String(new KeyChange(setting(['level'], true), undefined, 'x', 'env L')),
      'level: nothing → "x" (env L)',
    );
  });
});

describe('the restart policy', () => {
  const change = (key: string, value: number) =>
    new KeyChange(
      { path: [key], env: 'X', consulKey: 'k', mutable: false, secret: false, types: ['integer'] },
      1,
      value,
      'consul k',
    );

  /** Lets the exit's promise chain (beforeExit, then exit) run. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('exits with code 75 after the grace period, after beforeExit (virtual time)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const codes: number[] = [];
    const order: string[] = [];
    const policy = new RestartPolicy(
      { graceMs: 60, beforeExit: async () => void order.push('beforeExit') },
      'svc',
      memoryLogger(),
      (code) => {
        order.push('exit');
        codes.push(code);
      },
    );
    assert.deepEqual(policy.update([change('port', 2)]), { report: true, exitInMs: 60 });
    t.mock.timers.tick(20);
    assert.deepEqual(
      policy.update([change('port', 2), change('listen', 3)]),
      { report: true, exitInMs: 40 },
      'another key: reported again, the deadline kept',
    );
    assert.deepEqual(
      policy.update([change('port', 2), change('listen', 3)]),
      { report: false },
      'the same keys: not again',
    );
    t.mock.timers.tick(39);
    await settle();
    assert.deepEqual(codes, [], 'not before the grace period is over');
    t.mock.timers.tick(1);
    await settle();
    assert.deepEqual(codes, [75]);
    assert.deepEqual(order, ['beforeExit', 'exit']);
  });

  it('gives 5 s of grace by default (virtual time)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const codes: number[] = [];
    const policy = new RestartPolicy(undefined, 'svc', memoryLogger(), (code) => codes.push(code));
    assert.deepEqual(policy.update([change('port', 2)]), { report: true, exitInMs: 5000 });
    t.mock.timers.tick(4999);
    await settle();
    assert.deepEqual(codes, []);
    t.mock.timers.tick(1);
    await settle();
    assert.deepEqual(codes, [75]);
  });

  it('is cancelled when the keys go back to their running values (virtual time)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    const logger = memoryLogger();
    const policy = new RestartPolicy({ graceMs: 30 }, 'svc', logger, () => assert.fail('no exit'));
    policy.update([change('port', 2)]);
    assert.deepEqual(policy.update([]), { report: false });
    t.mock.timers.tick(10_000);
    await settle();
    assert.equal(policy.pending, false);
    assert.deepEqual(logger.lines, [
      'info: svc: restart cancelled: the restart-only keys are back to their running values',
    ]);
  });

  it("'emit' only reports", async () => {
    const policy = new RestartPolicy('emit', 'svc', memoryLogger(), () => assert.fail('no exit'));
    assert.deepEqual(policy.update([change('port', 2)]), { report: true });
    assert.equal(policy.exitCode, 75);
  });
});

function defaults(): JsonObject {
  const tree = new ConfigTree();
  for (const s of service.settings) if (s.default !== undefined) tree.set(s.path, s.default, 'default');
  return tree.root;
}
