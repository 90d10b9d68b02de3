import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { goJson } from './go-json.ts';
import { rawHttp, startFixture, type Fixture } from './harness.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.close();
});

describe('paths (§1.1)', () => {
  it('paths with //, /./ or /../ are redirected (301) to their cleaned form, query kept', async () => {
    for (const [path, location] of [
      ['/v1/kv/foo//bar', '/v1/kv/foo/bar'],
      ['/v1/kv/a/./b?recurse', '/v1/kv/a/b?recurse'],
      ['/v1/kv/a/x/../b/', '/v1/kv/a/b/'],
      ['/v1/kv//lead', '/v1/kv/lead'],
    ] as const) {
      const res = await rawHttp(f.server, 'GET', path);
      assert.equal(res.status, 301, path);
      assert.equal(res.headers.location, location, path);
    }
    // An escaped slash decodes to the same thing: %2F%2F is cleaned too.
    const escaped = await rawHttp(f.server, 'PUT', '/v1/kv/foo%2F%2Fbar', { body: 'x' });
    assert.equal(escaped.status, 301);
    assert.equal(escaped.headers.location, '/v1/kv/foo/bar');
    assert.equal(f.server.kv.get('foo//bar'), undefined);
  });

  it('/v1/kv redirects to /v1/kv/; the status is configurable (307 as with Go ≥ 1.26)', async () => {
    const res = await rawHttp(f.server, 'GET', '/v1/kv?recurse');
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/v1/kv/?recurse');
    const go126 = await startFixture({ redirectStatus: 307 });
    try {
      const r = await rawHttp(go126.server, 'PUT', '/v1/kv/a//b', { body: 'x' });
      assert.equal(r.status, 307);
    } finally {
      await go126.close();
    }
  });

  it('non-printable characters → 400 with an empty body (unless the filter is off)', async () => {
    for (const p of ['/v1/kv/a%01b', '/v1/kv/a%7Fb', '/v1/kv/nb%C2%A0sp', '/v1/kv/zw%E2%80%8Bsp']) {
      const res = await rawHttp(f.server, 'GET', p);
      assert.equal(res.status, 400, p);
      assert.equal(res.text, '', p);
      assert.equal(res.headers['content-type'], undefined, p);
    }
    const ok = await rawHttp(f.server, 'GET', '/v1/kv/with%20space');
    assert.equal(ok.status, 404);
    const lax = await startFixture({ allowUnprintablePaths: true });
    try {
      assert.equal((await rawHttp(lax.server, 'PUT', '/v1/kv/a%01b', { body: 'v' })).status, 200);
      assert.equal(lax.server.kv.value('a\u0001b'), 'v');
    } finally {
      await lax.close();
    }
  });

  it('a malformed escape → 400 Bad Request', async () => {
    const res = await rawHttp(f.server, 'GET', '/v1/kv/bad%zzescape');
    assert.equal(res.status, 400);
  });

  it('an unknown /v1 path → 404 with Consul’s text', async () => {
    const res = await rawHttp(f.server, 'GET', '/v1/nope');
    assert.equal(res.status, 404);
    assert.equal(res.text, 'Invalid URL path: not a recognized HTTP API endpoint\n');
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8');
  });

  it('a disallowed method → 405 with Allow; OPTIONS → 200, empty, with Allow', async () => {
    const res = await fetch(`${f.server.url}/v1/kv/x`, { method: 'POST', body: 'v' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'OPTIONS,GET,PUT,DELETE');
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'method POST not allowed');
    const opt = await fetch(`${f.server.url}/v1/kv/x`, { method: 'OPTIONS' });
    assert.equal(opt.status, 200);
    assert.equal(opt.headers.get('allow'), 'OPTIONS,GET,PUT,DELETE');
    assert.equal(await opt.text(), '');
    assert.equal((await fetch(`${f.server.url}/v1/status/leader`, { method: 'PUT' })).status, 405);
  });
});

describe('query parameters (§1.4)', () => {
  it('?stale&consistent → 400', async () => {
    const res = await fetch(`${f.server.url}/v1/kv/x?stale&consistent`);
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'Cannot specify ?stale with ?consistent, conflicting semantics.');
    assert.equal((await fetch(`${f.server.url}/v1/kv/x?stale`)).status, 404);
  });

  it('?dc: the local one works, another → 500 No path to datacenter', async () => {
    assert.equal((await fetch(`${f.server.url}/v1/kv/x?dc=dc1`)).status, 404);
    const res = await fetch(`${f.server.url}/v1/kv/x?dc=dc2`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'No path to datacenter');
  });

  it('namespaces and partitions are Enterprise-only → 400', async () => {
    let res = await fetch(`${f.server.url}/v1/kv/x?ns=team`);
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature');
    res = await fetch(`${f.server.url}/v1/kv/x`, { headers: { 'X-Consul-Namespace': 'team' } });
    assert.equal(res.status, 400);
    res = await fetch(`${f.server.url}/v1/txn?partition=p`, { method: 'PUT', body: '[]' });
    assert.equal(res.status, 400);
  });
});

describe('response encoding (§1.2)', () => {
  it('gzip only when asked for and the body is ≥ 1400 bytes; Vary always', async () => {
    for (let i = 0; i < 30; i++) f.server.kv.put(`gz/${String(i).padStart(2, '0')}`, 'x'.repeat(40));
    const plain = await rawHttp(f.server, 'GET', '/v1/kv/gz/?recurse');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers.vary, 'Accept-Encoding');
    assert.ok(plain.body.length >= 1400);
    const zipped = await rawHttp(f.server, 'GET', '/v1/kv/gz/?recurse', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(gunzipSync(zipped.body), plain.body);
    const small = await rawHttp(f.server, 'GET', '/v1/kv/gz/00', { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(small.headers['content-encoding'], undefined);
  });

  it('?pretty → MarshalIndent with 4 spaces and a trailing newline; the pretty option does it everywhere', async () => {
    f.server.kv.put('pretty/k', 'v');
    const res = await fetch(`${f.server.url}/v1/kv/pretty/?keys&pretty`);
    assert.equal(await res.text(), '[\n    "pretty/k"\n]\n');
    const dev = await startFixture({ pretty: true });
    try {
      const r = await fetch(`${dev.server.url}/v1/status/peers`);
      assert.equal(await r.text(), '[\n    "127.0.0.1:8300"\n]\n');
    } finally {
      await dev.close();
    }
  });

  it('JSON is Go’s: <>& and U+2028 escaped, uint64 exact', () => {
    assert.equal(
      goJson({ Key: 'a<b>&c\u2028', Flags: 18446744073709551615n, Value: null }),
      '{"Key":"a\\u003cb\\u003e\\u0026c\\u2028","Flags":18446744073709551615,"Value":null}',
    );
    assert.equal(
      goJson({ a: [], b: {}, c: [1] }, true),
      '{\n    "a": [],\n    "b": {},\n    "c": [\n        1\n    ]\n}\n',
    );
  });

  it('keys come back exactly as stored, never re-escaped', async () => {
    f.server.kv.put('esc/<a&b>%2F', 'v');
    const res = await fetch(`${f.server.url}/v1/kv/esc/?keys`);
    const text = await res.text();
    assert.equal(text, '["esc/\\u003ca\\u0026b\\u003e%2F"]');
    assert.deepEqual(JSON.parse(text), ['esc/<a&b>%2F']);
  });

  it('records every request for tests to inspect', async () => {
    await f.consul.kv.get({ key: 'rec/k', recurse: true });
    const last = f.server.requests.at(-1)!;
    assert.equal(last.method, 'GET');
    assert.equal(last.path, '/v1/kv/rec/k');
    assert.equal(last.query.get('recurse'), 'true');
    assert.match(String(last.headers['user-agent']), /^papi\//);
  });
});
