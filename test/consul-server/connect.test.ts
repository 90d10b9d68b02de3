import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingTool } from '../missing-tool.ts';
import { rawHttp, sleep, startFixture, type Fixture } from './harness.ts';

const skip = missingTool('openssl', ['version'], 'openssl');

interface Leaf {
  SerialNumber: string;
  CertPEM: string;
  PrivateKeyPEM: string;
  Service: string;
  ServiceURI: string;
  ValidAfter: string;
  ValidBefore: string;
  CreateIndex: number;
  ModifyIndex: number;
}
interface Roots {
  ActiveRootID: string;
  TrustDomain: string;
  Roots: { ID: string; RootCert: string; Active: boolean; IntermediateCerts: string[] | null; SerialNumber: number }[];
}

let dir: string;
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `openssl verify` of a leaf (and the intermediates that follow it in CertPEM) against a bundle of roots. */
/**
 * openssl's verdict on the leaf's chain, at a moment inside the leaf's validity: leaves live 4 s here, and a busy
 * machine can take longer than that between the read and the check (the expiry has tests of its own).
 */
function verify(leaf: Leaf, roots: string[]): { ok: boolean; output: string } {
  const blocks = leaf.CertPEM.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g) ?? [];
  const valid = Math.floor((Date.parse(leaf.ValidAfter) + Date.parse(leaf.ValidBefore)) / 2 / 1000);
  const args = [
    'verify',
    '-attime',
    String(valid),
    '-purpose',
    'sslserver',
    '-CAfile',
    file('roots.pem', roots.join('')),
  ];
  if (blocks.length > 1) args.push('-untrusted', file('chain.pem', blocks.slice(1).join('')));
  args.push(file('leaf.pem', blocks[0]!));
  const run = spawnSync('openssl', args, { encoding: 'utf8' });
  return { ok: run.status === 0, output: run.stdout + run.stderr };
}

function san(leaf: Leaf): string {
  return execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', file('san.pem', leaf.CertPEM)], {
    encoding: 'utf8',
  });
}

async function getJson<T>(
  f: Fixture,
  path: string,
  token?: string,
): Promise<{ status: number; index: number; body: T; text: string }> {
  const res = await rawHttp(f.server, 'GET', path, { headers: token ? { 'X-Consul-Token': token } : {} });
  return {
    status: res.status,
    index: Number(res.headers['x-consul-index']),
    body: (res.status === 200 ? JSON.parse(res.text) : undefined) as T,
    text: res.text,
  };
}

describe('Connect CA', { skip }, () => {
  let f: Fixture;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'connect-test-'));
    f = await startFixture({
      connect: { trustDomain: '11111111-2222-3333-4444-555555555555.consul', leafTtlMs: 4000, renewAtFraction: 0.5 },
      acl: {
        tokens: {
          web: { rules: { service: { web: 'write' } } },
          reader: { rules: { service_prefix: { '': 'read' } } },
        },
      },
    });
  });
  after(async () => {
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the roots with Consul field names; no ACL needed', async () => {
    const r = await getJson<Roots>(f, '/v1/agent/connect/ca/roots');
    assert.equal(r.status, 200);
    assert.equal(r.body.TrustDomain, '11111111-2222-3333-4444-555555555555.consul');
    assert.equal(r.body.Roots.length, 1);
    assert.equal(r.body.Roots[0]!.ID, r.body.ActiveRootID);
    assert.match(r.body.ActiveRootID, /^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    assert.equal(r.body.Roots[0]!.Active, true);
    assert.equal(r.body.Roots[0]!.IntermediateCerts, null);
    assert.ok(r.index > 0);
  });

  it('issues a leaf with the SPIFFE URI SAN, verified by openssl against the roots', async () => {
    const roots = await getJson<Roots>(f, '/v1/agent/connect/ca/roots');
    const r = await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'web');
    assert.equal(r.status, 200);
    const leaf = r.body;
    // A second read is the same certificate (the agent's cache).
    const again = await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'web');
    assert.equal(again.body.SerialNumber, leaf.SerialNumber);
    assert.deepEqual(Object.keys(leaf), [
      'SerialNumber',
      'CertPEM',
      'PrivateKeyPEM',
      'Service',
      'ServiceURI',
      'ValidAfter',
      'ValidBefore',
      'CreateIndex',
      'ModifyIndex',
    ]);
    const uri = 'spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/web';
    assert.equal(leaf.ServiceURI, uri);
    assert.match(san(leaf), new RegExp(`URI:${uri}`));
    assert.match(leaf.SerialNumber, /^[0-9a-f]{2}(:[0-9a-f]{2})*$/);
    assert.match(leaf.PrivateKeyPEM, /^-----BEGIN (EC )?PRIVATE KEY-----/);
    assert.equal(r.index, leaf.ModifyIndex);
    assert.equal(Date.parse(leaf.ValidBefore) - Date.parse(leaf.ValidAfter), 4000);
    const checked = verify(
      leaf,
      roots.body.Roots.map((x) => x.RootCert),
    );
    assert.ok(checked.ok, checked.output);
    // The key is the certificate's: openssl signs with it and checks with the certificate's public key.
    const sig = spawnSync('openssl', [
      'dgst',
      '-sha256',
      '-sign',
      file('k.pem', leaf.PrivateKeyPEM),
      '-out',
      join(dir, 's'),
      file('k.pem', leaf.PrivateKeyPEM),
    ]);
    assert.equal(sig.status, 0);
    const pub = execFileSync('openssl', ['x509', '-noout', '-pubkey', '-in', file('c.pem', leaf.CertPEM)], {
      encoding: 'utf8',
    });
    const ok = spawnSync('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      file('pub.pem', pub),
      '-signature',
      join(dir, 's'),
      join(dir, 'k.pem'),
    ]);
    assert.equal(ok.status, 0);
  });

  it('asks service:write for a leaf', async () => {
    const denied = await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'reader');
    assert.equal(denied.status, 403);
    assert.match(denied.text, /lacks permission 'service:write' on "web"/);
    assert.equal((await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/db', 'web')).status, 403);
    assert.equal((await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'nope')).status, 403);
  });

  it('a blocking leaf read returns when the agent renews it, before it expires', async () => {
    const first = await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'web');
    const t0 = Date.now();
    const next = await getJson<Leaf>(f, `/v1/agent/connect/ca/leaf/web?index=${first.index}&wait=10s`, 'web');
    assert.equal(next.status, 200);
    assert.notEqual(next.body.SerialNumber, first.body.SerialNumber);
    assert.ok(next.index > first.index);
    assert.ok(Date.now() - t0 < 10_000, 'woken by the renewal, not by the wait');
    assert.ok(Date.parse(first.body.ValidBefore) >= Date.parse(next.body.ValidAfter), 'renewed before expiry');
  });

  it('a blocking read with nothing new ends at its wait with the same leaf', async () => {
    f.server.connect!.renew('web');
    const first = await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'web');
    const same = await getJson<Leaf>(f, `/v1/agent/connect/ca/leaf/web?index=${first.index}&wait=300ms`, 'web');
    assert.equal(same.body.SerialNumber, first.body.SerialNumber);
    assert.equal(same.index, first.index);
  });

  it('rotates the roots: blocking reads wake, the old root stays trusted, new leaves chain to both', async () => {
    f.server.connect!.renew('web'); // its next renewal is 2 s away: what wakes the read below is the rotation
    const before = await getJson<Roots>(f, '/v1/agent/connect/ca/roots');
    const oldLeaf = await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'web');
    const rootsWait = getJson<Roots>(f, `/v1/agent/connect/ca/roots?index=${before.index}&wait=10s`);
    const leafWait = getJson<Leaf>(f, `/v1/agent/connect/ca/leaf/web?index=${oldLeaf.index}&wait=10s`, 'web');
    await sleep(50);
    const root = f.server.connect!.rotateRoots();
    const after = await rootsWait;
    assert.equal(after.body.ActiveRootID, root.id);
    assert.notEqual(after.body.ActiveRootID, before.body.ActiveRootID);
    assert.deepEqual(
      after.body.Roots.map((r) => r.Active),
      [false, true],
    );
    const newLeaf = (await leafWait).body;
    assert.notEqual(newLeaf.SerialNumber, oldLeaf.body.SerialNumber);
    const [oldRoot, newRoot] = after.body.Roots.map((r) => r.RootCert) as [string, string];
    let r = verify(newLeaf, [newRoot]);
    assert.ok(r.ok, r.output);
    r = verify(newLeaf, [oldRoot]);
    assert.ok(r.ok, `a peer that trusts only the old root accepts the new leaf: ${r.output}`);
    r = verify(oldLeaf.body, [oldRoot, newRoot]);
    assert.ok(r.ok, r.output);
    assert.equal(verify(oldLeaf.body, [newRoot]).ok, false);
    f.server.connect!.removeRoot(before.body.ActiveRootID);
    const pruned = await getJson<Roots>(f, '/v1/agent/connect/ca/roots');
    assert.deepEqual(
      pruned.body.Roots.map((x) => x.ID),
      [root.id],
    );
  });

  it('an expired leaf can be served as a fault', async () => {
    f.server.connect!.expireLeaf('web');
    const r = await getJson<Leaf>(f, '/v1/agent/connect/ca/leaf/web', 'web');
    assert.ok(Date.parse(r.body.ValidBefore) < Date.now());
    f.server.connect!.renew('web');
  });
});

describe('Connect authorize', { skip }, () => {
  let f: Fixture;
  const td = 'spiffe://22222222-2222-3333-4444-555555555555.consul';
  before(async () => {
    f = await startFixture({ connect: { trustDomain: td.slice('spiffe://'.length) } });
  });
  after(() => f?.close());

  const authorize = async (target: string, service: string, token?: string) => {
    const res = await rawHttp(f.server, 'POST', '/v1/agent/connect/authorize', {
      body: JSON.stringify({
        Target: target,
        ClientCertURI: `${td}/ns/default/dc/dc1/svc/${service}`,
        ClientCertSerial: '01',
      }),
      headers: token ? { 'X-Consul-Token': token } : {},
    });
    return {
      status: res.status,
      text: res.text,
      body: res.status === 200 ? (JSON.parse(res.text) as { Authorized: boolean; Reason: string }) : undefined,
    };
  };

  it('allows by default with ACLs off, then follows the intentions, exact names before *', async () => {
    assert.deepEqual((await authorize('db', 'web')).body, {
      Authorized: true,
      Reason: 'ACLs disabled, access is allowed by default',
    });
    f.server.connect!.setIntention('*', 'db', 'deny');
    f.server.connect!.setIntention('web', 'db', 'allow');
    assert.deepEqual((await authorize('db', 'web')).body, {
      Authorized: true,
      Reason: 'Matched L4 intention: web => db (allow)',
    });
    assert.deepEqual((await authorize('db', 'billing')).body, {
      Authorized: false,
      Reason: 'Matched L4 intention: * => db (deny)',
    });
  });

  it('refuses what is not a Connect service identifier, as Consul does', async () => {
    const bad = async (body: unknown) =>
      rawHttp(f.server, 'POST', '/v1/agent/connect/authorize', { body: JSON.stringify(body) });
    assert.deepEqual(
      [
        (await bad({ ClientCertURI: `${td}/ns/default/dc/dc1/svc/web` })).text,
        (await bad({ Target: 'db', ClientCertURI: 'https://x' })).text,
        (await bad({ Target: 'db', ClientCertURI: `${td}/agent/client/dc/dc1/id/x` })).text,
      ],
      [
        'Target service must be specified',
        'ClientCertURI not a valid Connect identifier',
        'ClientCertURI not a valid Service identifier',
      ],
    );
    assert.equal((await rawHttp(f.server, 'GET', '/v1/agent/connect/authorize')).status, 405);
  });

  it('with ACLs: service:write on the target, and the default policy when no intention matches', async () => {
    const g = await startFixture({ connect: true, acl: { tokens: { db: { rules: { service: { db: 'write' } } } } } });
    try {
      const res = await rawHttp(g.server, 'POST', '/v1/agent/connect/authorize', {
        body: JSON.stringify({ Target: 'db', ClientCertURI: `${g.server.connect!.serviceUri('web')}` }),
        headers: { 'X-Consul-Token': 'db' },
      });
      assert.deepEqual(JSON.parse(res.text), { Authorized: false, Reason: 'Default behavior configured by ACLs' });
      const other = await rawHttp(g.server, 'POST', '/v1/agent/connect/authorize', {
        body: JSON.stringify({ Target: 'other', ClientCertURI: g.server.connect!.serviceUri('web') }),
        headers: { 'X-Consul-Token': 'db' },
      });
      assert.equal(other.status, 403);
    } finally {
      await g.close();
    }
  });

  it('without connect, the endpoints answer as Consul with Connect disabled', async () => {
    const g = await startFixture();
    try {
      const res = await rawHttp(g.server, 'GET', '/v1/agent/connect/ca/roots');
      assert.equal(res.status, 500);
      assert.equal(res.text, 'Connect must be enabled in order to use this endpoint');
    } finally {
      await g.close();
    }
  });
});
