/**
 * `generated/<service>/config.schema.json` is a strict-valid JSON Schema 2020-12 that accepts the
 * real shipped config.yml of its service and rejects wrong values, with no `x-` keyword left and
 * no secret default.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { createAjv } from '../../generator/ajv.ts';
import type { SchemaNode } from '../../generator/load.ts';
import { forEachSubschema } from '../../generator/walk.ts';
import { CORPUS, REPO } from '../helpers.ts';
import { hostileModel, realModels, renderDocs } from './docs-helpers.ts';

const models = await realModels();

for (const model of models) {
  describe(`${model.name}/config.schema.json`, () => {
    const schema = JSON.parse(
      readFileSync(join(REPO, 'generated', model.name, 'config.schema.json'), 'utf8'),
    ) as SchemaNode;
    const validate = createAjv().compile(schema);

    // Daemons run by `exec` (PostgreSQL, Kamailio) have no Wazo config.yml in the corpus.
    if (existsSync(join(CORPUS, model.name, 'config.yml'))) {
      it('accepts the shipped config.yml of the real-world corpus', () => {
        // An all-comment file (wazo-websocketd's) is a null document, which Wazo reads as {}.
        const config: unknown = parse(readFileSync(join(CORPUS, model.name, 'config.yml'), 'utf8')) ?? {};
        assert.ok(validate(config), JSON.stringify(validate.errors, null, 2));
      });
    }

    it('accepts a partial file and rejects wrong values', () => {
      assert.ok(validate({}));
      const flag = model.leaves.find((l) => l.types.length === 1 && l.types[0] === 'boolean');
      if (flag) assert.ok(!validate(nested(flag.path, 'maybe')), `${flag.path.join('.')}: "maybe"`);
      const port = model.leaves.find(
        (l) => /port$/.test(l.path.at(-1)!) && l.types.includes('integer') && !l.types.includes('string'),
      );
      if (port) assert.ok(!validate(nested(port.path, 70000)), `${port.path.join('.')}: 70000`);
      assert.ok(flag || port, 'the schema has a boolean or a port to reject a wrong value for');
    });

    it('is draft 2020-12 with our keywords as description text', () => {
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
      forEachSubschema(schema, '', (node, pointer) => {
        for (const keyword of Object.keys(node)) assert.ok(!keyword.startsWith('x-'), `${pointer}/${keyword}`);
      });
      for (const leaf of model.leaves) {
        const node = leaf.path.reduce((n, segment) => (n.properties as Record<string, SchemaNode>)[segment]!, schema);
        assert.match(
          String(node.description),
          new RegExp(`Environment variable ${leaf.envName}; Consul key`),
          leaf.envName,
        );
        assert.match(String(node.description), leaf.mutable ? /Applied live/ : /Needs a restart/);
        if (leaf.secret) assert.ok(!('default' in node) && !('examples' in node), `${leaf.envName}: secret default`);
      }
    });
  });
}

describe('editor schema of a hostile schema', () => {
  it('has no secret default and compiles in strict mode', async () => {
    const model = hostileModel();
    const before = JSON.stringify(model);
    const file = (await renderDocs([model], ['editor-schema'])).find(
      (f) => f.path === 'wazo-hostile/config.schema.json',
    )!;
    assert.ok(!file.contents.includes('hunter2'));
    createAjv().compile(JSON.parse(file.contents) as SchemaNode);
    assert.equal(JSON.stringify(model), before, 'the model is not changed');
  });
});

function nested(path: readonly string[], value: unknown): unknown {
  return path.reduceRight((inner, segment) => ({ [segment]: inner }), value);
}
