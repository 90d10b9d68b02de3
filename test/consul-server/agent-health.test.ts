import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep, startFixture, type Fixture } from './harness.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.close();
});

interface HealthRow {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Tags: string[]; Port: number; Address: string };
  Checks: { CheckID: string; Status: string; Output: string; Type: string; ServiceID: string }[];
}

const health = async (path: string): Promise<{ status: number; index: number; rows: HealthRow[]; ms: number }> => {
  const t0 = performance.now();
  const res = await fetch(`${f.server.url}/v1/health/service/${path}`);
  const rows = (await res.json()) as HealthRow[];
  return { status: res.status, index: Number(res.headers.get('x-consul-index')), rows, ms: performance.now() - t0 };
};

describe('status and agent/self', () => {
  it('status.leader is "127.0.0.1:8300" (a JSON string); peers likewise', async () => {
    assert.equal(await f.consul.status.leader(), '127.0.0.1:8300');
    assert.deepEqual(await f.consul.status.peers(), ['127.0.0.1:8300']);
    const res = await fetch(`${f.server.url}/v1/status/leader`);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(await res.text(), '"127.0.0.1:8300"');
    assert.equal(res.headers.get('x-consul-index'), null);
  });

  it('agent/self: every top-level value is an object', async () => {
    const self = (await f.consul.agent.self()) as Record<string, unknown> & {
      Config: { Datacenter: string; NodeName: string };
    };
    for (const [k, v] of Object.entries(self)) assert.ok(v === null || (typeof v === 'object' && !Array.isArray(v)), k);
    assert.equal(self.Config.Datacenter, 'dc1');
    assert.equal(self.Config.NodeName, 'dev');
  });
});

describe('service registration and TTL health', () => {
  it('register answers 200 with an empty body and no Content-Type', async () => {
    const res = await fetch(`${f.server.url}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ Name: 'plain' }),
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
    assert.equal(res.headers.get('content-type'), null);
    const services = (await f.consul.agent.service.list()) as Record<string, { Service: string }>;
    assert.equal(services.plain?.Service, 'plain');
    await f.consul.agent.service.deregister('plain');
  });

  it('a TTL check starts critical, passes on check/pass, and turns critical when the TTL runs out', async () => {
    await f.consul.agent.service.register({
      name: 'web',
      id: 'web1',
      port: 8080,
      tags: ['v1'],
      check: { ttl: '300ms' },
    } as never);
    let all = (await f.consul.health.service('web')) as HealthRow[];
    assert.equal(all.length, 1);
    assert.equal(all[0]!.Service.Port, 8080);
    assert.equal(all[0]!.Node.Address, '127.0.0.1');
    assert.deepEqual(
      all[0]!.Checks.map((c) => [c.CheckID, c.Status, c.Type]),
      [
        ['serfHealth', 'passing', ''],
        ['service:web1', 'critical', 'ttl'],
      ],
    );
    assert.deepEqual(await f.consul.health.service({ service: 'web', passing: true }), []);

    await f.consul.agent.check.pass({ id: 'service:web1', note: 'all good' });
    const passing = (await f.consul.health.service({ service: 'web', passing: true })) as HealthRow[];
    assert.equal(passing.length, 1);
    assert.equal(passing[0]!.Checks[1]!.Output, 'all good');

    await sleep(450);
    all = (await f.consul.health.service('web')) as HealthRow[];
    assert.equal(all[0]!.Checks[1]!.Status, 'critical');
    assert.equal(all[0]!.Checks[1]!.Output, 'TTL expired');
    assert.deepEqual(await f.consul.health.service({ service: 'web', passing: true }), []);
    await f.consul.agent.service.deregister('web1');
  });

  it('?passing drops warning too; ?passing=false does not filter; a bad value → 400', async () => {
    await f.consul.agent.service.register({
      name: 'api',
      id: 'api1',
      check: { ttl: '10s', status: 'passing' },
    } as never);
    await f.consul.agent.service.register({
      name: 'api',
      id: 'api2',
      check: { ttl: '10s', status: 'passing' },
    } as never);
    await f.consul.agent.check.warn('service:api2');
    assert.deepEqual(
      (await health('api?passing')).rows.map((r) => r.Service.ID),
      ['api1'],
    );
    assert.deepEqual(
      (await health('api?passing=1')).rows.map((r) => r.Service.ID),
      ['api1'],
    );
    assert.deepEqual(
      (await health('api?passing=false')).rows.map((r) => r.Service.ID),
      ['api1', 'api2'],
    );
    const bad = await fetch(`${f.server.url}/v1/health/service/api?passing=maybe`);
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), 'Invalid value for ?passing');
    await f.consul.agent.service.deregister('api1');
    await f.consul.agent.service.deregister('api2');
  });

  it('health blocks on the service index and returns when a check changes', async () => {
    await f.consul.agent.service.register({ name: 'blk', id: 'blk1', check: { ttl: '10s' } } as never);
    const first = await health('blk?passing');
    assert.equal(first.rows.length, 0);
    const pending = health(`blk?passing&index=${first.index}&wait=10s`);
    await sleep(50);
    f.server.kv.put('unrelated', 'x'); // other writes do not move a service's index
    await sleep(50);
    await f.consul.agent.check.pass('service:blk1');
    const r = await pending;
    assert.equal(r.rows.length, 1);
    assert.ok(r.index > first.index);
    assert.ok(r.ms >= 90 && r.ms < 5000, `${r.ms} ms: released by the check, well before the 10 s wait`);
    // With the client: options index + wait.
    const t0 = performance.now();
    await f.consul.health.service({ service: 'blk', index: String(r.index), wait: '150ms' } as never);
    assert.ok(performance.now() - t0 >= 140);
    await f.consul.agent.service.deregister('blk1');
  });

  it('an unknown service → 200 [] (index ≥ 1), and a blocked query returns when it appears', async () => {
    const first = await health('ghost');
    assert.equal(first.status, 200);
    assert.deepEqual(first.rows, []);
    assert.ok(first.index >= 1);
    const pending = health(`ghost?index=${first.index}&wait=2s`);
    await sleep(50);
    await f.consul.agent.service.register({ name: 'ghost', id: 'ghost1', port: 1 } as never);
    const r = await pending;
    assert.equal(r.rows.length, 1);
    // No service checks: only serfHealth, so it counts as passing.
    assert.equal((await health('ghost?passing')).rows.length, 1);
    await f.consul.agent.service.deregister('ghost1');
    assert.deepEqual((await health('ghost')).rows, []);
  });

  it('tags filter (AND); catalog ignores health; catalog/services lists consul', async () => {
    await f.consul.agent.service.register({
      name: 'tagged',
      id: 't1',
      tags: ['a', 'b'],
      check: { ttl: '10s' },
    } as never);
    await f.consul.agent.service.register({ name: 'tagged', id: 't2', tags: ['a'] } as never);
    assert.deepEqual(
      (await health('tagged?tag=a&tag=b')).rows.map((r) => r.Service.ID),
      ['t1'],
    );
    const nodes = (await f.consul.catalog.service.nodes('tagged')) as { ServiceID: string; Node: string }[];
    assert.deepEqual(
      nodes.map((n) => n.ServiceID),
      ['t1', 't2'],
    );
    assert.equal(nodes[0]!.Node, 'dev');
    const services = (await f.consul.catalog.service.list()) as Record<string, string[]>;
    assert.deepEqual(services.consul, []);
    assert.deepEqual(services.tagged, ['a', 'b']);
    await f.consul.agent.service.deregister('t1');
    await f.consul.agent.service.deregister('t2');
  });

  it('Checks[] get service:<id>:N IDs; check/update sets status and output; unknown check → 404', async () => {
    await f.consul.agent.service.register({
      name: 'multi',
      id: 'm1',
      checks: [{ ttl: '10s' }, { ttl: '10s', status: 'passing' }],
    } as never);
    const checks = (await f.consul.agent.check.list()) as Record<string, { Status: string }>;
    assert.equal(checks['service:m1:1']?.Status, 'critical');
    assert.equal(checks['service:m1:2']?.Status, 'passing');
    const upd = await fetch(`${f.server.url}/v1/agent/check/update/service:m1:1`, {
      method: 'PUT',
      body: JSON.stringify({ Status: 'warning', Output: 'slow' }),
    });
    assert.equal(upd.status, 200);
    assert.equal(f.server.requests.at(-1)!.path, '/v1/agent/check/update/service:m1:1');
    const after = (await f.consul.agent.check.list()) as Record<string, { Status: string; Output: string }>;
    assert.deepEqual([after['service:m1:1']?.Status, after['service:m1:1']?.Output], ['warning', 'slow']);
    const unknown = await fetch(`${f.server.url}/v1/agent/check/pass/nope`, { method: 'PUT' });
    assert.equal(unknown.status, 404);
    assert.equal(
      await unknown.text(),
      'Unknown check ID "nope". Ensure that the check ID is passed, not the check name.',
    );
    await f.consul.agent.service.deregister('m1');
  });

  it('registration errors are 400 with Consul’s texts; deregistering an unknown ID is a 404', async () => {
    const reg = (body: unknown): Promise<[number, string]> =>
      fetch(`${f.server.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify(body) }).then(
        async (r) => [r.status, await r.text()],
      );
    assert.deepEqual(await reg({ Port: 1 }), [400, 'Missing service name']);
    assert.deepEqual(await reg({ Name: 'x', Bogus: 1 }), [400, 'Request decode failed: json: unknown field "Bogus"']);
    assert.deepEqual(await reg({ Name: 'x', Address: '0.0.0.0' }), [400, 'Invalid service address']);
    assert.deepEqual(await reg({ Name: 'x', Check: { TTL: '10s', Status: 'bad' } }), [
      400,
      "Status for checks must 'passing', 'warning', 'critical'",
    ]);
    // Lower-case and snake_case keys are accepted (python-consul style).
    assert.deepEqual(await reg({ name: 'lower', id: 'lower1', enable_tag_override: true, check: { ttl: '10s' } }), [
      200,
      '',
    ]);
    await f.consul.agent.service.deregister('lower1');
    // vetServiceUpdateWithAuthorizer (agent/acl.go); the old docs' "no-op" is consul issue #17218.
    const res = await fetch(`${f.server.url}/v1/agent/service/deregister/never-registered`, { method: 'PUT' });
    assert.equal(res.status, 404);
    assert.equal(await res.text(), 'Unknown service ID "never-registered"');
  });
});
