/**
 * docs-readme: the service's settings reference; its check refuses a service the "how to change" sections cannot show.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checked, emitted, modelOf } from './helpers.ts';

describe('emitter docs-readme', () => {
  it('given a live key and a group, lists the live key and gives the group its section', async () => {
    const text = (
      await emitted(
        'docs-readme',
        modelOf({
          port: { type: 'integer', default: 2, 'x-mutable': true },
          grp: { type: 'object', properties: { host: { type: 'string', default: 'h' } } },
        }),
      )
    ).get('wazo-t/README.md')!;
    assert.ok(text.replace(/ {2,}/g, ' ').includes('| [`port`](#port) | `WAZO_T_PORT` | `config/wazo-t/port` |'), text);
    assert.ok(text.includes('The examples set [`port`](#port) to `2`. A change of `port` is applied live.'), text);
    assert.match(text, /^### `grp`$/m);
  });

  const example =
    "no key can serve as the docs' example: no setting has a value whose text fits on one line of an env file";
  const cases = [
    { given: 'a scalar with a default', properties: { a: { type: 'integer', default: 1 } }, want: [] },
    {
      given: 'only a secret default (the example then uses it)',
      properties: { a: { type: 'string', default: 'pw', 'x-secret': true } },
      want: [],
    },
    {
      given: 'no default at all (the example then uses a plain value)',
      properties: { a: { type: 'string' } },
      want: [],
    },
    {
      given: 'only a multi-line value',
      properties: { a: { type: 'string', default: 'a\nb', examples: ['c\nd'] } },
      want: [`: ${example}`],
    },
    {
      given: 'two keys with one deep link',
      properties: {
        'a.b': { type: 'integer', default: 1, 'x-env': 'WAZO_T_ONE' },
        a: { type: 'object', properties: { b: { type: 'integer', default: 2 } } },
      },
      want: ['/properties/a/properties/b: two keys share the docs anchor #wazo-t.a.b: this one and #/properties/a.b'],
    },
  ];
  for (const { given, properties, want } of cases) {
    it(`check, given ${given}`, () => assert.deepEqual(checked('docs-readme', modelOf(properties)), want));
  }
});
