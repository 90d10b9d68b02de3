/** env-file: `<service>.env`, one documented assignment per setting, quoted for every env-file reader. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitted, modelOf } from './helpers.ts';

describe('emitter env-file', () => {
  const cases = [
    {
      given: 'an integer default',
      leaf: { type: 'integer', default: 9 },
      want: ['# a · an integer · default 9 · restart to apply', "WAZO_T_A='9'"],
    },
    {
      given: "a string holding a '",
      leaf: { type: 'string', default: "it's", 'x-mutable': true },
      want: ['# a · a string · default "it\'s" · applied live', `WAZO_T_A="it's"`],
    },
    {
      given: 'a list',
      leaf: { type: 'array', items: { type: 'string' }, default: ['a', 'b'] },
      want: [`WAZO_T_A='["a","b"]'`],
    },
    {
      given: 'no default',
      leaf: { type: 'string' },
      want: ['# a · a string · no default · restart to apply', '# WAZO_T_A='],
    },
    {
      given: 'a secret',
      leaf: { type: 'string', default: 's3cret', 'x-secret': true },
      want: ['# a · a string · default hidden (secret) · restart to apply', '# WAZO_T_A='],
    },
  ];
  for (const { given, leaf, want } of cases) {
    it(`given ${given}`, async () => {
      const text = (await emitted('env-file', modelOf({ a: leaf }))).get('wazo-t/wazo-t.env')!;
      const lines = text.split('\n');
      for (const line of want) assert.ok(lines.includes(line), `${line}\nin:\n${text}`);
      assert.ok(!text.includes('s3cret'), 'a secret default is never written');
    });
  }
});
