/** env-ctmpl: consul-template renders `<service>.env` from Consul KV; its check refuses keys it cannot address. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checked, emitted, modelOf } from './helpers.ts';

describe('emitter env-ctmpl', () => {
  it('given a leaf, reads its Consul key and falls back to the example line', async () => {
    const text = (await emitted('env-ctmpl', modelOf({ a: { type: 'integer', default: 9 } }))).get(
      'wazo-t/wazo-t.env.ctmpl',
    )!;
    const line = `{{ if keyExists "config/wazo-t/a" }}WAZO_T_A={{ template "wazo-env-file" (sprig_list "WAZO_T_A" "config/wazo-t/a" (key "config/wazo-t/a") 131062) }}{{ else }}WAZO_T_A='9'{{ end }}`;
    assert.ok(text.split('\n').includes(line), text);
  });

  const cases = [
    { given: 'plain keys', service: {}, properties: { a: { type: 'string' } }, want: [] },
    {
      given: 'a consulPrefix with @',
      service: { consulPrefix: 'config/t@dc1' },
      properties: { a: { type: 'string' } },
      want: [
        '/properties/a: Consul key config/t@dc1/a contains @, which consul-template reads as the start of a datacenter',
      ],
    },
    {
      given: 'a property with @',
      service: {},
      properties: { 'a@b': { type: 'string' } },
      want: [
        '/properties/a@b: Consul key config/wazo-t/a@b contains @, which consul-template reads as the start of a datacenter',
      ],
    },
    {
      given: 'a property with ?',
      service: {},
      properties: { 'a?b': { type: 'string' } },
      want: [
        '/properties/a?b: Consul key config/wazo-t/a?b contains ?, which consul-template reads as the start of query parameters',
      ],
    },
  ];
  for (const { given, service, properties, want } of cases) {
    it(`check, given ${given}`, () => assert.deepEqual(checked('env-ctmpl', modelOf(properties, service)), want));
  }
});
