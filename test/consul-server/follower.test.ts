/**
 * What the test server answers as a follower and for services never seen (consul-http-api.md §1.3,
 * §3.1): `?stale` reads with `X-Consul-Lastcontact` and `X-Consul-Knownleader`, leaderless periods,
 * and the health index of a service that does not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sleep, startFixture, type Fixture } from './harness.ts';

describe('stale and consistent reads on a follower', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture({ follower: { lastContactMs: 1_500 } });
    f.server.kv.put('app/x', 'x');
  });
  after(() => f.close());

  const get = (path: string) => fetch(`${f.server.url}${path}`);

  it('a default read is the leader’s (Lastcontact 0); ?stale is the follower’s, with its last contact; ?consistent the leader’s', async () => {
    const plain = await get('/v1/kv/app/x');
    assert.equal(plain.headers.get('x-consul-lastcontact'), '0');
    assert.equal(plain.headers.get('x-consul-knownleader'), 'true');
    const stale = await get('/v1/kv/app/x?stale');
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('x-consul-lastcontact'), '1500');
    assert.equal(stale.headers.get('x-consul-knownleader'), 'true');
    const consistent = await get('/v1/kv/app/?recurse&consistent');
    assert.equal(consistent.headers.get('x-consul-lastcontact'), '0');
    const health = await get('/v1/health/service/nothing?stale');
    assert.equal(health.headers.get('x-consul-lastcontact'), '1500');
    assert.equal(health.headers.get('x-consul-effective-consistency'), 'stale');
  });

  it('without a leader: default and consistent reads are 500 No cluster leader; stale reads answer, Knownleader false, Lastcontact growing', async () => {
    f.server.faults.setLeader(false);
    try {
      for (const path of ['/v1/kv/app/x', '/v1/kv/app/x?consistent', '/v1/health/service/web']) {
        const res = await get(path);
        assert.equal(res.status, 500, path);
        assert.equal(await res.text(), 'No cluster leader');
      }
      const first = await get('/v1/kv/app/x?stale');
      assert.equal(first.status, 200);
      assert.equal(first.headers.get('x-consul-knownleader'), 'false');
      await sleep(120);
      const later = await get('/v1/kv/app/x?stale');
      const [a, b] = [
        Number(first.headers.get('x-consul-lastcontact')),
        Number(later.headers.get('x-consul-lastcontact')),
      ];
      assert.ok(a >= 1_500 && b >= a + 100, `${a} then ${b}`);
    } finally {
      f.server.faults.setLeader(true);
    }
    const back = await get('/v1/kv/app/x?stale');
    assert.equal(back.headers.get('x-consul-lastcontact'), '1500');
    assert.equal(back.headers.get('x-consul-knownleader'), 'true');
  });
});

describe('the health index of a service never seen', () => {
  let f: Fixture;
  before(async () => {
    f = await startFixture();
  });
  after(() => f.close());

  const register = (id: string, name: string) =>
    fetch(`${f.server.url}/v1/agent/service/register`, {
      method: 'PUT',
      body: JSON.stringify({ ID: id, Name: name, Port: 80, Check: { TTL: '30s' } }),
    });

  it('is the catalog’s max index while no service ever went extinct, so an unrelated registration wakes a wait on it', async () => {
    const before = await fetch(`${f.server.url}/v1/health/service/never-seen?passing`);
    const index = Number(before.headers.get('x-consul-index'));
    assert.ok(index > 1, 'the catalog index, not 0 → 1');
    const pending = fetch(`${f.server.url}/v1/health/service/never-seen?passing&index=${index}&wait=2s`);
    await sleep(50);
    const started = performance.now();
    assert.equal((await register('other-1', 'other')).status, 200);
    const woken = await pending;
    assert.ok(performance.now() - started < 1_500, 'woken by the unrelated write, before the wait');
    assert.ok(Number(woken.headers.get('x-consul-index')) > index);
    assert.deepEqual(await woken.json(), []);
  });

  it('is the last extinction once a service was deregistered: unrelated writes no longer wake it', async () => {
    assert.equal((await register('gone-1', 'gone')).status, 200);
    assert.equal((await fetch(`${f.server.url}/v1/agent/service/deregister/gone-1`, { method: 'PUT' })).status, 200);
    const now = await fetch(`${f.server.url}/v1/health/service/never-seen`);
    const index = Number(now.headers.get('x-consul-index'));
    const pending = fetch(`${f.server.url}/v1/health/service/never-seen?index=${index}&wait=400ms`);
    await sleep(50);
    await register('other-2', 'other');
    const started = performance.now();
    const answer = await pending;
    assert.ok(performance.now() - started >= 200, 'still blocked after the unrelated write');
    assert.equal(Number(answer.headers.get('x-consul-index')), index);
  });
});
