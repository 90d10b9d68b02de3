/** kubernetes: the ConfigMap (not secret) and Secret (secret) templates; its check refuses names Kubernetes would. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checked, emitted, modelOf } from './helpers.ts';

describe('emitter kubernetes', () => {
  it('given a plain and a secret leaf: the plain one in the ConfigMap with its default, the secret one in the Secret without', async () => {
    const files = await emitted(
      'kubernetes',
      modelOf({ a: { type: 'integer', default: 9 }, s: { type: 'string', default: 'hide', 'x-secret': true } }),
    );
    const configMap = files.get('wazo-t/configmap.yaml.ctmpl')!;
    const secret = files.get('wazo-t/secret.yaml.ctmpl')!;
    assert.ok(configMap.includes('  name: "wazo-t-config"') && configMap.includes('  "WAZO_T_A": "9"'), configMap);
    assert.ok(!configMap.includes('WAZO_T_S'), configMap);
    assert.ok(
      secret.includes('  name: "wazo-t-secret"') && secret.includes('{{- if keyExists "config/wazo-t/s" }}'),
      secret,
    );
    assert.ok(!secret.includes('hide') && !configMap.includes('hide'), 'a secret default is never written');
  });

  const cases = [
    { given: 'plain names', properties: { a: { type: 'string' } }, service: {}, want: [] },
    {
      given: 'an env name too long for a data key',
      properties: { a: { type: 'string', 'x-env': `X${'Y'.repeat(253)}` } },
      service: {},
      want: [`/properties/a: X${'Y'.repeat(253)} is not a ConfigMap/Secret key`],
    },
    {
      given: 'a Consul key with @ (shared with env-ctmpl)',
      properties: { a: { type: 'string' } },
      service: { consulPrefix: 'c@d' },
      want: ['/properties/a: Consul key c@d/a contains @, which consul-template reads as the start of a datacenter'],
    },
  ];
  for (const { given, properties, service, want } of cases) {
    it(`check, given ${given}`, () => assert.deepEqual(checked('kubernetes', modelOf(properties, service)), want));
  }
});
