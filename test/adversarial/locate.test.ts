/**
 * Consul located from hostile `WAZO_CONSUL_*` values: a clear ConfigError naming the variable, never a raw TypeError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { problemsOf } from './helpers.ts';

const located = (host: string) => problemsOf({ consul: { file: false }, env: { WAZO_CONSUL_HOST: host } });

describe('WAZO_CONSUL_HOST', () => {
  it('says host:port is not a host', async () => {
    assert.deepEqual(await located('127.0.0.1:8500'), [
      'WAZO_CONSUL_HOST (env WAZO_CONSUL_HOST): expected a host name, got host:port, got "127.0.0.1:8500" (hint: write the host alone and the port in WAZO_CONSUL_PORT)',
    ]);
  });

  it('says a URL is not a host', async () => {
    for (const url of ['http://consul', 'https://consul:8501/']) {
      assert.deepEqual(await located(url), [
        `WAZO_CONSUL_HOST (env WAZO_CONSUL_HOST): expected a host name, got a URL, got ${JSON.stringify(url)} (hint: write the host alone (consul.example.com) and the scheme and port in WAZO_CONSUL_SCHEME and WAZO_CONSUL_PORT)`,
      ]);
    }
  });

  it('says a host with spaces, a path or nothing but spaces is not a host', async () => {
    for (const host of ['consul server', ' consul', 'consul/x', '   ']) {
      assert.deepEqual(await located(host), [
        `WAZO_CONSUL_HOST (env WAZO_CONSUL_HOST): expected a host name or an IP address, got ${JSON.stringify(host)} (hint: write a name such as consul.example.com or an address such as 10.0.0.5 (no spaces, no path))`,
      ]);
    }
  });
});
