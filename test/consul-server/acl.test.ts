import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { b64, startFixture, type Fixture } from './harness.ts';

const WRITER_ID = '11111111-2222-3333-4444-555555555555';
let f: Fixture;
before(async () => {
  f = await startFixture({
    acl: {
      tokens: {
        root: 'management',
        reader: { rules: { key_prefix: { 'app/': 'read' } } },
        writer: {
          accessorId: WRITER_ID,
          rules: { key_prefix: { 'app/': 'write', 'app/secret/': 'deny' }, service_prefix: { web: 'write' } },
        },
      },
    },
  });
  f.server.kv.put('app/x', 'x');
  f.server.kv.put('app/secret/pw', 'hunter2');
  f.server.kv.put('other/y', 'y');
});
after(async () => {
  await f.close();
});

const put = (path: string, init: { headers?: Record<string, string> } = {}): Promise<Response> =>
  fetch(`${f.server.url}${path}`, { method: 'PUT', body: 'v', headers: init.headers });

describe('ACL denial (§5)', () => {
  it('no token → the anonymous token: 403 with the exact modern text', async () => {
    const res = await fetch(`${f.server.url}/v1/kv/app/x`);
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(
      await res.text(),
      'Permission denied: anonymous token lacks permission \'key:read\' on "app/x". The anonymous token is used implicitly when a request does not specify a token.',
    );
    assert.equal(res.headers.get('x-consul-default-acl-policy'), 'deny');
  });

  for (const [form, build] of [
    ['?token=', (t: string) => ({ path: `?token=${t}`, headers: {} })],
    ['X-Consul-Token', (t: string) => ({ path: '', headers: { 'X-Consul-Token': t } })],
    ['Authorization: Bearer', (t: string) => ({ path: '', headers: { Authorization: `Bearer ${t}` } })],
    [
      'authorization: bearer (any case)',
      (t: string) => ({ path: '', headers: { authorization: `bEaReR ${t} extra` } }),
    ],
  ] as const) {
    it(`token via ${form}: write allowed for the writer, 403 Permission denied for the reader`, async () => {
      const w = build('writer');
      const ok = await put(`/v1/kv/app/new${w.path}`, { headers: w.headers });
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), 'true');
      const r = build('reader');
      const denied = await put(`/v1/kv/app/new${r.path}`, { headers: r.headers });
      assert.equal(denied.status, 403);
      const body = await denied.text();
      assert.ok(body.startsWith('Permission denied'), body);
      assert.match(
        body,
        /^Permission denied: token with AccessorID '[0-9a-f-]+' lacks permission 'key:write' on "app\/new"$/,
      );
      const got = await fetch(`${f.server.url}/v1/kv/app/x${r.path}`, { headers: r.headers });
      assert.equal(got.status, 200);
    });
  }

  it('the detailed text names the accessor ID', async () => {
    const res = await put('/v1/kv/other/z', { headers: { 'X-Consul-Token': 'writer' } });
    assert.equal(res.status, 403);
    assert.equal(
      await res.text(),
      `Permission denied: token with AccessorID '${WRITER_ID}' lacks permission 'key:write' on "other/z"`,
    );
  });

  it('?token= wins over X-Consul-Token, which wins over Bearer', async () => {
    let res = await put('/v1/kv/app/p?token=reader', { headers: { 'X-Consul-Token': 'writer' } });
    assert.equal(res.status, 403);
    res = await put('/v1/kv/app/p', { headers: { 'X-Consul-Token': 'reader', Authorization: 'Bearer writer' } });
    assert.equal(res.status, 403);
    res = await put('/v1/kv/app/p', { headers: { 'X-Consul-Token': 'writer', Authorization: 'Bearer reader' } });
    assert.equal(res.status, 200);
  });

  it('an unknown token → 403 ACL not found', async () => {
    const res = await fetch(`${f.server.url}/v1/kv/app/x`, { headers: { 'X-Consul-Token': 'nope' } });
    assert.equal(res.status, 403);
    assert.equal(await res.text(), 'ACL not found');
  });

  it('recurse and keys filter instead of denying, and say so', async () => {
    const res = await fetch(`${f.server.url}/v1/kv/app/?recurse`, { headers: { 'X-Consul-Token': 'writer' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-consul-results-filtered-by-acls'), 'true');
    assert.deepEqual(
      ((await res.json()) as { Key: string }[])
        .map((e) => e.Key)
        .filter((k) => k.startsWith('app/'))
        .includes('app/secret/pw'),
      false,
    );
    const keys = await fetch(`${f.server.url}/v1/kv/?keys`, { headers: { 'X-Consul-Token': 'reader' } });
    const list = (await keys.json()) as string[];
    assert.ok(!list.includes('other/y'));
    assert.ok(list.includes('app/x'));
    const root = await fetch(`${f.server.url}/v1/kv/?recurse`, { headers: { 'X-Consul-Token': 'root' } });
    assert.equal(root.headers.get('x-consul-results-filtered-by-acls'), null);
  });

  it('without a token the filtered header is masked: a hidden prefix is a plain 404, only the default policy tells', async () => {
    // maskResultsFilteredByACLs (agent/consul/rpc.go): the header is dropped for requests that carry no token.
    const res = await fetch(`${f.server.url}/v1/kv/app/?recurse`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('x-consul-results-filtered-by-acls'), null);
    assert.equal(res.headers.get('x-consul-default-acl-policy'), 'deny');
    assert.ok(Number(res.headers.get('x-consul-index')) >= 1);
    const health = await fetch(`${f.server.url}/v1/health/service/web`);
    assert.equal(health.headers.get('x-consul-results-filtered-by-acls'), null);
  });

  it('delete-tree needs write on the whole prefix (a deny rule below it blocks it)', async () => {
    const res = await fetch(`${f.server.url}/v1/kv/app/?recurse`, {
      method: 'DELETE',
      headers: { 'X-Consul-Token': 'writer' },
    });
    assert.equal(res.status, 403);
    assert.equal(f.server.kv.value('app/x'), 'x');
  });

  it('txn: ACL denials are per-op 409 errors, not 403', async () => {
    const res = await fetch(`${f.server.url}/v1/txn`, {
      method: 'PUT',
      headers: { 'X-Consul-Token': 'writer' },
      body: JSON.stringify([
        { KV: { Verb: 'set', Key: 'app/t', Value: b64('1') } },
        { KV: { Verb: 'set', Key: 'other/t', Value: b64('1') } },
      ]),
    });
    assert.equal(res.status, 409);
    const body = (await res.json()) as { Errors: { OpIndex: number; What: string }[] };
    assert.equal(body.Errors.length, 1);
    assert.equal(body.Errors[0]!.OpIndex, 1);
    assert.match(body.Errors[0]!.What, /^Permission denied/);
    assert.equal(f.server.kv.get('app/t'), undefined);
  });

  it('status/leader needs no token; agent/self needs agent:read; register needs service:write', async () => {
    assert.equal((await fetch(`${f.server.url}/v1/status/leader`)).status, 200);
    assert.equal((await fetch(`${f.server.url}/v1/agent/self`)).status, 403);
    assert.equal((await fetch(`${f.server.url}/v1/agent/self?token=root`)).status, 200);
    const reg = (token: string, name: string): Promise<Response> =>
      fetch(`${f.server.url}/v1/agent/service/register`, {
        method: 'PUT',
        headers: { 'X-Consul-Token': token },
        body: JSON.stringify({ Name: name }),
      });
    assert.equal((await reg('writer', 'web')).status, 200);
    assert.equal((await reg('writer', 'db')).status, 403);
  });

  it('the consul client: defaults.token works; a long 403 body becomes "forbidden"', async () => {
    const root = f.client({ defaults: { token: 'root' } });
    assert.equal(await root.kv.set('other/by-client', 'v'), true);
    const anon = f.client();
    await assert.rejects(anon.kv.get('other/by-client'), (err: Error & { statusCode?: number }) => {
      assert.equal(err.statusCode, 403);
      assert.equal(err.message, 'consul: kv.get: forbidden');
      return true;
    });
  });

  it('legacyDenyMessage: exactly "Permission denied", which papi surfaces as the message', async () => {
    const legacy = await startFixture({ acl: { tokens: { root: 'management' }, legacyDenyMessage: true } });
    try {
      const res = await fetch(`${legacy.server.url}/v1/kv/x`, { method: 'PUT', body: 'v' });
      assert.equal(res.status, 403);
      assert.equal(await res.text(), 'Permission denied');
      await assert.rejects(legacy.consul.kv.get('x'), /^Error: consul: kv\.get: Permission denied$/);
    } finally {
      await legacy.close();
    }
  });

  it('ACLs off (the dev default): tokens are ignored, the policy header says allow', async () => {
    const open = await startFixture();
    try {
      const res = await fetch(`${open.server.url}/v1/kv/x?token=whatever`, { method: 'PUT', body: 'v' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-consul-default-acl-policy'), 'allow');
    } finally {
      await open.close();
    }
  });
});
