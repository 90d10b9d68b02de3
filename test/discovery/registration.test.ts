/**
 * The registration helper in-process against the Consul test server: Wazo's Registerer rules
 * (the `auto` address, tags, the TTL check) and ServiceCatalogRegistration's life cycle.
 */
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { after, before, describe, it } from 'node:test';
import Consul from 'consul';
import * as calld from '../../generated/wazo-calld/config.ts';
import {
  advertiseAddress,
  startRegistration,
  type ServiceDiscoverySettings,
  type ServiceRegistration,
} from '../../generator/runtime/index.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { memoryLogger } from '../helpers.ts';

const ipv4 = (address: string): NetworkInterfaceInfo => ({
  address,
  family: 'IPv4',
  netmask: '255.255.255.0',
  mac: '00:00:00:00:00:00',
  internal: false,
  cidr: null,
});
const ipv6 = (address: string): NetworkInterfaceInfo => ({
  address,
  family: 'IPv6',
  netmask: 'ffff::',
  mac: '00:00:00:00:00:00',
  internal: false,
  cidr: null,
  scopeid: 0,
});

describe('the auto address (Wazo Registerer)', () => {
  const auto = (iface: string) => ({ advertise_address: 'auto', advertise_address_interface: iface });
  const interfaces = {
    lo: [ipv4('127.0.0.1')],
    docker0: [ipv4('172.17.0.1')],
    ens3: [ipv6('fe80::1'), ipv4('10.0.0.3')],
    eth1: [ipv4('10.0.1.1')],
    wg0: [ipv4('10.9.0.1')],
  };

  it('takes an explicit address as it is', () => {
    assert.equal(
      advertiseAddress({ advertise_address: 'wazo.example.com', advertise_address_interface: 'eth0' }, interfaces),
      'wazo.example.com',
    );
  });
  it('takes the first IPv4 of the named interface, whatever its name', () => {
    assert.equal(advertiseAddress(auto('wg0'), interfaces), '10.9.0.1');
  });
  it('else the first eth*/en* interface with an IPv4, then lo, then 127.0.0.1', () => {
    assert.equal(advertiseAddress(auto('eth0'), interfaces), '10.0.0.3');
    assert.equal(
      advertiseAddress(auto('eth0'), { lo: [ipv4('127.0.0.2')], docker0: [ipv4('172.17.0.1')] }),
      '127.0.0.2',
    );
    assert.equal(advertiseAddress(auto('eth0'), { ens3: [ipv6('fe80::1')] }), '127.0.0.1');
  });
});

describe('startRegistration', () => {
  let server: ConsulTestServer;
  let consul: Consul;
  const running: ServiceRegistration[] = [];
  const settings: ServiceDiscoverySettings = {
    enabled: true,
    advertise_address: '10.0.0.7',
    advertise_address_interface: 'eth0',
    advertise_port: 9500,
    ttl_interval: 0.6,
    refresh_interval: 0.2,
    retry_interval: 0.1,
    extra_tags: ['edge'],
  };
  const start = (options: Partial<Parameters<typeof startRegistration>[0]> = {}) => {
    const registration = startRegistration({
      name: 'wazo-calld',
      settings,
      consul: { url: server.url, file: false },
      env: {},
      deregisterOn: [],
      logger: memoryLogger(),
      ...options,
    });
    running.push(registration);
    return registration;
  };
  const health = async (passing = true) =>
    (await consul.health.service({ service: 'wazo-calld', passing })) as {
      Service: { ID: string; Address: string; Port: number; Tags: string[]; Meta: Record<string, string> };
      Checks: { CheckID: string; Status: string; Type: string }[];
    }[];

  before(async () => {
    server = await startConsulServer();
    consul = new Consul(server.clientOptions);
  });
  after(async () => {
    await Promise.all(running.map((r) => r.stop()));
    consul.destroy();
    await server.close();
  });

  it('takes the generated service_discovery group as it is: the schema has every setting registration reads, and no other', () => {
    // The types agree at compile time (npm test type-checks this line); the names, here at run time.
    const fromConfig = (config: calld.Config): ServiceDiscoverySettings => config.service_discovery;
    void fromConfig;
    const inSchema = calld.service.settings
      .filter((s) => s.path[0] === 'service_discovery')
      .map((s) => s.path.slice(1).join('.'));
    const read: (keyof ServiceDiscoverySettings)[] = [
      'enabled',
      'advertise_address',
      'advertise_address_interface',
      'advertise_port',
      'ttl_interval',
      'refresh_interval',
      'retry_interval',
      'extra_tags',
    ];
    assert.deepEqual(inSchema.sort(), [...read].sort());
  });

  it('waits for its check, registers with Wazo tags and a TTL check, keeps it passing, and deregisters on stop', async () => {
    let ready = false;
    const logger = memoryLogger();
    const registration = start({ uuid: 'uuid-1', meta: { scheme: 'https' }, check: () => ready, logger });
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(registration.state(), 'waiting');
    assert.deepEqual(await health(false), []);
    ready = true;
    await registration.registered;
    assert.equal(registration.state(), 'registered');
    await new Promise((r) => setTimeout(r, 1000)); // past the TTL: the updates keep it passing
    const [row, ...more] = await health();
    assert.equal(more.length, 0);
    assert.deepEqual(
      {
        id: row!.Service.ID,
        address: row!.Service.Address,
        port: row!.Service.Port,
        tags: row!.Service.Tags,
        meta: row!.Service.Meta,
      },
      {
        id: registration.id,
        address: '10.0.0.7',
        port: 9500,
        tags: ['uuid-1', 'wazo-calld', 'edge'],
        meta: { scheme: 'https' },
      },
    );
    assert.deepEqual(
      row!.Checks.filter((c) => c.CheckID !== 'serfHealth').map((c) => [c.CheckID, c.Type, c.Status]),
      [[`service:${registration.id}`, 'ttl', 'passing']],
    );
    const registers = server.requests.filter((r) => r.path === '/v1/agent/service/register');
    assert.deepEqual(JSON.parse(registers.at(-1)!.body.toString()).Check, {
      CheckID: `service:${registration.id}`,
      TTL: '600ms',
    });
    await registration.stop();
    await registration.stop();
    assert.equal(registration.state(), 'stopped');
    assert.deepEqual(await health(false), []);
    assert.deepEqual(
      logger.lines.map((l) => l.replace(registration.id, 'ID').replace(/:\d+$/, ':PORT')),
      [
        `info: wazo-calld: registered wazo-calld (ID) at 10.0.0.7:9500 in Consul at ${server.url.replace(/:\d+$/, ':PORT')}`,
        `info: wazo-calld: deregistered wazo-calld (ID) at 10.0.0.7:9500 in Consul at ${server.url.replace(/:\d+$/, ':PORT')}`,
      ],
    );
  });

  it('registered means visible as passing in health, even when the agent syncs the catalog late', async () => {
    const slow = await startConsulServer({ agentSyncDelayMs: 400 });
    const client = new Consul(slow.clientOptions);
    const registration = startRegistration({
      name: 'wazo-calld',
      id: 'calld-sync',
      settings,
      consul: { url: slow.url, file: false },
      env: {},
      deregisterOn: [],
      logger: memoryLogger(),
    });
    try {
      await registration.registered;
      const rows = (await client.health.service({ service: 'wazo-calld', passing: true })) as {
        Service: { ID: string };
      }[];
      assert.deepEqual(
        rows.map((r) => r.Service.ID),
        ['calld-sync'],
      );
    } finally {
      await registration.stop();
      client.destroy();
      await slow.close();
    }
  });

  it('stop() when Consul already forgot the service: the 404 Unknown service ID means gone, not a failure', async () => {
    const logger = memoryLogger();
    const registration = start({
      id: 'calld-gone',
      logger,
      settings: { ...settings, refresh_interval: 30, ttl_interval: 60 },
    });
    await registration.registered;
    await consul.agent.service.deregister('calld-gone'); // an agent restart without state
    await registration.stop();
    assert.ok(
      logger.lines.some((l) =>
        /^info: wazo-calld: wazo-calld \(calld-gone\) .* was not registered \(any more\): nothing to deregister$/.test(
          l,
        ),
      ),
      logger.lines.join('\n'),
    );
    assert.ok(!logger.lines.some((l) => l.startsWith('error:')), logger.lines.join('\n'));
  });

  it('registers again when Consul forgot it (its TTL update fails)', async () => {
    const logger = memoryLogger();
    const registration = start({ id: 'calld-2', logger });
    await registration.registered;
    await consul.agent.service.deregister('calld-2'); // as after an agent restart without state
    await new Promise((r) => setTimeout(r, 700));
    assert.deepEqual(
      (await health()).map((row) => row.Service.ID),
      ['calld-2'],
    );
    assert.ok(
      logger.lines.some((l) =>
        /^warn: wazo-calld: the TTL update of wazo-calld \(calld-2\) .* failed: .*; registering again in 0\.1 s$/.test(
          l,
        ),
      ),
      logger.lines.join('\n'),
    );
    await registration.stop();
  });

  it('retries while Consul does not answer, and does nothing when disabled', async () => {
    const logger = memoryLogger();
    server.faults.failNext(2);
    const registration = start({ id: 'calld-3', logger });
    await registration.registered;
    assert.equal(
      logger.lines.filter(
        (l) => l.includes('cannot register wazo-calld (calld-3)') && l.includes('500 No cluster leader'),
      ).length,
      2,
      logger.lines.join('\n'),
    );
    await registration.stop();
    const before = server.requests.length;
    const disabled = start({ settings: { ...settings, enabled: false } });
    await disabled.registered;
    assert.equal(disabled.state(), 'disabled');
    await disabled.stop();
    assert.equal(server.requests.length, before);
  });
});
