/**
 * Service discovery end to end, with service processes and the Consul-compatible test server:
 * B depends on A and starts first, so it waits; A registers; B loads with A's discovered address
 * and serves https with a certificate and key from Consul KV, written to 0600 files; A moves and B
 * re-resolves; B's registration passes its TTL check and is gone after SIGTERM.
 */
import assert from 'node:assert/strict';
import { get } from 'node:https';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Consul from 'consul';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { makeTls, type TlsMaterial } from '../consul/helpers.ts';
import { consulEnv, discoveryProject, ServiceProcess, type DiscoveryProject } from './helpers.ts';

/** Registration every 0.2 s while not ready, a TTL of 1 s refreshed every 0.3 s. */
const registering = (prefix: string) => ({
  [`${prefix}_SERVICE_DISCOVERY_ENABLED`]: 'true',
  [`${prefix}_SERVICE_DISCOVERY_ADVERTISE_ADDRESS`]: '127.0.0.1',
  [`${prefix}_SERVICE_DISCOVERY_TTL_INTERVAL`]: '1',
  [`${prefix}_SERVICE_DISCOVERY_REFRESH_INTERVAL`]: '0.3',
  [`${prefix}_SERVICE_DISCOVERY_RETRY_INTERVAL`]: '0.2',
});

interface HealthRow {
  Service: { ID: string; Service: string; Port: number; Tags: string[]; Meta: Record<string, string> };
  Checks: { CheckID: string; Status: string; Type: string }[];
}

function httpsGet(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('discovery end to end', () => {
  let server: ConsulTestServer;
  let consul: Consul;
  let project: DiscoveryProject;
  let tls: TlsMaterial;
  const processes: ServiceProcess[] = [];
  const start = (service: 'wazo-a' | 'wazo-b', env: Record<string, string>) => {
    const p = new ServiceProcess(project.configTs(service), { ...consulEnv(server.port), ...env });
    processes.push(p);
    return p;
  };

  before(async () => {
    [server, project, tls] = await Promise.all([startConsulServer(), discoveryProject(), makeTls()]);
    consul = new Consul(server.clientOptions);
  });
  after(async () => {
    processes.forEach((p) => p.kill('SIGKILL'));
    consul.destroy();
    await server.close();
    project.cleanup();
    tls.cleanup();
  });

  it('B waits for A, discovers it, serves https from KV material, follows A when it moves, and deregisters on SIGTERM', async () => {
    server.kv.put('config/wazo-b/tls/certificate', tls.cert);
    server.kv.put('config/wazo-b/tls/private_key', tls.key);

    // B first: nothing in Consul yet, so it waits.
    const b = start('wazo-b', registering('WAZO_B'));
    await b.logLine(
      /^info: wazo-b: waiting for wazo-a: no passing instance in Consul at http:\/\/127\.0\.0\.1:\d+ yet/,
    );
    assert.equal(b.events.length, 0, 'B has not loaded');

    // A registers; B loads with A's address.
    const a1 = start('wazo-a', registering('WAZO_A'));
    const a1Registered = await a1.event('registered');
    const loaded = await b.event('loaded');
    assert.deepEqual(loaded.a, {
      host: '127.0.0.1',
      port: a1Registered.port,
      scheme: 'http',
      https: false,
      prefix: null,
    });
    assert.equal(loaded.aSource, 'discovered wazo-a');
    await b.logLine(/^info: wazo-b: wazo-a is up at http:\/\/127\.0\.0\.1:\d+ \(waited \d+\.\d s\)$/);

    // The certificate and key from KV: 0600 files in a 0700 directory, which B's https server started with.
    const pem = loaded.pem as {
      dir: string;
      dirMode: string;
      files: Record<string, string>;
      modes: Record<string, string>;
    };
    assert.equal(pem.dirMode, '700');
    assert.deepEqual(pem.modes, { 'tls.certificate': '600', 'tls.private_key': '600' });
    assert.equal(readFileSync(pem.files['tls.certificate']!, 'utf8'), tls.cert);
    const bRegistered = await b.event('registered');
    assert.equal(bRegistered.secure, true);
    assert.equal(await httpsGet(bRegistered.port as number, readFileSync(tls.caFile, 'utf8')), '{"service":"wazo-b"}');

    // B in Consul: its tags and meta, and a TTL check that stays passing past its TTL.
    await new Promise((r) => setTimeout(r, 1500));
    const rows = (await consul.health.service({ service: 'wazo-b', passing: true })) as HealthRow[];
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.equal(row!.Service.ID, bRegistered.id);
    assert.equal(row!.Service.Port, bRegistered.port);
    assert.deepEqual(row!.Service.Tags, ['a8f5c2e0-test-uuid', 'wazo-b']);
    assert.deepEqual(row!.Service.Meta, { scheme: 'https' });
    const check = row!.Checks.find((c) => c.CheckID === `service:${String(bRegistered.id)}`);
    assert.deepEqual([check?.Type, check?.Status], ['ttl', 'passing']);

    // A moves: it stops (deregistered: B keeps its last address) and starts again on another port; B follows.
    const seen = b.events.length;
    a1.kill();
    assert.equal((await a1.exited).signal, 'SIGTERM');
    const a1Address = `http://127.0.0.1:${String(a1Registered.port)}`;
    await b.logLine(new RegExp(`^info: wazo-b: wazo-a has no passing instance in Consul: a keeps ${a1Address}$`));
    const a2 = start('wazo-a', registering('WAZO_A'));
    const a2Registered = await a2.event('registered');
    assert.notEqual(a2Registered.port, a1Registered.port);
    const moved = await b.event('moved', seen);
    assert.deepEqual(moved, {
      event: 'moved',
      service: 'wazo-a',
      keys: ['a'],
      before: a1Address,
      after: `http://127.0.0.1:${String(a2Registered.port)}`,
    });
    const reresolved = await b.event('reresolved', seen);
    assert.deepEqual(
      [reresolved.a, reresolved.aSource],
      [{ ...(loaded.a as object), port: a2Registered.port }, 'discovered wazo-a'],
    );

    // SIGTERM: B deregisters, then the signal ends it.
    b.kill('SIGTERM');
    assert.deepEqual(await b.exited, { code: null, signal: 'SIGTERM' });
    assert.ok(
      b.log.some((l) => /^info: wazo-b: deregistered wazo-b \(/.test(l)),
      b.log.join('\n'),
    );
    assert.deepEqual(await consul.health.service({ service: 'wazo-b' }), []);
    assert.ok(
      !Object.values((await consul.agent.service.list()) as Record<string, { Service: string }>).some(
        (s) => s.Service === 'wazo-b',
      ),
    );
    a2.kill();
    await a2.exited;
  });
});
