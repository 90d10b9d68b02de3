/**
 * watchConfig end to end: the generated wazo-webhookd loader against the Consul-compatible test
 * server — live changes, restart-only keys, invalid values, bursts, index resets, 500s, slow and
 * cut answers, files re-read on reload/SIGHUP, extra watches. Small delays throughout.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Config } from '../../generated/wazo-webhookd/config.ts';
import type { ConfigSource, WatchedThing, WatchHandlers, WatchOptions } from '../../generator/runtime/index.ts';
import { FAST_BLOCKING } from '../consul-server/harness.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { tempRoot } from '../helpers.ts';
import { PREFIX, sleep, startWatching, until, type Watched } from './helpers.ts';

describe('watchConfig against Consul', () => {
  let server: ConsulTestServer;
  let watched: Watched | undefined;
  before(async () => {
    server = await startConsulServer({ blocking: FAST_BLOCKING });
  });
  after(() => server.close());
  beforeEach(async () => {
    await watched?.watcher.close();
    watched = undefined;
    await server.faults.clear();
    server.kv.delete('config/', { recurse: true });
    server.requests.length = 0;
  });
  const watch = async (options?: WatchOptions<Config>, also?: WatchHandlers<Config>) =>
    (watched = await startWatching(server, options, also));
  const kvRequests = () => server.requests.filter((r) => r.path.startsWith('/v1/kv/'));

  it('applies a mutable key in place and emits change, with one blocking query on the prefix', async () => {
    const w = await watch();
    assert.equal(w.config.log_level, 'info');
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    await until('the change', () => w.of('change').length === 1);
    const [event] = w.of('change');
    assert.equal(w.config.log_level, 'debug');
    assert.equal(event!.config, w.config);
    assert.equal(event!.reason, 'consul');
    assert.deepEqual(
      event!.changes.map((c) => [c.key, c.oldValue, c.newValue, c.mutable, c.source]),
      [['log_level', 'info', 'debug', true, `consul ${PREFIX}/log_level`]],
    );
    assert.equal(String(event!.changes[0]), `log_level: "info" → "debug" (consul ${PREFIX}/log_level)`);
    // Only the loader's read and the watch's queries, all on the whole prefix.
    const reads = kvRequests();
    assert.ok(
      reads.every((r) => r.path === `/v1/kv/${PREFIX}/` && r.query.has('recurse')),
      reads.map((r) => r.url).join('\n'),
    );
    const blocking = reads.filter((r) => Number(r.query.get('index')) > 0);
    assert.ok(blocking.length >= 1 && blocking.every((r) => r.query.get('wait') === '1000ms'));
    assert.deepEqual(w.of('restartRequired'), []);
  });

  it("says once per key that an env variable hides Consul's new value (the change cannot apply), secrets masked", async () => {
    const w = await watch({
      env: {
        WAZO_CONSUL_HOST: '127.0.0.1',
        WAZO_CONSUL_PORT: String(server.port),
        WAZO_WEBHOOKD_LOG_LEVEL: 'warning',
        WAZO_WEBHOOKD_BUS_PASSWORD: 'from-env',
      },
    });
    const hidden = () => w.logger.lines.filter((l) => l.includes('is hidden by'));
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    server.kv.put(`${PREFIX}/bus/password`, 'hunter2');
    await until('the hidden-value lines', () => hidden().length === 2);
    assert.deepEqual(hidden().sort(), [
      `warn: wazo-webhookd: bus.password: Consul's new value ***** at ${PREFIX}/bus/password is hidden by ` +
        "env WAZO_WEBHOOKD_BUS_PASSWORD (*****): a restart would not apply it either; remove WAZO_WEBHOOKD_BUS_PASSWORD from the service's environment for Consul to apply (said once per key)",
      `warn: wazo-webhookd: log_level: Consul's new value "debug" at ${PREFIX}/log_level is hidden by ` +
        'env WAZO_WEBHOOKD_LOG_LEVEL ("warning"): live changes of this key do not apply; remove WAZO_WEBHOOKD_LOG_LEVEL from the service\'s environment for Consul to apply (said once per key)',
    ]);
    // Once per key, not per change; a key the environment does not pin still applies live.
    server.kv.put(`${PREFIX}/log_level`, 'error');
    server.kv.put(`${PREFIX}/hook_max_attempts`, '5');
    await until('the unpinned change', () => w.config.hook_max_attempts === 5);
    assert.equal(hidden().length, 2);
    assert.equal(w.config.log_level, 'warning');
    assert.ok(!w.logger.lines.join('\n').includes('hunter2') && !w.logger.lines.join('\n').includes('from-env'));
  });

  it('reports restart-only keys without applying them, secrets masked; going back cancels', async () => {
    const w = await watch();
    server.kv.put(`${PREFIX}/rest_api/port`, '9301');
    server.kv.put(`${PREFIX}/bus/password`, 'hunter2');
    server.kv.put(`${PREFIX}/debug`, 'true');
    await until('restartRequired', () => w.of('restartRequired').some((e) => e.changes.length === 2));
    const event = w.of('restartRequired').at(-1)!;
    assert.deepEqual(event.changes.map((c) => c.key).sort(), ['bus.password', 'rest_api.port']);
    assert.equal(event.exitInMs, undefined, "the 'emit' policy never exits");
    assert.equal(w.config.rest_api.port, 9300, 'the running value stays');
    assert.equal(event.next.rest_api.port, 9301);
    assert.equal(event.next.bus.password, 'hunter2');
    const password = event.changes.find((c) => c.key === 'bus.password')!;
    assert.equal(password.newValue, 'hunter2', 'the value itself is there for the program');
    for (const printed of [
      String(password),
      JSON.stringify(event.changes),
      inspect(event.changes),
      w.logger.lines.join('\n'),
    ]) {
      assert.ok(!printed.includes('hunter2'), printed);
    }
    assert.match(String(password), /^bus\.password: \*\*\*\*\* → \*\*\*\*\* \(consul /);
    await until('the mutable key applied alongside', () => w.config.debug);
    // Back to the running values: no new event; a restart that was pending is cancelled. A later
    // write of a mutable key is the marker: once its change is seen, the deletions were handled.
    const before = w.of('restartRequired').length;
    server.kv.delete(`${PREFIX}/rest_api/port`);
    server.kv.delete(`${PREFIX}/bus/password`);
    server.kv.put(`${PREFIX}/log_level`, 'warning');
    await until('the marker change', () => w.config.log_level === 'warning');
    assert.equal(w.of('restartRequired').length, before);
  });

  it('an invalid value gives invalid with every problem and keeps the last good config; fixed, it gives change', async () => {
    const w = await watch();
    server.kv.put(`${PREFIX}/log_level`, 'verbose');
    server.kv.put(`${PREFIX}/hook_max_attempts`, 'many');
    await until('invalid', () => w.of('invalid').length > 0 && w.of('invalid').at(-1)!.problems.length === 2);
    const invalid = w.of('invalid').at(-1)!;
    assert.deepEqual(invalid.problems.map((p) => [p.key, p.source]).sort(), [
      ['hook_max_attempts', `consul ${PREFIX}/hook_max_attempts`],
      ['log_level', `consul ${PREFIX}/log_level`],
    ]);
    assert.match(invalid.message, /invalid configuration \(2 problems\)/);
    // Logged as one line (a log record): every problem, then what happens next.
    const logged = w.logger.lines.filter((l) => l.includes('invalid configuration'));
    assert.match(
      logged.at(-1)!,
      /^error: wazo-webhookd: invalid configuration \(2 problems\): \w+ \(consul .*\); \w+ \(consul .*; change rejected: the last good configuration stays in use$/,
    );
    assert.ok(
      logged.every((l) => !l.includes('\n')),
      logged.join('\n---\n'),
    );
    assert.equal(w.config.log_level, 'info');
    assert.deepEqual(w.of('change'), []);
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    server.kv.put(`${PREFIX}/hook_max_attempts`, '7');
    await until('change', () => w.of('change').length === 1 && w.of('change')[0]!.changes.length === 2);
    assert.equal(w.config.log_level, 'debug');
    assert.equal(w.config.hook_max_attempts, 7);
    assert.deepEqual(
      w.events.map((e) => e.type).filter((t, i, all) => t !== all[i - 1]),
      ['invalid', 'change'],
    );
  });

  it('100 writes in one second give few events and the final state, with the query rate-limited', async () => {
    const w = await watch({ wait: { minMs: 150, maxMs: 500 }, rateLimit: { burst: 2, intervalMs: 100 } });
    const before = kvRequests().length;
    const started = Date.now();
    for (let n = 1; n <= 100; n++) {
      server.kv.put(`${PREFIX}/hook_max_attempts`, String(n));
      await sleep(10);
    }
    const burstMs = Date.now() - started; // about 1 s, longer on a loaded machine
    await until('the final value', () => w.config.hook_max_attempts === 100);
    const watchedMs = Date.now() - started;
    // A marker write after the burst: once its change is seen, no event of the burst is still to come.
    server.kv.put(`${PREFIX}/log_level`, 'warning');
    await until('the marker change', () => w.config.log_level === 'warning');
    const changes = w.of('change').filter((e) => e.changes.some((c) => c.key === 'hook_max_attempts'));
    // Quiescence (max 500 ms) allows one event per 500 ms of constant changes, then the last one.
    assert.ok(
      changes.length >= 1 && changes.length <= Math.ceil(burstMs / 500) + 1,
      `${changes.length} change events in ${burstMs} ms of writes`,
    );
    assert.equal(changes.at(-1)!.changes[0]!.newValue, 100);
    // The rate limit (burst 2, then one per 100 ms) bounds the queries by the time watched.
    const queries = kvRequests().length - before;
    assert.ok(queries <= 2 + Math.ceil(watchedMs / 100) + 2, `${queries} queries for 100 writes in ${watchedMs} ms`);
  });

  it('starts over from index 0 when the index goes backwards, and keeps watching', async () => {
    // A long wait: the restore must show in one round trip, not after it (Consul releases blocked
    // queries on a restore with their old answer; the lower index comes only from a new read).
    const w = await watch({ blockingWaitMs: 20_000 });
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    await until('the first change', () => w.config.log_level === 'debug');
    const mark = server.requests.length;
    server.faults.resetIndex(1);
    await until('a query with index 0', () => server.requests.slice(mark).some((r) => r.query.get('index') === '0'));
    server.kv.put(`${PREFIX}/log_level`, 'warning');
    await until('the change after the reset', () => w.config.log_level === 'warning');
    assert.equal(w.of('change').length, 2);
    assert.deepEqual(w.of('error'), []);
  });

  it('Consul back empty after a restart: the next query starts from index 0 at once, not after a whole wait', async () => {
    const w = await watch({ blockingWaitMs: 20_000 });
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    await until('the first change', () => w.config.log_level === 'debug');
    await server.faults.refuseConnections();
    server.kv.delete('config/', { recurse: true });
    server.faults.resetIndex(1);
    await until('an error event', () => w.of('error').length > 0);
    const mark = server.requests.length;
    await server.faults.acceptConnections();
    await until('the emptied prefix applied', () => w.config.log_level !== 'debug', 10_000);
    assert.ok(
      server.requests.slice(mark).some((r) => r.query.get('index') === '0'),
      'asked from index 0',
    );
    assert.ok(w.of('reconnected').length > 0);
  });

  it('500s: error events, backoff, reconnected; the change made meanwhile is delivered', async () => {
    const w = await watch();
    server.faults.failAll({ path: '/v1/kv/' });
    server.kv.put(`${PREFIX}/debug`, 'true'); // releases the query in flight; the next ones fail
    await until('a few errors', () => w.of('error').length >= 3);
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    server.faults.stopFailing();
    await until('reconnected', () => w.of('reconnected').length === 1);
    await until('the change made meanwhile', () => w.config.log_level === 'debug');
    const error = w.of('error')[0]!;
    assert.equal(error.what, 'consul');
    assert.equal(error.attempt, 1);
    assert.match(error.message, /did not answer the watch on config\/wazo-webhookd\/: 500 No cluster leader/);
    assert.ok(w.of('reconnected')[0]!.attempts >= 3);
    assert.equal(
      w.logger.lines.filter((l) => l.startsWith('warn:') && l.includes('500')).length,
      1,
      'one warning per outage; the rest at debug',
    );
  });

  it('slow answers are waited for; answers slower than the timeout are retried', async () => {
    const w = await watch({ blockingWaitMs: 300, consul: { file: false, requestTimeoutMs: 300 } });
    server.faults.delay(200, { path: '/v1/kv/' });
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    await until('the slow change', () => w.config.log_level === 'debug');
    assert.deepEqual(w.of('error'), []);
    server.faults.delay(1_000, { path: '/v1/kv/' }); // over wait + wait/16 + request timeout
    await until('a timeout', () => w.of('error').length >= 1);
    assert.match(w.of('error')[0]!.message, /timed out/);
    server.kv.put(`${PREFIX}/log_level`, 'warning');
    server.faults.delay(0);
    await until(
      'reconnected and the change',
      () => w.of('reconnected').length === 1 && w.config.log_level === 'warning',
    );
  });

  it('gives up on an answer cut mid-body after the timeout, and retries', async () => {
    const w = await watch({ blockingWaitMs: 300, consul: { file: false, requestTimeoutMs: 300 } });
    server.faults.dropNext(1, { path: '/v1/kv/', phase: 'mid-body' });
    server.kv.put(`${PREFIX}/log_level`, 'debug'); // the query in flight answers; the next is cut
    await until('the cut answer given up', () => w.of('error').length === 1, 3_000);
    await until('the change after the retry', () => w.config.log_level === 'debug' && w.of('reconnected').length === 1);
  });

  it('reload() and SIGHUP read the files again through the same path, Consul from the last answer', async () => {
    const dir = tempRoot();
    const file = join(dir, 'config.yml');
    writeFileSync(file, 'hook_max_attempts: 3\nlog_level: warning\n');
    server.kv.put(`${PREFIX}/log_level`, 'error');
    const w = await watch({ configFile: file, sighup: true });
    assert.equal(w.config.hook_max_attempts, 3);
    assert.equal(w.config.log_level, 'error', 'Consul over the file');
    writeFileSync(file, 'hook_max_attempts: 5\nlog_level: debug\n');
    const mark = server.requests.length;
    await w.watcher.reload();
    assert.equal(w.config.hook_max_attempts, 5);
    assert.equal(w.config.log_level, 'error');
    const change = w.of('change')[0]!;
    assert.equal(change.reason, 'reload');
    assert.equal(change.changes[0]!.source, `file ${file}`);
    writeFileSync(file, 'hook_max_attempts: 6\n');
    process.kill(process.pid, 'SIGHUP');
    await until('the SIGHUP cycle', () => w.config.hook_max_attempts === 6);
    assert.equal(w.of('change')[1]!.reason, 'sighup');
    const reads = server.requests.slice(mark);
    assert.ok(
      reads.every((r) => Number(r.query.get('index')) > 0),
      'no fresh Consul read for a reload: only the blocking query goes on',
    );
    writeFileSync(file, 'hook_max_attempts: [1\n');
    await w.watcher.reload();
    assert.match(w.of('invalid')[0]!.message, /invalid YAML/);
    assert.equal(w.config.hook_max_attempts, 6);
    await w.watcher.close();
    assert.equal(process.listenerCount('SIGHUP'), 0);
  });

  it('re-reads extra sources on each cycle, and lets an extra watch start one', async () => {
    let attempts = 4;
    const source: ConfigSource = {
      name: 'discovery',
      read: async () => ({
        layers: [{ kind: 'values', values: [{ path: ['hook_max_attempts'], value: attempts, source: 'discovery' }] }],
        problems: [],
      }),
    };
    let poke: () => void = () => undefined;
    let stopped = false;
    const thing: WatchedThing = {
      name: 'discovery',
      start: (changed) => {
        poke = changed;
        return () => void (stopped = true);
      },
    };
    const w = await watch({ sources: [source], watches: [thing] });
    assert.equal(w.config.hook_max_attempts, 4);
    attempts = 8;
    poke();
    await until('the extra watch cycle', () => w.config.hook_max_attempts === 8);
    assert.equal(w.of('change')[0]!.reason, 'discovery');
    await w.watcher.close();
    assert.ok(stopped);
  });

  it('a handler that throws is logged and the watcher goes on; close() stops every request', async () => {
    const w = await watch(
      {},
      {
        change: () => {
          throw new Error('boom');
        },
      },
    );
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    await until('the first change', () => w.of('change').length === 1);
    server.kv.put(`${PREFIX}/log_level`, 'error');
    await until('the second change', () => w.of('change').length === 2 && w.config.log_level === 'error');
    assert.ok(w.logger.lines.some((l) => l.startsWith('error: wazo-webhookd: the change handler failed: Error: boom')));
    await w.watcher.close();
    await server.idle();
    const count = server.requests.length;
    server.kv.put(`${PREFIX}/log_level`, 'warning');
    // A request of our own as the marker: once the server has answered it, a query the closed
    // watcher still had (released by the write) or sent after it would be counted before it.
    await fetch(`${server.url}/v1/kv/${PREFIX}/log_level`);
    assert.equal(server.requests.length, count + 1, 'only the marker request');
  });
});

describe('watchConfig without Consul', () => {
  it('is ready at once, makes no request, and still re-reads files', async () => {
    const dir = tempRoot();
    const file = join(dir, 'config.yml');
    writeFileSync(file, 'debug: false\n');
    const w = await startWatching(undefined, { configFile: file, consul: false });
    writeFileSync(file, 'debug: true\n');
    await w.watcher.reload();
    assert.equal(w.config.debug, true);
    assert.equal(w.of('change').length, 1);
    await w.watcher.close();
  });
});
