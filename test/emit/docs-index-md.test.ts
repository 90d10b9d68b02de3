/** docs-index-md: one row per service, linking its reference, with its counts and dependencies. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitted, modelOf } from './helpers.ts';

describe('emitter docs-index-md', () => {
  it('given two services, one row each, in the order given', async () => {
    const a = modelOf({ x: { type: 'integer', default: 1, 'x-mutable': true } }, { name: 'wazo-a' });
    const b = modelOf(
      { y: { type: 'string', default: 's', 'x-secret': true } },
      { name: 'wazo-b', dependsOn: ['wazo-a'] },
    );
    const text = (await emitted('docs-index-md', a, b)).get('docs/index.md')!;
    // Cells compared without the padding that aligns the columns.
    const rows = text
      .split('\n')
      .filter((line) => line.startsWith('| [`wazo-'))
      .map((line) => line.replace(/ {2,}/g, ' '));
    assert.equal(rows.length, 2, text);
    assert.ok(rows[0]!.startsWith('| [`wazo-a`](../wazo-a/README.md) | 1 | 1 | 0 | 0 | nothing |'), rows[0]);
    assert.ok(
      rows[1]!.startsWith('| [`wazo-b`](../wazo-b/README.md) | 1 | 0 | 1 | 0 | [`wazo-a`](../wazo-a/README.md) |'),
      rows[1],
    );
  });
});
