/** validator: the ajv standalone validator, compiled at generate time, importing only the ajv helpers it calls. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validatorEmitter } from '../../generator/emit/validator.ts';
import { REPO } from '../helpers.ts';
import { emitted, modelOf } from './helpers.ts';

describe('emitter validator', () => {
  it('given a schema, writes validate.ts (unchecked code, typed export), with no require()', async () => {
    const files = await emitted('validator', modelOf({ port: { type: 'integer', minimum: 1 } }));
    assert.deepEqual([...files.keys()], ['wazo-t/validate.ts']);
    const code = files.get('wazo-t/validate.ts')!;
    assert.ok(!code.includes('require('), 'an ES module');
    assert.match(code, /minimum/);
    assert.match(code, /^\/\/ @ts-nocheck/m);
    assert.match(code, /^export const validate = \w+ as unknown as CompiledValidator;$/m);
  });

  it("lays ajv's code out without a formatter: blocks indented a level each, the schema as laid-out JSON", async () => {
    const code = (
      await emitted('validator', modelOf({ grp: { type: 'object', properties: { port: { type: 'integer' } } } }))
    ).get('wazo-t/validate.ts')!;
    const body = code.slice(code.indexOf('\nfunction '), code.lastIndexOf('\n}\n'));
    let depth = 0;
    let deepest = 0;
    for (const line of body.split('\n').slice(1)) {
      if (line.trim().startsWith('}')) depth--;
      assert.equal(line.length - line.trimStart().length, 2 * depth, `indented ${2 * depth}: ${JSON.stringify(line)}`);
      if (line.endsWith('{')) deepest = Math.max(deepest, ++depth);
    }
    assert.ok(deepest >= 3, 'nested blocks');
    assert.match(code, /^const schema\d+ = \{\n {2}"type": "object",$/m);
  });

  it('imports each ajv helper it calls from wazo-config/runtime/ajv/<name>, and only those', async () => {
    const plain = (await emitted('validator', modelOf({ port: { type: 'integer' } }))).get('wazo-t/validate.ts')!;
    assert.doesNotMatch(plain, /from 'wazo-config\/runtime\/ajv\//, 'no helper for a plain type check');
    const withHelpers = (
      await emitted(
        'validator',
        modelOf({ name: { type: 'string', minLength: 1 }, url: { type: 'string', format: 'uri' } }),
      )
    ).get('wazo-t/validate.ts')!;
    assert.match(withHelpers, /^import ajv_ucs2length from 'wazo-config\/runtime\/ajv\/ucs2length';$/m);
    assert.match(withHelpers, /^import ajvFormats from 'wazo-config\/runtime\/ajv\/formats';$/m);
  });

  it('writes validate.js + validate.d.ts beside a config.js (generate --js)', async () => {
    const files = await validatorEmitter.emit(modelOf({ port: { type: 'integer', minimum: 1 } }), {
      root: REPO,
      language: 'js',
    });
    assert.deepEqual(files.map((f) => f.path).sort(), ['wazo-t/validate.d.ts', 'wazo-t/validate.js']);
    assert.match(
      files.find((f) => f.path.endsWith('.d.ts'))!.contents,
      /export declare const validate: CompiledValidator;/,
    );
  });
});
