/**
 * The long one: Consul refuses every connection for 10 s in the middle of a watch, while keys
 * change; the service goes on with its last good config, then gets every change made meanwhile.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { FAST_BLOCKING } from '../consul-server/harness.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { PREFIX, sleep, startWatching, until } from './helpers.ts';

let server: ConsulTestServer;
before(async () => {
  server = await startConsulServer({ blocking: FAST_BLOCKING });
});
after(() => server.close());

it('Consul down 10 s mid-watch and back: no crash, last good config kept, the changes made meanwhile delivered', async () => {
  const w = await startWatching(server, { backoff: { initialMs: 100, maxMs: 1_000 } });
  await server.faults.refuseConnections();
  const downAt = Date.now();
  await until('the first error', () => w.of('error').length >= 1);
  await sleep(2_000);
  server.kv.put(`${PREFIX}/log_level`, 'debug');
  server.kv.put(`${PREFIX}/hook_max_attempts`, '9');
  server.kv.put(`${PREFIX}/rest_api/port`, '9400');
  await sleep(10_000 - (Date.now() - downAt));
  assert.equal(w.config.log_level, 'info', 'nothing applied while Consul is away');
  assert.deepEqual(w.of('change'), []);
  const errors = w.of('error').length;
  assert.ok(errors >= 8 && errors <= 30, `${errors} attempts in 10 s with backoff capped at 1 s`);
  assert.ok(w.of('error').every((e) => e.what === 'consul' && /did not answer the watch/.test(e.message)));

  await server.faults.acceptConnections();
  await until('reconnected', () => w.of('reconnected').length === 1, 3_000);
  await until('the changes made meanwhile', () => w.of('change').length === 1 && w.of('restartRequired').length === 1);
  const reconnected = w.of('reconnected')[0]!;
  assert.ok(reconnected.downMs >= 9_000, `down ${reconnected.downMs} ms`);
  assert.equal(reconnected.attempts, w.of('error').length);
  assert.deepEqual(
    w.of('change')[0]!.changes.map((c) => [c.key, c.newValue]),
    [
      ['log_level', 'debug'],
      ['hook_max_attempts', 9],
    ],
  );
  assert.deepEqual(
    w.of('restartRequired')[0]!.changes.map((c) => [c.key, c.newValue]),
    [['rest_api.port', 9400]],
  );
  assert.equal(w.config.log_level, 'debug');
  assert.equal(w.config.hook_max_attempts, 9);
  assert.equal(
    w.logger.lines.filter((l) => l.startsWith('warn:') && l.includes('did not answer')).length,
    1,
    'one warning, then debug lines',
  );

  server.kv.put(`${PREFIX}/log_level`, 'error');
  await until('a change after the outage', () => w.config.log_level === 'error');
  await w.watcher.close();
});
