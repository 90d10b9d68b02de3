/** validator: the ajv standalone validator, compiled at generate time, importing only wazo-config/runtime. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emitted, modelOf } from './helpers.ts';

describe('emitter validator', () => {
  it('given a schema, writes validate.js and its declaration, with no require()', async () => {
    const files = await emitted('validator', modelOf({ port: { type: 'integer', minimum: 1 } }));
    assert.deepEqual([...files.keys()].sort(), ['wazo-t/validate.d.ts', 'wazo-t/validate.js']);
    const code = files.get('wazo-t/validate.js')!;
    assert.ok(!code.includes('require('), 'an ES module');
    assert.match(code, /minimum/);
  });
});
