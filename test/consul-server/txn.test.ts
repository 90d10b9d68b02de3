import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { b64, startFixture, type Fixture } from './harness.ts';

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

interface TxnAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: {
    Results: { KV: Record<string, unknown> }[] | null;
    Errors: { OpIndex: number; What: string }[] | null;
  } & Record<string, unknown>;
}

async function txn(body: unknown, method = 'PUT'): Promise<TxnAnswer> {
  const res = await fetch(`${f.server.url}/v1/txn`, {
    method,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: TxnAnswer['json'];
  try {
    json = JSON.parse(text) as TxnAnswer['json'];
  } catch {
    json = { Results: null, Errors: null };
  }
  return { status: res.status, headers: res.headers, text, json };
}

const set = (Key: string, v: string): { KV: Record<string, unknown> } => ({ KV: { Verb: 'set', Key, Value: b64(v) } });

describe('/v1/txn success', () => {
  it('set + get: the documented body; one index for every op; no X-Consul-Index', async () => {
    const r = await txn([set('k1', 'v1'), { KV: { Verb: 'get', Key: 'k1' } }]);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('x-consul-index'), null);
    const i = f.server.index();
    assert.equal(
      r.text,
      `{"Results":[{"KV":{"LockIndex":0,"Key":"k1","Flags":0,"Value":null,"CreateIndex":${i},"ModifyIndex":${i}}},` +
        `{"KV":{"LockIndex":0,"Key":"k1","Flags":0,"Value":"djE=","CreateIndex":${i},"ModifyIndex":${i}}}],"Errors":null}`,
    );
  });

  it('all ops of one transaction share one raft index', async () => {
    const before = f.server.index();
    const ops = Array.from({ length: 10 }, (_, i) => set(`many/${i}`, String(i)));
    const r = await txn(ops);
    assert.equal(r.status, 200);
    assert.equal(f.server.index(), before + 1);
    assert.deepEqual(new Set(f.server.kv.list('many/').map((e) => e.modifyIndex)), new Set([before + 1]));
  });

  it('with the consul client: transaction.create', async () => {
    const out = await f.consul.transaction.create([
      { KV: { Verb: 'set', Key: 'c/a', Value: b64('A'), Flags: 7 } },
      { KV: { Verb: 'cas', Key: 'c/b', Value: b64('B'), Index: 0 } },
    ] as never);
    assert.equal(out.Errors, null);
    assert.equal(out.Results!.length, 2);
    assert.deepEqual(f.server.kv.dump('c/'), { 'c/a': 'A', 'c/b': 'B' });
    assert.equal(f.server.kv.get('c/a')!.flags, 7n);
  });

  it('field names match case-insensitively; Value may be null', async () => {
    const r = await txn([
      { kv: { verb: 'set', key: 'ci', value: b64('x') } },
      { Kv: { VERB: 'set', KEY: 'nul', VALUE: null } },
    ]);
    assert.equal(r.status, 200);
    assert.equal(f.server.kv.value('ci'), 'x');
    assert.equal(f.server.kv.value('nul'), null);
  });

  it('read-only: QueryMeta fields in the body, Knownleader/Lastcontact headers, no index header', async () => {
    f.server.kv.put('ro/a', '1');
    f.server.kv.put('ro/b', '2');
    const r = await txn([{ KV: { Verb: 'get-tree', Key: 'ro/' } }, { KV: { Verb: 'get-or-empty', Key: 'ro/none' } }]);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-consul-index'), null);
    assert.equal(r.headers.get('x-consul-knownleader'), 'true');
    assert.equal(r.headers.get('x-consul-lastcontact'), '0');
    assert.match(r.text, /\],"Errors":null,"Index":0,"LastContact":0,"KnownLeader":true\}$/);
    assert.deepEqual(
      r.json.Results!.map((x) => [x.KV.Key, x.KV.Value]),
      [
        ['ro/a', b64('1')],
        ['ro/b', b64('2')],
        ['ro/none', null],
      ],
    );
  });

  it('delete verbs contribute no result; check verbs return the entry without its value', async () => {
    const a = f.server.kv.put('v/a', 'A');
    f.server.kv.put('v/tree/1', '1');
    const d = f.server.kv.put('v/d', 'D');
    const s = f.server.kv.addSession('sess');
    f.server.kv.put('v/b', 'B');
    const r = await txn([
      { KV: { Verb: 'check-index', Key: 'v/a', Index: a.modifyIndex } },
      { KV: { Verb: 'check-not-exists', Key: 'v/nope' } },
      { KV: { Verb: 'delete', Key: 'v/b' } },
      { KV: { Verb: 'delete-tree', Key: 'v/tree/' } },
      { KV: { Verb: 'delete-cas', Key: 'v/d', Index: d.modifyIndex } },
      { KV: { Verb: 'lock', Key: 'v/l', Value: b64('L'), Session: s } },
      { KV: { Verb: 'check-session', Key: 'v/l', Session: s } },
      { KV: { Verb: 'unlock', Key: 'v/l', Value: b64('L'), Session: s } },
    ]);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(
      r.json.Results!.map((x) => [x.KV.Key, x.KV.Value]),
      [
        ['v/a', null],
        ['v/l', null],
        ['v/l', null],
        ['v/l', null],
      ],
    );
    assert.deepEqual(f.server.kv.keys('v/'), ['v/a', 'v/l']);
  });
});

describe('/v1/txn failure is atomic', () => {
  it('a stale cas rolls back every op → 409 with the exact body; nothing written, index unchanged', async () => {
    f.server.kv.put('k2', 'old');
    const before = f.server.index();
    const snapshot = f.server.kv.dump();
    const r = await txn([
      set('k1', 'v1'),
      { KV: { Verb: 'cas', Key: 'k2', Value: b64('v2'), Index: 1 } },
      set('k3', 'v3'),
    ]);
    assert.equal(r.status, 409);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(
      r.text,
      '{"Results":null,"Errors":[{"OpIndex":1,"What":"failed to set key \\"k2\\", index is stale"}]}',
    );
    assert.deepEqual(f.server.kv.dump(), snapshot);
    assert.equal(f.server.index(), before);
  });

  it('every failing op is reported, in order, with Consul’s What texts', async () => {
    const e = f.server.kv.put('exists', 'x');
    const r = await txn([
      { KV: { Verb: 'get', Key: 'missing' } },
      { KV: { Verb: 'check-index', Key: 'exists', Index: e.modifyIndex + 5 } },
      { KV: { Verb: 'check-index', Key: 'missing' } },
      { KV: { Verb: 'check-not-exists', Key: 'exists' } },
      { KV: { Verb: 'delete-cas', Key: 'exists', Index: 1 } },
      { KV: { Verb: 'check-session', Key: 'exists', Session: 'abc' } },
      { KV: { Verb: 'lock', Key: 'l', Value: null, Session: 'nope' } },
      { KV: { Verb: 'frobnicate', Key: 'x' } },
      set('fine', 'y'),
    ]);
    assert.equal(r.status, 409);
    assert.deepEqual(r.json.Errors, [
      { OpIndex: 0, What: 'key "missing" doesn\'t exist' },
      {
        OpIndex: 1,
        What: `failed index check for key "exists", current modify index ${e.modifyIndex} != ${e.modifyIndex + 5}`,
      },
      { OpIndex: 2, What: 'failed to check index, key "missing" doesn\'t exist' },
      { OpIndex: 3, What: 'key "exists" exists' },
      { OpIndex: 4, What: 'failed to delete key "exists", index is stale' },
      { OpIndex: 5, What: 'failed session check for key "exists", current session "" != "abc"' },
      { OpIndex: 6, What: 'invalid session "nope"' },
      { OpIndex: 7, What: 'unknown KV verb "frobnicate"' },
    ]);
    assert.equal(f.server.kv.get('fine'), undefined);
  });

  it('a missing key is a pre-check error (delete-tree may have an empty key)', async () => {
    const r = await txn([
      { KV: { Verb: 'set', Key: '', Value: b64('x') } },
      set('ok', '1'),
      { KV: { Verb: 'delete-tree', Key: '' } },
    ]);
    assert.equal(r.status, 409);
    assert.deepEqual(r.json.Errors, [{ OpIndex: 0, What: 'Must provide key' }]);
    assert.equal(f.server.kv.get('ok'), undefined);
  });

  it('read-only failures keep the QueryMeta fields', async () => {
    const r = await txn([{ KV: { Verb: 'get', Key: 'nope' } }]);
    assert.equal(r.status, 409);
    assert.equal(
      r.text,
      '{"Results":null,"Errors":[{"OpIndex":0,"What":"key \\"nope\\" doesn\'t exist"}],"Index":0,"LastContact":0,"KnownLeader":true}',
    );
  });

  it('the consul client rejects a 409 with Error("conflict") and the Errors in err.response.body', async () => {
    f.server.kv.put('taken', 'x');
    await assert.rejects(
      f.consul.transaction.create([
        set('free', 'y'),
        { KV: { Verb: 'cas', Key: 'taken', Value: b64('z'), Index: 0 } },
      ] as never),
      (err: Error & { statusCode?: number; response?: { body?: { Errors?: unknown } } }) => {
        assert.equal(err.message, 'conflict');
        assert.deepEqual(err.response?.body?.Errors, [
          { OpIndex: 1, What: 'failed to set key "taken", index is stale' },
        ]);
        return true;
      },
    );
    assert.equal(f.server.kv.get('free'), undefined);
  });
});

describe('/v1/txn limits and request errors', () => {
  it('128 ops pass, 129 → 413 with the exact text (Consul ≥ 1.14); 64 selectable as in older releases', async () => {
    const ops = (n: number): unknown[] => Array.from({ length: n }, (_, i) => set(`lim/${i}`, 'v'));
    assert.equal((await txn(ops(128))).status, 200);
    const r = await txn(ops(129));
    assert.equal(r.status, 413);
    assert.equal(r.text, 'Transaction contains too many operations (129 > 128)');
    const old = await startFixture({ maxTxnOps: 64 });
    try {
      const res = await fetch(`${old.server.url}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops(65)) });
      assert.equal(await res.text(), 'Transaction contains too many operations (65 > 64)');
      const ok = await fetch(`${old.server.url}/v1/txn`, { method: 'PUT', body: JSON.stringify(ops(64)) });
      assert.equal(ok.status, 200);
    } finally {
      await old.close();
    }
  });

  it('a value above kv_max_value_size → 413 naming the key', async () => {
    const small = await startFixture({ kvMaxValueSize: 8 });
    try {
      const res = await fetch(`${small.server.url}/v1/txn`, {
        method: 'PUT',
        body: JSON.stringify([set('big', '0123456789')]),
      });
      assert.equal(res.status, 413);
      assert.equal(await res.text(), 'Value for key "big" is too large (10 > 8 bytes)');
    } finally {
      await small.close();
    }
  });

  it('a body above txn_max_req_len → 413', async () => {
    const r = await txn([set('huge', 'x'.repeat(400_000))]);
    assert.equal(r.status, 413);
    assert.match(
      r.text,
      /^Request body\(\d+ bytes\) too large, max size: 524288 bytes\. See https:\/\/www\.consul\.io\/docs\/agent\/config\/config-files#txn_max_req_len\.$/,
    );
  });

  it('400 for bad JSON, a non-array, bad base64 and unknown fields', async () => {
    assert.deepEqual(await txn('{"KV":{}}').then((r) => [r.status, r.text]), [
      400,
      'Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps',
    ]);
    assert.deepEqual(
      await txn('[{"KV":{"Verb":"set","Key":"k","Value":"not base64!"}}]').then((r) => [r.status, r.text]),
      [400, 'Failed to parse body: illegal base64 data at input byte 3'],
    );
    assert.deepEqual(await txn('[{"KV":{"Verb":"set","Key":"k","Bogus":1}}]').then((r) => [r.status, r.text]), [
      400,
      'Failed to parse body: json: unknown field "Bogus"',
    ]);
    const bad = await txn('[{');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /^Failed to parse body: /);
  });

  it('PUT only: GET → 405 with Allow; OPTIONS → 200 with Allow', async () => {
    const res = await fetch(`${f.server.url}/v1/txn`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'OPTIONS,PUT');
    assert.equal(await res.text(), 'method GET not allowed');
    const opt = await fetch(`${f.server.url}/v1/txn`, { method: 'OPTIONS' });
    assert.equal(opt.status, 200);
    assert.equal(opt.headers.get('allow'), 'OPTIONS,PUT');
  });
});
