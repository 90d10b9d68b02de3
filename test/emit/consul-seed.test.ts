/** consul-seed: every default as its value text, base64, in `consul kv import` format. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitted, modelOf } from './helpers.ts';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

describe('emitter consul-seed', () => {
  const cases = [
    {
      given: 'an integer default',
      leaf: { type: 'integer', default: 9 },
      want: [{ key: 'config/wazo-t/a', flags: 0, value: b64('9') }],
    },
    {
      given: 'a string default, raw',
      leaf: { type: 'string', default: "it's 1" },
      want: [{ key: 'config/wazo-t/a', flags: 0, value: b64("it's 1") }],
    },
    {
      given: 'a list default, as JSON',
      leaf: { type: 'array', items: { type: 'string' }, default: ['x', 'y'] },
      want: [{ key: 'config/wazo-t/a', flags: 0, value: b64('["x","y"]') }],
    },
    {
      given: 'a string that reads as the other type of its union, quoted',
      leaf: { type: ['integer', 'string'], default: '8' },
      want: [{ key: 'config/wazo-t/a', flags: 0, value: b64('"8"') }],
    },
    { given: 'no default', leaf: { type: 'string' }, want: [] },
  ];
  for (const { given, leaf, want } of cases) {
    it(`given ${given}`, async () => {
      const files = await emitted('consul-seed', modelOf({ a: leaf }));
      assert.deepEqual(JSON.parse(files.get('wazo-t/consul-seed.json')!), want);
    });
  }

  it('puts a key under the x-service consulPrefix, a / inside a name percent-encoded', async () => {
    const files = await emitted(
      'consul-seed',
      modelOf({ 'a/b': { type: 'integer', default: 1 } }, { consulPrefix: 'kv/t' }),
    );
    assert.equal(JSON.parse(files.get('wazo-t/consul-seed.json')!)[0].key, 'kv/t/a%2Fb');
  });
});
