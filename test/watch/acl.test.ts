/**
 * The watcher when Consul's ACLs turn against it mid-watch (docs/watch.md "error"): an answer with
 * keys hidden by ACL filtering, or a denial, is an `error` event naming the cause — never a reset of
 * the running config to the defaults — and the watch goes on once the token may read again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAST_BLOCKING } from '../consul-server/harness.ts';
import { startConsulServer, type AclRules, type ConsulTestServer } from '../consul-server/server.ts';
import { PREFIX, startWatching, until } from './helpers.ts';

const TOKEN = 'watch-token-5150';

describe('watchConfig under ACL changes', () => {
  let server: ConsulTestServer;
  // The server keeps this object: changing it changes what the token may read, at once.
  const rules: AclRules = { key_prefix: { 'config/': 'read' } };
  before(async () => {
    server = await startConsulServer({ blocking: FAST_BLOCKING, acl: { tokens: { [TOKEN]: { rules } } } });
  });
  after(() => server.close());

  it('keys hidden by ACL filtering: an error event, the running config kept; readable again, changes apply again', async () => {
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    const w = await startWatching(server, {
      env: { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port), WAZO_CONSUL_TOKEN: TOKEN },
    });
    try {
      assert.equal(w.config.log_level, 'debug', 'read from Consul at start');
      rules.key_prefix![`${PREFIX}/log_level`] = 'deny';
      server.kv.put(`${PREFIX}/hook_max_attempts`, '7');
      await until('an error event', () => w.of('error').length > 0);
      const error = w.of('error')[0]!;
      assert.equal(error.what, 'consul');
      assert.match(error.message, /ACL/);
      assert.ok(!error.message.includes(TOKEN), 'the token is never printed');
      assert.equal(w.config.log_level, 'debug', 'not reset to the default (info)');
      assert.deepEqual(w.of('change'), [], 'nothing applied from a filtered answer');
      delete rules.key_prefix![`${PREFIX}/log_level`];
      server.kv.put(`${PREFIX}/log_level`, 'error');
      await until('the change once readable', () => w.config.log_level === 'error' && w.config.hook_max_attempts === 7);
    } finally {
      await w.watcher.close();
    }
  });

  it('a token that may no longer read the prefix at all: an error event, the running config kept', async () => {
    server.kv.put(`${PREFIX}/log_level`, 'warning');
    const w = await startWatching(server, {
      env: { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port), WAZO_CONSUL_TOKEN: TOKEN },
    });
    try {
      assert.equal(w.config.log_level, 'warning');
      rules.key_prefix!['config/'] = 'deny';
      server.kv.put(`${PREFIX}/log_level`, 'critical');
      await until('an error event', () => w.of('error').length > 0);
      assert.match(w.of('error')[0]!.message, /ACL|denied|403/);
      assert.equal(w.config.log_level, 'warning', 'not reset to the default (info), nor the hidden new value');
      rules.key_prefix!['config/'] = 'read';
      await until('the change once readable', () => w.config.log_level === 'critical');
    } finally {
      await w.watcher.close();
    }
  });
});
