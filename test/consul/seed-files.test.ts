/**
 * `seed` moves what a deployment's files set into Consul, not the defaults: Consul ranks above
 * config.yml and conf.d, so seeding defaults would silently hide an operator's file values. When
 * Consul does hide a file's value, the loader warns once per key and `diff` lists the key.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { memoryLogger, tempRoot } from '../helpers.ts';
import { cleanEnv, runCli } from './helpers.ts';

let server: ConsulTestServer;
let configFile: string;
let configDir: string;
before(async () => {
  server = await startConsulServer();
  const dir = tempRoot();
  configFile = join(dir, 'config.yml');
  configDir = join(dir, 'conf.d');
  mkdirSync(configDir);
  // 9497 and false are wazo-auth's defaults: the port differs, debug is the default, log_level differs in conf.d.
  writeFileSync(configFile, 'rest_api:\n  port: 9400\ndebug: false\n');
  writeFileSync(join(configDir, '10-log.yml'), 'log_level: debug\n');
});
after(() => server.close());
beforeEach(() => server.kv.delete('config/', { recurse: true }));

const files = ['--config-file', () => configFile, '--config-dir', () => configDir] as const;
const cli = (...args: string[]) =>
  runCli([...args, ...files.map((a) => (typeof a === 'function' ? a() : a)), '--consul-url', server.url], cleanEnv());

describe('wazo-config seed', () => {
  it('writes only what the files set beyond the defaults, each from its file; --dry-run shows the plan and writes nothing', async () => {
    const dry = await cli('seed', 'wazo-auth', '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.deepEqual(dry.stdout.trim().split('\n'), [
      'wazo-auth (Consul config/wazo-auth/):',
      `  + config/wazo-auth/log_level = "debug" (from file ${join(configDir, '10-log.yml')})`,
      `  + config/wazo-auth/rest_api/port = "9400" (from file ${configFile})`,
      'wazo-auth: would create 2, unchanged 0, kept 0',
    ]);
    assert.deepEqual(server.kv.keys('config/'), []);

    const result = await cli('seed', 'wazo-auth');
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(server.kv.keys('config/'), ['config/wazo-auth/log_level', 'config/wazo-auth/rest_api/port']);
    assert.equal(server.kv.value('config/wazo-auth/rest_api/port'), '9400');
  });

  it('--defaults writes the defaults and says which file values they hide', async () => {
    const result = await cli('seed', 'wazo-auth', '--defaults', '--dry-run');
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      'wazo-auth: would hide 2 values set in files (Consul ranks above config files):',
      `  ! config/wazo-auth/log_level: the default "info" hides "debug" from file ${join(configDir, '10-log.yml')}`,
      `  ! config/wazo-auth/rest_api/port: the default 9497 hides 9400 from file ${configFile}`,
    ]);
    assert.match(result.stdout, /^ {2}\+ config\/wazo-auth\/rest_api\/port = "9497" \(default\)$/m);
  });

  it('says so when the files set nothing beyond the defaults', async () => {
    const result = await runCli(
      [
        'seed',
        'wazo-auth',
        '--config-file',
        join(configDir, 'none.yml'),
        '--config-dir',
        join(configDir, 'none'),
        '--consul-url',
        server.url,
      ],
      cleanEnv(),
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout.trim(),
      'wazo-auth: nothing to seed: no config file sets a value other than the schema defaults (--defaults writes the defaults themselves)',
    );
  });
});

describe('Consul hiding a value set in a file', () => {
  it('the loader warns once per key, naming both sources', async () => {
    server.kv.put('config/wazo-auth/rest_api/port', '9497');
    server.kv.put('config/wazo-auth/log_level', 'debug');
    const { loadConfig } = await import('../../generated/wazo-auth/config.ts');
    const logger = memoryLogger();
    const config = await loadConfig({
      configFile,
      configDir,
      env: { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) },
      consul: { file: false },
      logger,
    });
    assert.equal(config.rest_api.port, 9497);
    assert.deepEqual(
      logger.lines.filter((l) => l.startsWith('warn:')),
      [
        `warn: wazo-auth: rest_api.port: consul config/wazo-auth/rest_api/port (9497) hides file ${configFile} (9400); Consul ranks above files: delete the Consul key to use the file, or set the value there`,
      ],
    );
  });

  it('diff lists the keys whose Consul value hides a file value', async () => {
    server.kv.put('config/wazo-auth/rest_api/port', '9497');
    const result = await cli('diff', 'wazo-auth');
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(
      lines[0]!,
      /^wazo-auth \(Consul config\/wazo-auth\/\): \d+ missing, 0 unknown, 0 invalid, 0 changed, 1 hiding a file's value$/,
    );
    assert.equal(
      lines.at(-1),
      `  hides    config/wazo-auth/rest_api/port: 9497 hides 9400 from file ${configFile} (Consul ranks above files)`,
    );
  });
});
