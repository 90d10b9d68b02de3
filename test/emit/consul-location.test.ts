/** consul-location: the example /etc/wazo-platform/consul holds the loader's own defaults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONSUL_DEFAULTS } from '../../generator/runtime/consul/locate.ts';
import { parseEnvironmentFile } from '../../generator/runtime/consul/environment-file.ts';
import { emitted, modelOf } from './helpers.ts';

describe('emitter consul-location', () => {
  it('given any services, writes the defaults the loader locates Consul with, in EnvironmentFile syntax', async () => {
    const files = await emitted('consul-location', modelOf({ a: { type: 'string' } }));
    assert.deepEqual([...files.keys()], ['wazo-platform-consul.example']);
    const variables = parseEnvironmentFile(files.get('wazo-platform-consul.example')!);
    assert.deepEqual(Object.fromEntries(variables), {
      WAZO_CONSUL_HOST: CONSUL_DEFAULTS.host,
      WAZO_CONSUL_PORT: String(CONSUL_DEFAULTS.port),
      WAZO_CONSUL_SCHEME: CONSUL_DEFAULTS.scheme,
    });
  });
});
