import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Consul from 'consul';
import { rawHttp, startFixture, type Fixture } from './harness.ts';

let dir: string;
let cert: Buffer;
let key: Buffer;
let f: Fixture;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'consul-tls-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'));
  key = readFileSync(join(dir, 'key.pem'));
  f = await startFixture({ tls: { cert, key } });
});

after(async () => {
  await f?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('serves https at an https:// URL', () => {
    assert.equal(f.server.secure, true);
    assert.match(f.server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('the consul client with secure + ca: KV round trip and a transaction', async () => {
    const c = f.client({ ca: cert });
    assert.equal(await c.kv.set('tls/k', 'secret'), true);
    assert.equal(((await c.kv.get('tls/k')) as { Value: string }).Value, 'secret');
    const out = await c.transaction.create([{ KV: { Verb: 'get', Key: 'tls/k' } }] as never);
    assert.equal(out.Results!.length, 1);
    assert.equal(await c.status.leader(), '127.0.0.1:8300');
  });

  it('raw https with the CA: the same headers as over http', async () => {
    const res = await rawHttp(f.server, 'GET', '/v1/kv/tls/k', { ca: cert });
    assert.equal(res.status, 200);
    assert.ok(Number(res.headers['x-consul-index']) >= 1);
  });

  it('a client that does not trust the certificate fails to connect', async () => {
    const untrusting = new Consul({ ...f.server.clientOptions });
    try {
      await assert.rejects(untrusting.kv.get('tls/k'), (err: Error & { code?: string }) => {
        assert.match(String(err.code ?? err.message), /SELF_SIGNED|self[- ]signed|UNABLE_TO_VERIFY/i);
        return true;
      });
    } finally {
      untrusting.destroy();
    }
  });

  it('plain http to the TLS port does not get an answer it could mistake for Consul', async () => {
    const res = await fetch(`http://127.0.0.1:${f.server.port}/v1/status/leader`).then(
      (r) => r.status,
      () => 'refused',
    );
    assert.notEqual(res, 200);
  });
});
