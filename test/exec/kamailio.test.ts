/**
 * `wazo-config exec kamailio` with a real Kamailio against the Consul-compatible test server: it
 * starts from the rendered #!define / #!substdef lines, is registered as passing in Consul once it
 * answers (and listens), takes a log level change live through kamcmd without restarting, keeps
 * running while Consul is away and takes the changes made meanwhile, and is deregistered when the
 * wrapper gets SIGTERM.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAST_BLOCKING } from '../consul-server/harness.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { missingTool } from '../missing-tool.ts';
import { freePort, passing, registered, until, Wrapper } from './helpers.ts';
import { tcpProbe } from '../../generator/runtime/exec/probe.ts';

const skip = missingTool('kamailio', ['-v'], 'kamailio') || missingTool('kamcmd', ['-h'], 'kamailio');
const P = 'config/kamailio';

describe('wazo-config exec kamailio, with a real Kamailio', { skip }, () => {
  let server: ConsulTestServer;
  let dir: string;
  let port: number;
  let wrapper: Wrapper;
  const kamcmd = (...args: string[]) =>
    execFileSync('kamcmd', ['-s', `unixs:${join(dir, 'ctl')}`, ...args], {
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  const upSince = () => /up_since: (.*)/.exec(kamcmd('core.uptime'))![1];

  before(async () => {
    server = await startConsulServer({ blocking: FAST_BLOCKING });
    dir = mkdtempSync(join(tmpdir(), 'wazo-exec-kamailio-'));
    port = await freePort();
    // kamailio.cfg as wazo-c4-router writes it: the rendered kamailio-local.cfg is imported, its names used.
    writeFileSync(
      join(dir, 'kamailio.cfg'),
      [
        '#!KAMAILIO',
        `import_file "${join(dir, 'kamailio-local.cfg')}"`,
        'debug=LOG_LEVEL',
        'log_stderror=yes',
        'children=1',
        'listen=LISTEN',
        'mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"',
        'loadmodule "ctl.so"',
        'loadmodule "cfg_rpc.so"',
        'loadmodule "sl.so"',
        'modparam("ctl", "binrpc", "CTL_SOCKET")',
        'request_route {',
        '  sl_send_reply("200", "OK");',
        '}',
        '',
      ].join('\n'),
    );
    server.kv.put(`${P}/listen`, `tcp:127.0.0.1:${port}`);
    wrapper = new Wrapper(
      [
        'kamailio',
        '--render-dir',
        dir,
        '--grace',
        '10',
        '--',
        'kamailio',
        '-f',
        join(dir, 'kamailio.cfg'),
        '-DD',
        '-E',
        '-Y',
        dir,
      ],
      {
        ...process.env,
        WAZO_CONSUL_HOST: '127.0.0.1',
        WAZO_CONSUL_PORT: String(server.port),
        KAMAILIO_CTL_SOCKET: `unixs:${join(dir, 'ctl')}`,
        KAMAILIO_SERVICE_DISCOVERY_ADVERTISE_ADDRESS: '127.0.0.1',
        KAMAILIO_SERVICE_DISCOVERY_ADVERTISE_PORT: String(port),
        KAMAILIO_SERVICE_DISCOVERY_TTL_INTERVAL: '2',
        KAMAILIO_SERVICE_DISCOVERY_REFRESH_INTERVAL: '0.5',
        KAMAILIO_SERVICE_DISCOVERY_RETRY_INTERVAL: '0.3',
      },
    );
  });
  after(async () => {
    wrapper?.kill('SIGKILL');
    try {
      execFileSync('pkill', ['-KILL', '-f', `kamailio -f ${join(dir, 'kamailio.cfg')}`]);
    } catch {
      // nothing left to stop
    }
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts Kamailio from the rendered #!define and #!substdef lines and registers it as passing once it answers', async () => {
    const [instance] = await until(
      'kamailio passing in Consul',
      async () => (await passing(server, 'kamailio'))[0] && passing(server, 'kamailio'),
    );
    assert.equal(instance!.Service.Port, port);
    assert.equal(await tcpProbe('127.0.0.1', port, 2_000), true, 'it listens on the rendered LISTEN');
    const local = readFileSync(join(dir, 'kamailio-local.cfg'), 'utf8');
    assert.match(local, new RegExp(`^#!substdef "!LISTEN!tcp:127\\.0\\.0\\.1:${port}!"$`, 'm'));
    assert.match(local, /^#!define LOG_LEVEL 2$/m);
    assert.equal(kamcmd('cfg.get', 'core', 'debug'), '2');
  });

  it('applies a log level change live with kamcmd, without restarting', async () => {
    const started = upSince();
    const mark = wrapper.mark;
    server.kv.put(`${P}/log_level`, '3');
    await until('debug = 3', () => kamcmd('cfg.get', 'core', 'debug') === '3');
    await wrapper.line(/kamailio: applied live: log_level: 2 → 3/, mark);
    assert.equal(upSince(), started);
  });

  it('keeps Kamailio running while Consul is away, and applies the changes made meanwhile once it is back', async () => {
    const started = upSince();
    const mark = wrapper.mark;
    await server.faults.refuseConnections();
    await wrapper.line(/kamailio: .*(did not answer|ECONNREFUSED|ECONNRESET)/, mark);
    server.kv.put(`${P}/log_level`, '1');
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(kamcmd('cfg.get', 'core', 'debug'), '3', 'nothing applied while Consul is away');
    await server.faults.acceptConnections();
    await until('debug = 1', () => kamcmd('cfg.get', 'core', 'debug') === '1', 30_000);
    assert.equal(upSince(), started);
  });

  it('deregisters Kamailio when the wrapper gets SIGTERM, and exits with its code', async () => {
    await until('kamailio passing again', async () => (await passing(server, 'kamailio')).length === 1);
    const mark = wrapper.mark;
    wrapper.kill('SIGTERM');
    const { code } = await wrapper.exited;
    assert.equal(code, 0);
    await wrapper.line(/kamailio: deregistered kamailio/, mark, 1_000);
    assert.deepEqual(await registered(server, 'kamailio'), []);
  });
});
