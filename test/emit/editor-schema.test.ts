/** editor-schema: the resolved schema for editors, each setting's description telling how to set it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitted, modelOf } from './helpers.ts';

describe('emitter editor-schema', () => {
  const cases = [
    {
      given: 'a restart-only leaf',
      leaf: { type: 'integer', default: 1 },
      want: {
        default: 1,
        description: 'Needs a restart to apply. Environment variable WAZO_T_A; Consul key config/wazo-t/a.',
      },
    },
    {
      given: 'a live leaf with a description',
      leaf: { type: 'string', description: 'Level.', 'x-mutable': true },
      want: {
        description:
          'Level.\n\nApplied live when changed in Consul. Environment variable WAZO_T_A; Consul key config/wazo-t/a.',
      },
    },
    {
      given: 'a secret: its default is not shown',
      leaf: { type: 'string', default: 'pw', 'x-secret': true },
      want: { default: undefined },
    },
    { given: 'a deprecated leaf', leaf: { type: 'string', deprecated: true }, want: { deprecated: true } },
  ];
  for (const { given, leaf, want } of cases) {
    it(`given ${given}`, async () => {
      const schema = JSON.parse(
        (await emitted('editor-schema', modelOf({ a: leaf }))).get('wazo-t/config.schema.json')!,
      );
      const property = schema.properties.a as Record<string, unknown>;
      for (const [keyword, value] of Object.entries(want)) assert.deepEqual(property[keyword], value, keyword);
      if (leaf.deprecated) assert.match(String(property.description), /Deprecated: a is slated for removal\./);
    });
  }
});
