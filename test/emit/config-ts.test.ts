/** config-ts: the service's TypeScript types, its settings table and the loader functions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitted, modelOf } from './helpers.ts';

describe('emitter config-ts', () => {
  const cases = [
    { given: 'an integer', leaf: { type: 'integer', default: 1 }, want: 'a: number' },
    { given: 'a nullable string', leaf: { type: ['string', 'null'], default: null }, want: 'a: (string | null)' },
    {
      given: 'a list of strings',
      leaf: { type: 'array', items: { type: 'string' }, default: [] },
      want: 'a: string[]',
    },
    { given: 'an enum', leaf: { type: 'string', enum: ['x', 'y'], default: 'x' }, want: 'a: ("x" | "y")' },
  ];
  for (const { given, leaf, want } of cases) {
    it(`given ${given}, types it as ${want}`, async () => {
      const code = (await emitted('config-ts', modelOf({ a: leaf }))).get('wazo-t/config.ts')!;
      assert.ok(code.split('\n').includes(want), `${want}\nin:\n${code}`);
    });
  }

  it('given a group, an interface named after its path, and a settings row per leaf with its env name and Consul key', async () => {
    const code = (
      await emitted(
        'config-ts',
        modelOf({
          rest_api: { type: 'object', properties: { port: { type: 'integer', default: 1, 'x-mutable': true } } },
        }),
      )
    ).get('wazo-t/config.ts')!;
    assert.match(code, /export interface RestApi \{/);
    assert.match(code, /rest_api: RestApi/);
    assert.ok(
      code.includes(
        '{"path":["rest_api","port"],"env":"WAZO_T_REST_API_PORT","consulKey":"config/wazo-t/rest_api/port","types":["integer"],"mutable":true,"secret":false,"default":1}',
      ),
      code,
    );
    assert.match(code, /env `WAZO_T_REST_API_PORT` · Consul `config\/wazo-t\/rest_api\/port` · applied live/);
  });
});
