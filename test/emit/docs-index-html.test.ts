/** docs-index-html: the search page, every key of every service in its data; its check refuses clashing deep links. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checked, emitted, modelOf } from './helpers.ts';

describe('emitter docs-index-html', () => {
  it('given two services, every key in the page data with its deep link, a secret default masked', async () => {
    const a = modelOf({ x: { type: 'integer', default: 1 } }, { name: 'wazo-a' });
    const b = modelOf({ y: { type: 'string', default: 'pw', 'x-secret': true } }, { name: 'wazo-b' });
    const html = (await emitted('docs-index-html', a, b)).get('docs/index.html')!;
    const data = JSON.parse(
      /<script type="application\/json" id="wazo-config-data">(.*?)<\/script>/s
        .exec(html)![1]!
        .replace(/\\u003c/g, '<'),
    );
    assert.deepEqual(
      data.keys.map((k: { anchor: string; default?: string }) => [k.anchor, k.default]),
      [
        ['wazo-a.x', '1'],
        ['wazo-b.y', '*****'],
      ],
    );
    assert.ok(!html.includes('pw"'), 'the secret default is not in the page');
  });

  const cases = [
    { given: 'distinct keys', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, want: [] },
    {
      given: 'keys that differ only in characters a deep link mangles',
      properties: {
        'a b': { type: 'integer', 'x-env': 'WAZO_T_ONE' },
        'a?b': { type: 'integer', 'x-env': 'WAZO_T_TWO' },
      },
      want: ['/properties/a?b: two keys share the docs anchor #wazo-t.a_b: this one and #/properties/a b'],
    },
  ];
  for (const { given, properties, want } of cases) {
    it(`check, given ${given}`, () => assert.deepEqual(checked('docs-index-html', modelOf(properties)), want));
  }
});
