/**
 * `wazo-config seed`, `diff` and `explain` end to end: the real CLI against the test server, then
 * the generated loaders reading what was seeded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LoadOptions, type Resolved, type ServiceSpec } from '../../generator/runtime/index.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { memoryLogger, REPO, SCHEMA_SERVICES } from '../helpers.ts';
import { cleanEnv, runCli } from './helpers.ts';

interface Loader {
  service: ServiceSpec;
  resolveConfigWithSources(options?: LoadOptions): Promise<Resolved<Record<string, unknown>>>;
}

const SERVICES = SCHEMA_SERVICES;
const noFiles = { configFile: false, configDir: false } as const;

let server: ConsulTestServer;
before(async () => {
  server = await startConsulServer();
});
after(() => server.close());

const txns = () => server.requests.filter((r) => r.method === 'PUT' && r.path === '/v1/txn');
const seed = (...args: string[]) => runCli(['seed', '--defaults', ...args, '--consul-url', server.url], cleanEnv());

describe('wazo-config seed', () => {
  it('seeds every real schema; each loader then reads exactly the schema defaults from Consul', async () => {
    const result = await seed(...SERVICES);
    assert.equal(result.status, 0, result.stderr);
    for (const name of SERVICES) {
      const loader = (await import(join(REPO, 'generated', name, 'config.ts'))) as Loader;
      const withDefault = loader.service.settings.filter((s) => s.default !== undefined);
      assert.match(result.stdout, new RegExp(`^${name}: created ${withDefault.length}, unchanged 0, kept 0$`, 'm'));
      const env = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) };
      const fromConsul = await loader.resolveConfigWithSources({
        ...noFiles,
        env,
        logger: memoryLogger(),
        consul: { file: false },
      });
      const defaults = await loader.resolveConfigWithSources({
        ...noFiles,
        env: {},
        logger: memoryLogger(),
        consul: false,
      });
      assert.deepEqual(fromConsul.config, defaults.config, name);
      for (const setting of withDefault)
        assert.equal(fromConsul.tree.sourceOf(setting.path), `consul ${setting.consulKey}`);
    }
    // Create-only (cas with index 0), in transactions of at most 64 operations.
    assert.ok(txns().length > SERVICES.length, 'some service needs more than one transaction');
    for (const request of txns()) {
      const ops = JSON.parse(request.body.toString('utf8')) as { KV: { Verb: string; Index: number } }[];
      assert.ok(ops.length <= 64, `${ops.length} operations`);
      assert.ok(ops.every((op) => op.KV.Verb === 'cas' && op.KV.Index === 0));
    }
  });

  it('writes nothing the second time', async () => {
    server.requests.length = 0;
    const result = await seed(...SERVICES);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(txns().length, 0);
    assert.match(result.stdout, /^wazo-auth: created 0, unchanged \d+, kept 0$/m);
  });

  it('keeps the values operators set, unless --overwrite', async () => {
    server.kv.put('config/wazo-auth/debug', 'true');
    server.kv.put('config/wazo-auth/amqp/uri', 'amqp://ops:hunter2@rabbit:5672/');
    server.kv.delete('config/wazo-auth/log_level');
    let result = await seed('wazo-auth');
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^wazo-auth: created 1, unchanged \d+, kept 2 \(values set in Consul; --overwrite replaces them\)$/m,
    );
    assert.equal(server.kv.value('config/wazo-auth/debug'), 'true');
    assert.equal(server.kv.value('config/wazo-auth/log_level'), 'info');

    server.requests.length = 0;
    result = await seed('wazo-auth', '--overwrite', '--dry-run');
    assert.equal(result.status, 0, result.stderr);
    assert.equal(txns().length, 0, 'a dry run writes nothing');
    assert.match(result.stdout, /^ {2}~ config\/wazo-auth\/debug: "true" → "false" \(default\)$/m);
    assert.match(result.stdout, /^ {2}~ config\/wazo-auth\/amqp\/uri: \*\*\*\*\* → \*\*\*\*\* \(default\)$/m);
    assert.ok(!result.stdout.includes('hunter2'));
    assert.match(result.stdout, /^wazo-auth: would create 0, would update 2, unchanged \d+$/m);

    result = await seed('wazo-auth', '--overwrite');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^wazo-auth: created 0, updated 2, unchanged \d+$/m);
    assert.equal(server.kv.value('config/wazo-auth/debug'), 'false');
  });

  it('prints what a dry run would create; leaves nothing half-written when a transaction fails mid-way', async () => {
    server.kv.delete('config/wazo-auth/', { recurse: true });
    let result = await seed('wazo-auth', '--dry-run');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^wazo-auth \(Consul config\/wazo-auth\/\):$/m);
    assert.match(result.stdout, /^ {2}\+ config\/wazo-auth\/debug = "false" \(default\)$/m);
    assert.match(result.stdout, /^ {2}\+ config\/wazo-auth\/amqp\/uri = \*\*\*\*\* \(default\)$/m);
    assert.match(result.stdout, /^wazo-auth: would create \d+, unchanged 0, kept 0$/m);
    assert.deepEqual(server.kv.keys('config/wazo-auth/'), []);

    server.faults.failTxnAtOp(30);
    result = await seed('wazo-auth');
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /wazo-auth: Consul rolled back a transaction of 64 writes; none of them was written \(0 written before it\):\n {2}- config\/wazo-auth\/\S+: injected fault/,
    );
    assert.deepEqual(server.kv.keys('config/wazo-auth/'), [], 'no key of the failed transaction is there');
    result = await seed('wazo-auth');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^wazo-auth: created \d+, unchanged 0, kept 0$/m);
  });

  it('fails clearly when Consul is not there', async () => {
    const result = await runCli(['seed', 'wazo-auth', '--consul-url', 'http://127.0.0.1:1', '--wait', '0'], cleanEnv());
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /^wazo-auth: consul http:\/\/127\.0\.0\.1:1 \(located by command-line flags\): Consul did not answer \(one attempt, waiting is off\); error: connect ECONNREFUSED/m,
    );
  });
});

describe('wazo-config diff', () => {
  before(async () => {
    server.kv.delete('config/', { recurse: true });
    const result = await seed('wazo-auth', 'wazo-calld');
    assert.equal(result.status, 0, result.stderr);
  });

  it('finds nothing right after a seed', async () => {
    const result = await runCli(['diff', 'wazo-calld', '--consul-url', server.url], cleanEnv());
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout.trim(),
      'wazo-calld (Consul config/wazo-calld/): 0 missing, 0 unknown, 0 invalid, 0 changed',
    );
  });

  it('lists missing, unknown, invalid and changed keys, secrets masked; exit 1 on invalid', async () => {
    server.kv.delete('config/wazo-auth/log_level');
    server.kv.put('config/wazo-auth/rest_api/prot', '9497');
    server.kv.put('config/wazo-auth/rest_api/port', 'eighty');
    server.kv.put('config/wazo-auth/amqp/exchange_type', 'sideways');
    server.kv.put('config/wazo-auth/amqp/uri', 'amqp://ops:hunter2@rabbit:5672/');
    server.kv.put('config/wazo-auth/debug', 'yes');
    const text = await runCli(['diff', 'wazo-auth', '--consul-url', server.url], cleanEnv());
    assert.equal(text.status, 1, text.stderr);
    assert.ok(!text.stdout.includes('hunter2'));
    const lines = text.stdout.trim().split('\n');
    assert.equal(lines[0], 'wazo-auth (Consul config/wazo-auth/): 1 missing, 1 unknown, 2 invalid, 2 changed');
    assert.deepEqual(lines.slice(1), [
      '  missing  config/wazo-auth/log_level (default "info")',
      '  unknown  config/wazo-auth/rest_api/prot: did you mean config/wazo-auth/rest_api/port?',
      '  invalid  rest_api.port (consul config/wazo-auth/rest_api/port): expected an integer, got "eighty" (hint: write a whole number such as 9497)',
      '  invalid  amqp.exchange_type (consul config/wazo-auth/amqp/exchange_type): expected one of "direct", "fanout", "topic", "headers", got "sideways" (hint: use one of the listed values)',
      '  changed  config/wazo-auth/amqp/uri: ***** (default *****)',
      '  changed  config/wazo-auth/debug: true (default false)',
    ]);
    const json = await runCli(['diff', 'wazo-auth', '--json', '--consul-url', server.url], cleanEnv());
    assert.equal(json.status, 1);
    const [diff] = JSON.parse(json.stdout) as {
      service: string;
      missing: unknown[];
      unknown: unknown[];
      invalid: { key: string; source: string }[];
      changed: unknown[];
    }[];
    assert.equal(diff!.service, 'wazo-auth');
    assert.deepEqual(diff!.missing, [{ key: 'config/wazo-auth/log_level', setting: 'log_level', default: '"info"' }]);
    assert.deepEqual(
      diff!.invalid.map((p) => p.source),
      ['consul config/wazo-auth/rest_api/port', 'consul config/wazo-auth/amqp/exchange_type'],
    );
  });
});

describe('wazo-config explain', () => {
  it('shows every value with its source, secrets masked', async () => {
    server.kv.delete('config/', { recurse: true });
    server.kv.put('config/wazo-auth/rest_api/port', '9999');
    server.kv.put('config/wazo-auth/amqp/uri', 'amqp://ops:hunter2@rabbit:5672/');
    const env = cleanEnv({
      WAZO_CONSUL_HOST: '127.0.0.1',
      WAZO_CONSUL_PORT: String(server.port),
      WAZO_AUTH_DEBUG: 'true',
    });
    const text = await runCli(['explain', 'wazo-auth', '--no-files'], env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^ {2}rest_api\.port +9999 +consul config\/wazo-auth\/rest_api\/port$/m);
    assert.match(text.stdout, /^ {2}debug +true +env WAZO_AUTH_DEBUG$/m);
    assert.match(text.stdout, /^ {2}amqp\.uri +\*\*\*\*\* +consul config\/wazo-auth\/amqp\/uri$/m);
    assert.match(text.stdout, /^ {2}log_level +"info" +default$/m);
    assert.ok(!text.stdout.includes('hunter2'));
    const json = await runCli(['explain', 'wazo-auth', '--no-files', '--no-consul', '--json'], env);
    assert.equal(json.status, 0, json.stderr);
    const explained = JSON.parse(json.stdout) as { settings: { key: string; value?: unknown; source: string }[] };
    assert.deepEqual(
      explained.settings.find((s) => s.key === 'rest_api.port'),
      { key: 'rest_api.port', value: 9497, source: 'default' },
    );
  });

  it("names each map entry's own source: the defaults gave some, the file others", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'explain-map-'));
    const file = join(dir, 'config.yml');
    writeFileSync(file, 'enabled_http_plugins:\n  idp: false\n  my_plugin: true\n');
    const env = cleanEnv({});
    const args = ['explain', 'wazo-auth', '--config-file', file, '--no-consul'];
    const text = await runCli(args, env);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^ {2}enabled_http_plugins\\.my_plugin +true +file ${file}$`, 'm'));
    assert.match(text.stdout, new RegExp(`^ {2}enabled_http_plugins\\.idp +false +file ${file}$`, 'm'));
    assert.match(text.stdout, /^ {2}enabled_http_plugins\.api +true +default$/m);
    const json = await runCli([...args, '--json'], env);
    const rows = (JSON.parse(json.stdout) as { settings: { key: string; value?: unknown; source: string }[] }).settings;
    assert.deepEqual(
      rows.find((r) => r.key === 'enabled_http_plugins.my_plugin'),
      { key: 'enabled_http_plugins.my_plugin', value: true, source: `file ${file}` },
    );
    assert.ok(!rows.some((r) => r.key === 'enabled_http_plugins'), 'a map with entries is shown entry by entry');
    rmSync(dir, { recursive: true });
  });
});
