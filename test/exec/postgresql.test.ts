/**
 * `wazo-config exec postgresql` with a real PostgreSQL 15 (run as the postgres user, as Debian's
 * packaging runs it) against the Consul-compatible test server: it starts with the rendered
 * settings; a mutable change is applied by reload (same postmaster); a restart-only change
 * restarts it with the new value; an invalid value and an injection attempt are refused while
 * PostgreSQL keeps serving its last good file; Consul away, PostgreSQL keeps running and the
 * changes made meanwhile are applied once Consul is back; SIGTERM stops it and deregisters it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAST_BLOCKING } from '../consul-server/harness.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { missingTool } from '../missing-tool.ts';
import { asUser, freePort, passing, registered, until, Wrapper } from './helpers.ts';

const BIN = '/usr/lib/postgresql/15/bin';
const skip =
  missingTool(`${BIN}/postgres`, ['--version'], 'postgresql-15') ||
  missingTool('psql', ['--version'], 'postgresql-15') ||
  missingTool('setpriv', ['--version'], 'util-linux');
const INJECTION = "x'\nshared_preload_libraries = 'evil";
const P = 'config/postgresql';

describe('wazo-config exec postgresql, with a real PostgreSQL', { skip }, () => {
  let server: ConsulTestServer;
  let dir: string;
  let port: number;
  let wrapper: Wrapper;
  const rendered = () => join(dir, 'conf.d', '50-wazo-config.conf');
  const sql = (query: string) =>
    execFileSync(
      'psql',
      ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-At', '-c', query],
      { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] },
    ).replace(/\n$/, '');
  const startTime = () => sql('SELECT pg_postmaster_start_time()');

  before(async () => {
    server = await startConsulServer({ blocking: FAST_BLOCKING });
    dir = mkdtempSync(join(tmpdir(), 'wazo-exec-pg-'));
    const data = join(dir, 'data');
    mkdirSync(data, { mode: 0o700 });
    mkdirSync(join(dir, 'conf.d'));
    if (process.getuid?.() === 0) {
      const { uid, gid } = {
        uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
        gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
      };
      for (const d of [dir, data]) chownSync(d, uid, gid);
    }
    execFileSync(
      asUser('postgres')[0] ?? `${BIN}/initdb`,
      [
        ...asUser('postgres').slice(1),
        ...(asUser('postgres').length ? [`${BIN}/initdb`] : []),
        '-D',
        data,
        '--auth=trust',
        '-U',
        'postgres',
        '--no-sync',
      ],
      { stdio: 'ignore' },
    );
    // As Debian's postgresql.conf does, the main file includes a conf.d directory: the rendered drop-in goes there.
    appendFileSync(join(data, 'postgresql.conf'), `\ninclude_dir = '${join(dir, 'conf.d')}'\n`);
    port = await freePort();
    server.kv.put(`${P}/port`, String(port));
    server.kv.put(`${P}/listen_addresses`, '127.0.0.1');
    server.kv.put(`${P}/max_connections`, '50');
    wrapper = new Wrapper(
      [
        'postgresql',
        '--render-dir',
        join(dir, 'conf.d'),
        '--grace',
        '20',
        '--',
        ...asUser('postgres'),
        `${BIN}/postgres`,
        '-D',
        data,
      ],
      {
        ...process.env,
        WAZO_CONSUL_HOST: '127.0.0.1',
        WAZO_CONSUL_PORT: String(server.port),
        WAZO_CONSUL_FILE: '',
        POSTGRESQL_UNIX_SOCKET_DIRECTORIES: dir,
        POSTGRESQL_SHARED_BUFFERS: '16MB',
        POSTGRESQL_SERVICE_DISCOVERY_ADVERTISE_ADDRESS: '127.0.0.1',
        POSTGRESQL_SERVICE_DISCOVERY_ADVERTISE_PORT: String(port),
        POSTGRESQL_SERVICE_DISCOVERY_TTL_INTERVAL: '2',
        POSTGRESQL_SERVICE_DISCOVERY_REFRESH_INTERVAL: '0.5',
        POSTGRESQL_SERVICE_DISCOVERY_RETRY_INTERVAL: '0.3',
      },
    );
  });
  after(async () => {
    wrapper?.kill('SIGKILL');
    try {
      execFileSync('pkill', ['-KILL', '-f', `postgres -D ${join(dir, 'data')}`]);
    } catch {
      // nothing left to stop
    }
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts PostgreSQL with the rendered settings and registers it as passing', async () => {
    await until('PostgreSQL answering', () => sql('SHOW max_connections'));
    assert.equal(sql('SHOW max_connections'), '50');
    assert.equal(sql('SHOW port'), String(port));
    assert.match(readFileSync(rendered(), 'utf8'), /^max_connections = 50$/m);
    const [instance] = await until(
      'postgresql passing in Consul',
      async () => (await passing(server, 'postgresql'))[0] && passing(server, 'postgresql'),
    );
    assert.equal(instance!.Service.Port, port);
  });

  it('applies a mutable change by reload: new value, same postmaster', async () => {
    const started = startTime();
    const mark = wrapper.mark;
    server.kv.put(`${P}/log_min_messages`, 'info');
    await until('log_min_messages = info', () => sql('SHOW log_min_messages') === 'info');
    assert.equal(startTime(), started, 'not restarted');
    await wrapper.line(
      /postgresql: applied live: log_min_messages: "warning" → "info" \(consul config\/postgresql\/log_min_messages\)/,
      mark,
    );
  });

  it('restarts it for a restart-only change, with the new value', async () => {
    const started = startTime();
    const mark = wrapper.mark;
    server.kv.put(`${P}/max_connections`, '60');
    await until('max_connections = 60', () => sql('SHOW max_connections') === '60', 60_000);
    assert.notEqual(startTime(), started, 'restarted');
    await wrapper.line(/postgresql: restarting the daemon: max_connections: 50 → 60/, mark);
  });

  it('refuses an invalid value and an injection attempt; PostgreSQL keeps serving its last good file', async () => {
    const good = readFileSync(rendered(), 'utf8');
    const started = startTime();
    let mark = wrapper.mark;
    server.kv.put(`${P}/max_connections`, 'lots');
    // One log line: the service, the key, its source, the reason, and that nothing changes.
    await wrapper.line(
      /^error: postgresql: invalid configuration \(1 problem\): max_connections \(consul config\/postgresql\/max_connections\): expected an integer, got "lots".*; change rejected: the last good configuration stays in use$/,
      mark,
    );
    mark = wrapper.mark;
    server.kv.put(`${P}/max_connections`, '60');
    server.kv.put(`${P}/log_line_prefix`, INJECTION);
    const refused = await wrapper.line(
      /change not applied: log_line_prefix .*cannot be written to .*50-wazo-config\.conf \(postgresql\): it holds a control character/,
      mark,
    );
    assert.match(refused, /the daemon keeps running on its last good files/);
    assert.equal(readFileSync(rendered(), 'utf8'), good, 'the file is the last good one');
    assert.doesNotMatch(readFileSync(rendered(), 'utf8'), /evil/);
    assert.equal(sql('SHOW shared_preload_libraries'), '');
    assert.equal(sql('SHOW max_connections'), '60');
    assert.equal(startTime(), started, 'still the same postmaster');
    // A hostile value a postgresql.conf string can carry arrives byte for byte.
    const hostile = "it's \\ %m [%p] ";
    server.kv.put(`${P}/log_line_prefix`, hostile);
    await until('the hostile prefix', () => sql('SHOW log_line_prefix') === hostile);
  });

  it('keeps PostgreSQL running while Consul is away, and applies the changes made meanwhile once it is back', async () => {
    const started = startTime();
    const mark = wrapper.mark;
    await server.faults.refuseConnections();
    await wrapper.line(/postgresql: .*(did not answer|refused|ECONNREFUSED)/, mark);
    server.kv.put(`${P}/log_min_messages`, 'notice');
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(sql('SHOW log_min_messages'), 'info', 'nothing applied while Consul is away');

    await server.faults.acceptConnections();
    await until('log_min_messages = notice', () => sql('SHOW log_min_messages') === 'notice', 30_000);
    assert.equal(startTime(), started);
  });

  it('passes SIGTERM to PostgreSQL, deregisters it and exits with its code', async () => {
    const mark = wrapper.mark;
    wrapper.kill('SIGTERM');
    const { code } = await wrapper.exited;
    assert.equal(code, 0);
    await wrapper.line(/postgresql: deregistered postgresql/, mark, 1_000);
    assert.deepEqual(await registered(server, 'postgresql'), []);
  });
});
