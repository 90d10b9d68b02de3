/**
 * examples/webhookd-http run as a child process against the Consul test server: a log level
 * changed live, a file re-read on SIGHUP, an invalid value refused, and a new port that makes it
 * exit with code 75 for its service manager to restart it (not while the configuration is invalid).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { FAST_BLOCKING } from '../consul-server/harness.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { cleanEnv, freePort } from '../consul/helpers.ts';
import { REPO, tempRoot } from '../helpers.ts';
import { PREFIX, until } from './helpers.ts';

let server: ConsulTestServer;
before(async () => {
  server = await startConsulServer({ blocking: FAST_BLOCKING });
});
after(() => server.close());

it('the example service: log level live, SIGHUP, invalid kept out, exit 75 on a new port', async () => {
  const port = await freePort();
  server.kv.put(`${PREFIX}/rest_api/listen`, '127.0.0.1');
  server.kv.put(`${PREFIX}/rest_api/port`, String(port));
  const dir = tempRoot();
  const file = join(dir, 'config.yml');
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(file, 'hook_max_attempts: 3\n');

  const child = spawn(
    process.execPath,
    [
      '--conditions=wazo-config-source',
      '--import',
      'tsx',
      'examples/webhookd-http/server.ts',
      '-c',
      file,
      '--config-dir',
      join(dir, 'conf.d'),
      '--grace-ms',
      '1000',
      '--quiet-ms',
      '50',
    ],
    {
      cwd: REPO,
      env: cleanEnv({ WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const get = async () => (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as Record<string, unknown>;
  try {
    await until('listening', () => out.includes(`listening on http://127.0.0.1:${port}`), 20_000);
    assert.deepEqual(await get(), { log_level: 'info', debug: false, hook_max_attempts: 3, listen: '127.0.0.1', port });
    assert.doesNotMatch(out, /\[DEBUG\] GET \//);

    server.kv.put(`${PREFIX}/log_level`, 'debug');
    await until('the new level', () => out.includes('log level is now debug'));
    assert.equal((await get()).log_level, 'debug');
    await until('a request logged at debug', () => /\[DEBUG\] GET \//.test(out));

    writeFileSync(file, 'hook_max_attempts: 4\n');
    child.kill('SIGHUP');
    await until('the file read again', () => out.includes('hook_max_attempts: 3 → 4'));
    assert.equal((await get()).hook_max_attempts, 4);

    server.kv.put(`${PREFIX}/log_level`, 'loud');
    await until('the invalid value reported', () =>
      out.includes('log_level (consul config/wazo-webhookd/log_level): expected one of'),
    );
    assert.equal((await get()).log_level, 'debug', 'the last good configuration stays');

    server.kv.put(`${PREFIX}/log_level`, 'info');
    server.kv.put(`${PREFIX}/rest_api/port`, String(port + 1));
    await until('restart required', () => out.includes('restart required by rest_api.port'));
    server.kv.put(`${PREFIX}/hook_max_attempts`, 'many'); // within the grace period: a restart would not load
    await until('the restart postponed', () => out.includes('restart postponed: the new configuration is invalid'));
    assert.equal((await get()).port, port, 'still serving');
    server.kv.put(`${PREFIX}/hook_max_attempts`, '5');
    await until('restart required again', () => out.split('restart required by rest_api.port').length === 3);
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), 5_000))),
    ]);
    clearTimeout(timer);
    assert.equal(code, 75, out);
    assert.match(out, /exiting with code 75/);
  } finally {
    child.kill('SIGKILL');
  }
});
