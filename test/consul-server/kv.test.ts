import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { rawHttp, startFixture, wireName, type Fixture } from './harness.ts';

let f: Fixture;
before(async () => {
  f = await startFixture();
});
after(async () => {
  await f.close();
});
beforeEach(() => {
  f.server.kv.delete('', { recurse: true });
});

const url = (path: string): string => `${f.server.url}${path}`;

describe('KV golden exchanges (spec §2.9)', () => {
  it('GET /v1/kv/?recurse on an empty store → 404 with X-Consul-Index 1 and no body', async () => {
    const fresh = await startFixture();
    try {
      const res = await rawHttp(fresh.server, 'GET', '/v1/kv/?recurse');
      assert.equal(res.status, 404);
      assert.equal(res.text, '');
      assert.equal(res.headers['content-length'], '0');
      assert.equal(res.headers['content-type'], undefined);
      assert.equal(res.headers.vary, 'Accept-Encoding');
      // Go's canonical spelling on the wire.
      assert.equal(wireName(res, 'x-consul-index'), 'X-Consul-Index');
      assert.equal(wireName(res, 'x-consul-knownleader'), 'X-Consul-Knownleader');
      assert.equal(wireName(res, 'x-consul-lastcontact'), 'X-Consul-Lastcontact');
      assert.equal(res.headers['x-consul-index'], '1');
      assert.equal(res.headers['x-consul-knownleader'], 'true');
      assert.equal(res.headers['x-consul-lastcontact'], '0');
    } finally {
      await fresh.close();
    }
  });

  it('PUT with flags → 200 application/json true, no read meta headers', async () => {
    const res = await fetch(url('/v1/kv/app/config?flags=42'), { method: 'PUT', body: 'hello' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(await res.text(), 'true');
    assert.equal(res.headers.get('x-consul-index'), null);
    assert.equal(res.headers.get('x-consul-knownleader'), null);
  });

  it('PUT ?cas=0 on an existing key → 200 false', async () => {
    f.server.kv.put('app/config', 'hello');
    const res = await fetch(url('/v1/kv/app/config?cas=0'), { method: 'PUT', body: 'other' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'false');
    assert.equal(f.server.kv.value('app/config'), 'hello');
  });

  it('PUT ?cas=17&acquire=abc → 400 Conflicting flags (sorted, url.Values.Encode)', async () => {
    const res = await fetch(url('/v1/kv/app/config?cas=17&acquire=abc'), { method: 'PUT', body: 'x' });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'Conflicting flags: acquire=abc&cas=17');
  });

  it('GET a key → the DirEntry array, X-Consul-Index = its ModifyIndex', async () => {
    await fetch(url('/v1/kv/app/config?flags=42'), { method: 'PUT', body: 'hello' });
    const e = f.server.kv.get('app/config')!;
    f.server.kv.put('other', 'x'); // the table index moves on; the key's does not
    const res = await fetch(url('/v1/kv/app/config'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json');
    assert.equal(res.headers.get('x-consul-index'), String(e.modifyIndex));
    assert.equal(res.headers.get('x-consul-knownleader'), 'true');
    assert.equal(res.headers.get('x-consul-lastcontact'), '0');
    assert.equal(
      await res.text(),
      `[{"LockIndex":0,"Key":"app/config","Flags":42,"Value":"aGVsbG8=","CreateIndex":${e.createIndex},"ModifyIndex":${e.modifyIndex}}]`,
    );
  });

  it('GET ?raw → the bytes, text/plain, nosniff, sandbox, exact length, meta headers', async () => {
    f.server.kv.put('app/config', 'hello');
    const res = await rawHttp(f.server, 'GET', '/v1/kv/app/config?raw');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'hello');
    assert.equal(res.headers['content-type'], 'text/plain');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['content-security-policy'], 'sandbox');
    assert.equal(res.headers['content-length'], '5');
    assert.equal(res.headers['x-consul-index'], String(f.server.kv.get('app/config')!.modifyIndex));
    f.server.kv.put('empty', null);
    const empty = await rawHttp(f.server, 'GET', '/v1/kv/empty?raw');
    assert.equal(empty.status, 200);
    assert.equal(empty.text, '');
    assert.equal(empty.headers['content-length'], '0');
  });

  it('GET ?keys&separator=/ → keys cut after the separator, index = the highest ModifyIndex', async () => {
    f.server.kv.put('app/config', '1');
    f.server.kv.put('app/db/host', '2');
    const last = f.server.kv.put('app/db/port', '3');
    f.server.kv.put('zzz', 'unrelated');
    const res = await fetch(url('/v1/kv/app/?keys&separator=/'));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '["app/config","app/db/"]');
    assert.equal(res.headers.get('x-consul-index'), String(last.modifyIndex));
  });

  it('GET a missing key → 404, no body, X-Consul-Index = tableMax', async () => {
    f.server.kv.put('something', 'x');
    const res = await fetch(url('/v1/kv/nope'));
    assert.equal(res.status, 404);
    assert.equal(await res.text(), '');
    assert.equal(res.headers.get('x-consul-index'), String(f.server.kv.tableIndex()));
  });

  it('GET /v1/kv/ → 400 Missing key name', async () => {
    const res = await fetch(url('/v1/kv/'));
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), 'Missing key name');
  });

  it('PUT a 600000-byte body → 413 with the exact text', async () => {
    const res = await fetch(url('/v1/kv/big'), { method: 'PUT', body: Buffer.alloc(600000, 'a') });
    assert.equal(res.status, 413);
    assert.equal(
      await res.text(),
      'Request body(600000 bytes) too large, max size: 524288 bytes. See https://www.consul.io/docs/agent/config/config-files#kv_max_value_size.',
    );
    assert.equal(f.server.kv.get('big'), undefined);
  });

  it('DELETE ?recurse deletes by string prefix (app also takes application/…)', async () => {
    for (const k of ['app/a', 'app/b', 'application/x', 'apple', 'other']) f.server.kv.put(k, 'v');
    const res = await fetch(url('/v1/kv/app?recurse'), { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'true');
    assert.deepEqual(f.server.kv.keys(), ['other']);
  });

  it('DELETE ?cas=999 on a key with another index → false; missing key with cas → true', async () => {
    f.server.kv.put('app/config', 'v');
    let res = await fetch(url('/v1/kv/app/config?cas=999'), { method: 'DELETE' });
    assert.equal(await res.text(), 'false');
    assert.equal(f.server.kv.value('app/config'), 'v');
    res = await fetch(url('/v1/kv/missing?cas=5'), { method: 'DELETE' });
    assert.equal(await res.text(), 'true');
    const idx = f.server.kv.get('app/config')!.modifyIndex;
    res = await fetch(url(`/v1/kv/app/config?cas=${idx}`), { method: 'DELETE' });
    assert.equal(await res.text(), 'true');
    assert.equal(f.server.kv.get('app/config'), undefined);
  });

  it('a recurse answer has the captured shape (2019 transcript)', async () => {
    f.server.kv.put('tom-com-default/cluster', 'sjc');
    f.server.kv.put('tom-com-default/pod', 'tom-com');
    const [a, b] = f.server.kv.list('tom-com-default');
    const res = await fetch(url('/v1/kv/tom-com-default?recurse'));
    assert.equal(
      await res.text(),
      `[{"LockIndex":0,"Key":"tom-com-default/cluster","Flags":0,"Value":"c2pj","CreateIndex":${a!.createIndex},"ModifyIndex":${a!.modifyIndex}},` +
        `{"LockIndex":0,"Key":"tom-com-default/pod","Flags":0,"Value":"dG9tLWNvbQ==","CreateIndex":${b!.createIndex},"ModifyIndex":${b!.modifyIndex}}]`,
    );
    assert.equal(res.headers.get('x-consul-index'), String(b!.modifyIndex));
  });
});

describe('KV with the consul npm client', () => {
  it('percent-decodes the whole path: node-consul sends a%2Fb, the key is a/b', async () => {
    const keys = ['a/b', 'with space/x', 'pct%41/y', 'q?x=1#frag', 'ünï/cödé', 'trailing/'];
    for (const k of keys) assert.equal(await f.consul.kv.set(k, `v:${k}`), true);
    for (const k of keys) assert.equal(f.server.kv.value(k), `v:${k}`);
    const put = f.server.requests.findLast((r) => r.method === 'PUT')!;
    assert.match(put.url, /^\/v1\/kv\/trailing%2F/);
    for (const k of keys) {
      const got = (await f.consul.kv.get(k)) as { Key: string; Value: string };
      assert.equal(got.Key, k);
      assert.equal(got.Value, `v:${k}`);
    }
    // A raw %2F in the middle of a path is a slash too.
    const res = await fetch(url('/v1/kv/a%2Fb'));
    assert.equal(res.status, 200);
  });

  it('recurse matches by string prefix and sorts by key bytes', async () => {
    // JS string order would put U+1F600 (surrogates D83D…) before U+E000; UTF-8 byte order does not.
    for (const k of ['foo/\u{1F600}', 'foo/\uE000', 'foobar', 'foo', 'foo/x', 'fo', 'g']) f.server.kv.put(k, k);
    const got = (await f.consul.kv.get({ key: 'foo', recurse: true })) as unknown as { Key: string }[];
    assert.deepEqual(
      got.map((e) => e.Key),
      ['foo', 'foo/x', 'foo/\uE000', 'foo/\u{1F600}', 'foobar'],
    );
  });

  it('recurse with no match → undefined (404); keys with no match throws; keys on "" → []', async () => {
    assert.equal(await f.consul.kv.get({ key: 'none', recurse: true }), undefined);
    await assert.rejects(f.consul.kv.keys('none'), (err: Error & { statusCode?: number }) => err.statusCode === 404);
    assert.deepEqual(await f.consul.kv.keys(''), []);
    const res = await fetch(url('/v1/kv/?keys'));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '[]');
  });

  it('keys + separator through the client', async () => {
    for (const k of ['a/x/1', 'a/y/2', 'a/z', 'b/q']) f.server.kv.put(k, '1');
    assert.deepEqual(await f.consul.kv.keys({ key: 'a/', separator: '/' }), ['a/x/', 'a/y/', 'a/z']);
    assert.deepEqual(await f.consul.kv.keys({ key: '', separator: '/' }), ['a/', 'b/']);
    assert.deepEqual(await f.consul.kv.keys('a/'), ['a/x/1', 'a/y/2', 'a/z']);
    // The historic misspelling is accepted; `separator` wins.
    let res = await fetch(url('/v1/kv/a/?keys&seperator=/'));
    assert.equal(await res.text(), '["a/x/","a/y/","a/z"]');
    res = await fetch(url('/v1/kv/a/?keys&seperator=/&separator=x'));
    assert.equal(await res.text(), '["a/x","a/y/2","a/z"]');
  });

  it('raw returns the bytes (a Buffer in node-consul)', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await f.consul.kv.set('bin', bytes);
    const got = (await f.consul.kv.get({ key: 'bin', raw: true })) as unknown as Buffer;
    assert.ok(Buffer.isBuffer(got));
    assert.deepEqual(got, bytes);
    // ?raw is ignored with recurse.
    const res = await fetch(url('/v1/kv/bin?raw&recurse'));
    assert.equal(res.headers.get('content-type'), 'application/json');
  });

  it('cas=0 creates only; cas=N needs the current ModifyIndex', async () => {
    // node-consul 2.0.1 quirk: papi drops a falsy body, so a `false` answer resolves to
    // `undefined`. Callers must test `=== true`.
    assert.equal(await f.consul.kv.set({ key: 'c', value: '1', cas: 0 }), true);
    assert.equal(await f.consul.kv.set({ key: 'c', value: '2', cas: 0 }), undefined);
    assert.equal(f.server.kv.value('c'), '1');
    const idx = f.server.kv.get('c')!.modifyIndex;
    assert.equal(await f.consul.kv.set({ key: 'c', value: '3', cas: idx + 1 }), undefined);
    assert.equal(await f.consul.kv.set({ key: 'c', value: '3', cas: idx }), true);
    assert.equal(f.server.kv.value('c'), '3');
    assert.equal(await f.consul.kv.set({ key: 'new', value: 'x', cas: 7 }), undefined);
    assert.equal(f.server.kv.get('new'), undefined);
    // On the wire it is the JSON `false`.
    const res = await fetch(`${f.server.url}/v1/kv/c?cas=0`, { method: 'PUT', body: 'x' });
    assert.equal(await res.text(), 'false');
  });

  it('flags are stored as given and reset to 0 when absent; CreateIndex is kept', async () => {
    await f.consul.kv.set({ key: 'fl', value: 'v', flags: 42 });
    const first = (await f.consul.kv.get('fl')) as { Flags: number; CreateIndex: number; ModifyIndex: number };
    assert.equal(first.Flags, 42);
    await f.consul.kv.set('fl', 'v');
    const second = (await f.consul.kv.get('fl')) as { Flags: number; CreateIndex: number; ModifyIndex: number };
    assert.equal(second.Flags, 0);
    assert.equal(second.CreateIndex, first.CreateIndex);
    assert.ok(second.ModifyIndex > first.ModifyIndex);
    // uint64 flags survive exactly on the wire.
    await fetch(url('/v1/kv/big-flags?flags=18446744073709551615'), { method: 'PUT', body: 'x' });
    assert.match(await (await fetch(url('/v1/kv/big-flags'))).text(), /"Flags":18446744073709551615,/);
  });

  it('an empty value reads back as Value null; Session is omitted', async () => {
    await f.consul.kv.set('nil', null as unknown as string);
    const got = (await f.consul.kv.get('nil')) as { Value: unknown };
    assert.equal(got.Value, null);
    const text = await (await fetch(url('/v1/kv/nil'))).text();
    assert.match(text, /"Value":null/);
    assert.doesNotMatch(text, /Session/);
  });

  it('an identical PUT writes nothing: same ModifyIndex, raft index unchanged', async () => {
    await f.consul.kv.set('same', 'v');
    const before = f.server.index();
    const e = f.server.kv.get('same')!;
    await f.consul.kv.set('same', 'v');
    assert.equal(f.server.index(), before);
    assert.equal(f.server.kv.get('same')!.modifyIndex, e.modifyIndex);
  });

  it('del, del recurse, del with cas', async () => {
    for (const k of ['d/1', 'd/2', 'e']) f.server.kv.put(k, 'v');
    assert.equal(await f.consul.kv.del('e'), true);
    assert.equal(await f.consul.kv.del('e'), true); // missing: still true
    assert.equal(await f.consul.kv.del({ key: 'd/', recurse: true }), true);
    assert.deepEqual(f.server.kv.keys(), []);
  });

  it('one global index: KV and catalog writes share it and it only grows', async () => {
    const a = f.server.kv.put('i/a', '1');
    await f.consul.agent.service.register({ name: 'idx-svc', id: 'idx-svc' });
    const b = f.server.kv.put('i/b', '1');
    assert.ok(b.modifyIndex >= a.modifyIndex + 2, 'the catalog write took an index in between');
    await f.consul.agent.service.deregister('idx-svc');
  });
});

describe('X-Consul-Index rules (§2.3)', () => {
  const indexOf = async (path: string): Promise<{ status: number; index: number }> => {
    const res = await fetch(url(path));
    await res.arrayBuffer();
    return { status: res.status, index: Number(res.headers.get('x-consul-index')) };
  };

  it('recurse: max ModifyIndex under the prefix, or a newer tombstone; tableMax when neither', async () => {
    const a = f.server.kv.put('p/a', '1');
    f.server.kv.put('q/other', '1');
    assert.deepEqual(await indexOf('/v1/kv/p/?recurse'), { status: 200, index: a.modifyIndex });
    f.server.kv.put('p/b', '1');
    f.server.kv.delete('p/b');
    const tomb = f.server.kv.tombstones().find((t) => t.key === 'p/b')!;
    assert.deepEqual(await indexOf('/v1/kv/p/?recurse'), { status: 200, index: tomb.index });
    assert.deepEqual(await indexOf('/v1/kv/p/?keys'), { status: 200, index: tomb.index });
    // No entries and no tombstones under the prefix → the table index.
    f.server.kv.put('r/x', '1');
    assert.deepEqual(await indexOf('/v1/kv/nothing-here/?recurse'), { status: 404, index: f.server.kv.tableIndex() });
    // The empty prefix → the table index.
    assert.deepEqual(await indexOf('/v1/kv/?recurse'), { status: 200, index: f.server.kv.tableIndex() });
  });

  it('a recurse with no keys but a tombstone → 404 with the tombstone index', async () => {
    f.server.kv.put('gone/x', '1');
    f.server.kv.delete('gone/x');
    const tomb = f.server.kv.tombstones().find((t) => t.key === 'gone/x')!;
    f.server.kv.put('elsewhere', '1');
    assert.deepEqual(await indexOf('/v1/kv/gone/?recurse'), { status: 404, index: tomb.index });
  });

  it('delete-tree leaves one tombstone for the prefix; reaping makes the prefix index go back', async () => {
    const keep = f.server.kv.put('t/keep', '1');
    f.server.kv.put('t/sub/1', '1');
    f.server.kv.put('t/sub/2', '1');
    f.server.kv.delete('t/sub/', { recurse: true });
    assert.deepEqual(
      f.server.kv
        .tombstones()
        .filter((t) => t.key.startsWith('t/'))
        .map((t) => t.key),
      ['t/sub/'],
    );
    const withTomb = await indexOf('/v1/kv/t/?recurse');
    assert.ok(withTomb.index > keep.modifyIndex);
    f.server.kv.reapTombstones();
    assert.deepEqual(await indexOf('/v1/kv/t/?recurse'), { status: 200, index: keep.modifyIndex });
  });

  it('never sends 0: a fresh store answers 1, on 404s and ?keys too', async () => {
    const fresh = await startFixture();
    try {
      for (const p of ['/v1/kv/x', '/v1/kv/x?recurse', '/v1/kv/x?keys', '/v1/kv/?keys']) {
        const res = await fetch(`${fresh.server.url}${p}`);
        await res.arrayBuffer();
        assert.equal(res.headers.get('x-consul-index'), '1', p);
      }
    } finally {
      await fresh.close();
    }
  });
});

describe('KV parameters and errors', () => {
  it('boolean flags are on when present, whatever their value', async () => {
    f.server.kv.put('flag/a', '1');
    f.server.kv.put('flag/b', '1');
    for (const q of ['recurse', 'recurse=', 'recurse=true', 'recurse=1', 'recurse=false']) {
      const res = await fetch(url(`/v1/kv/flag/?${q}`));
      assert.equal(res.status, 200, q);
      assert.equal(((await res.json()) as unknown[]).length, 2, q);
    }
    const keys = await fetch(url('/v1/kv/flag/?keys=false'));
    assert.deepEqual(await keys.json(), ['flag/a', 'flag/b']);
    // keys wins over recurse.
    const both = await fetch(url('/v1/kv/flag/?keys&recurse'));
    assert.deepEqual(await both.json(), ['flag/a', 'flag/b']);
  });

  it('bad flags / cas → 500 with strconv text', async () => {
    let res = await fetch(url('/v1/kv/k?flags=x'), { method: 'PUT', body: 'v' });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'strconv.ParseUint: parsing "x": invalid syntax');
    res = await fetch(url('/v1/kv/k?cas=-1'), { method: 'PUT', body: 'v' });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'strconv.ParseUint: parsing "-1": invalid syntax');
    res = await fetch(url('/v1/kv/k?flags=18446744073709551616'), { method: 'PUT', body: 'v' });
    assert.equal(await res.text(), 'strconv.ParseUint: parsing "18446744073709551616": value out of range');
    res = await fetch(url('/v1/kv/k?cas=x'), { method: 'DELETE' });
    assert.equal(res.status, 500);
  });

  it('DELETE: ?recurse&cas → 400 Conflicting flags; no key without recurse → 400', async () => {
    let res = await fetch(url('/v1/kv/k?recurse&cas=3'), { method: 'DELETE' });
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'Conflicting flags: cas=3&recurse=');
    res = await fetch(url('/v1/kv/'), { method: 'DELETE' });
    assert.equal(res.status, 400);
    assert.equal(await res.text(), 'Missing key name');
    res = await fetch(url('/v1/kv/'), { method: 'PUT', body: 'x' });
    assert.equal(await res.text(), 'Missing key name');
  });

  it('DELETE /v1/kv/?recurse wipes the whole store', async () => {
    f.server.kv.put('x', '1');
    f.server.kv.put('y/z', '1');
    const res = await fetch(url('/v1/kv/?recurse'), { method: 'DELETE' });
    assert.equal(await res.text(), 'true');
    assert.deepEqual(f.server.kv.keys(), []);
  });

  it('index and wait are validated on every method', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      let res = await fetch(url('/v1/kv/k?index=abc'), { method, body: method === 'PUT' ? 'v' : undefined });
      assert.equal(res.status, 400, method);
      assert.equal(await res.text(), 'Invalid index');
      res = await fetch(url('/v1/kv/k?wait=10'), { method, body: method === 'PUT' ? 'v' : undefined });
      assert.equal(res.status, 400, method);
      assert.equal(await res.text(), 'Invalid wait time');
    }
    const ok = await fetch(url('/v1/kv/k?wait=1m30s&index=0'));
    assert.equal(ok.status, 404);
  });

  it('acquire with an unknown session → 500 invalid session; with a known one it locks', async () => {
    let res = await fetch(url('/v1/kv/lock?acquire=nope'), { method: 'PUT', body: 'v' });
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'invalid session "nope"');
    const s = f.server.kv.addSession('sess-1');
    res = await fetch(url(`/v1/kv/lock?acquire=${s}`), { method: 'PUT', body: 'v' });
    assert.equal(await res.text(), 'true');
    const entry = (await (await fetch(url('/v1/kv/lock'))).json()) as { LockIndex: number; Session: string }[];
    assert.equal(entry[0]!.LockIndex, 1);
    assert.equal(entry[0]!.Session, s);
    res = await fetch(url('/v1/kv/lock?release=other'), { method: 'PUT', body: 'v' });
    assert.equal(await res.text(), 'false');
    res = await fetch(url(`/v1/kv/lock?release=${s}`), { method: 'PUT', body: 'v' });
    assert.equal(await res.text(), 'true');
    assert.equal(f.server.kv.get('lock')!.session, '');
    assert.equal(f.server.kv.get('lock')!.lockIndex, 1);
    res = await fetch(url(`/v1/kv/lock?acquire=${s}`), { method: 'PUT', body: 'v' });
    assert.equal(await res.text(), 'true');
    assert.equal(f.server.kv.get('lock')!.lockIndex, 2);
    // A plain PUT succeeds while the lock is held, and keeps the session.
    res = await fetch(url('/v1/kv/lock'), { method: 'PUT', body: 'w' });
    assert.equal(await res.text(), 'true');
    assert.equal(f.server.kv.get('lock')!.session, s);
  });

  it('snapshot and restore through the helper', async () => {
    f.server.kv.put('snap/a', '1');
    const snap = f.server.kv.snapshot();
    f.server.kv.put('snap/a', '2');
    f.server.kv.put('snap/b', '3');
    const high = f.server.index();
    f.server.kv.restore(snap);
    assert.deepEqual(f.server.kv.dump('snap/'), { 'snap/a': '1' });
    assert.ok(f.server.index() < high, 'the index went backwards');
    assert.equal(((await f.consul.kv.get('snap/a')) as { Value: string }).Value, '1');
  });
});
