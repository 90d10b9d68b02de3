/**
 * `infer` over every component of the real-world corpus: the draft passes the generator's checks
 * and rules, every input loads back through the runtime loader to what Wazo's merge gives, and the
 * shipped config.yml gives Wazo's own effective config (effective_config.json).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { SchemaNode } from '../../generator/load.ts';
import { inferSchema, type Inferred } from '../../generator/infer/index.ts';
import { readInputs, type InputFile } from '../../generator/infer/inputs.ts';
import { verifyInferred } from '../../generator/infer/verify.ts';
import { resolveConfig, type JsonObject } from '../../generator/runtime/index.ts';
import { CORPUS, memoryLogger, readJson, tempRoot } from '../helpers.ts';
import { corpusComponents, effectiveWithoutLeftOutSecrets, specOf } from './helpers.ts';

const components = corpusComponents();
const drafts = new Map<string, { inputs: InputFile[]; inferred: Inferred }>();

/** The node of a key path in a schema. */
function at(schema: SchemaNode, path: string): SchemaNode {
  return path.split('/').reduce((node, key) => (node.properties as Record<string, SchemaNode>)[key]!, schema);
}

before(() => {
  for (const c of components) {
    const { inputs, problems } = readInputs(c.files, c.defaults);
    assert.deepEqual(problems, [], c.name);
    drafts.set(c.name, { inputs, inferred: inferSchema(inputs, { service: c.name }) });
  }
});

describe('infer over the real-world corpus', () => {
  it('covers all 22 components', () => assert.equal(components.length, 22, components.map((c) => c.name).join()));

  for (const c of components) {
    it(`${c.name}: the draft passes the checks and loads every input back to the same object`, async () => {
      const { inputs, inferred } = drafts.get(c.name)!;
      assert.deepEqual(inferred.problems, []);
      const results = await verifyInferred(inferred.schema, inputs, tempRoot());
      assert.equal(results.length, inputs.length);
      for (const result of results) {
        assert.deepEqual(result.differences, [], result.file);
        if (result.skipped)
          assert.match(readFileSync(result.file, 'utf8'), /^!exec/m, `${result.file} is skipped only as an !exec file`);
      }
      if (!c.defaults) return;
      // An independent golden: Wazo's own ChainMap(config.yml, defaults).
      const spec = await specOf(inferred.schema);
      const { config } = await resolveConfig(spec, {
        configFile: c.files[0]!,
        configDir: false,
        consul: false,
        env: {},
        strict: true,
        logger: memoryLogger(),
      });
      const { effective, leftOut } = effectiveWithoutLeftOutSecrets(
        spec,
        config as JsonObject,
        readJson(join(CORPUS, c.name, 'effective_config.json')) as JsonObject,
      );
      for (const setting of leftOut) {
        const note = (at(inferred.schema, setting.path.join('/')).$comment as string | undefined) ?? '';
        assert.match(note, /no default: the file's value is a secret, left out/, setting.path.join('.'));
      }
      assert.deepEqual(config, effective);
    });

    it(`${c.name}: from config.yml alone (its values as defaults), the draft loads it back`, async () => {
      const { inputs, problems } = readInputs([c.files[0]!]);
      assert.deepEqual(problems, []);
      const inferred = inferSchema(inputs, { service: c.name });
      assert.deepEqual(inferred.problems, []);
      for (const result of await verifyInferred(inferred.schema, inputs, tempRoot()))
        assert.deepEqual(result.differences, [], result.file);
    });
  }
});

describe('what the drafts say', () => {
  const schema = (name: string) => drafts.get(name)!.inferred.schema;

  it('takes descriptions from the comments above keys, and none across a blank line', () => {
    const calld = schema('wazo-calld');
    assert.equal(at(calld, 'rest_api/listen').description, 'Address to listen on', 'the first key of a mapping');
    assert.equal(at(calld, 'rest_api').description, 'REST API server');
    assert.match(
      at(calld, 'rest_api/max_threads').description as string,
      /^Maximum of concurrent threads processing requests\. The number of threads \(and database connections\) scales/,
    );
    assert.equal(
      at(calld, 'extra_config_files').description,
      'Directory in which to place config overrides',
      'not the file header above a blank line',
    );
    assert.equal(at(calld, 'auth/host').description, undefined);
  });

  it('infers integer vs number from the text, nullable from null, unions from disagreeing files', () => {
    assert.equal(at(schema('wazo-auth'), 'token_cleanup_interval').type, 'number', '60.0 in the defaults');
    assert.equal(at(schema('wazo-auth'), 'default_token_lifetime').type, 'integer');
    assert.deepEqual(
      at(schema('wazo-confd'), 'sysconfd/port'),
      { type: ['string', 'integer'], default: '8668' },
      "'8668' in code, 8668 in config.yml",
    );
    const poolSize = at(schema('wazo-calld'), 'ari/connection/pool_size');
    assert.deepEqual(poolSize.type, ['string', 'null']);
    assert.match(poolSize.$comment as string, /^review: only null was seen/);
  });

  it('keeps plugin sets and empty mappings as open maps, sections with enabled as groups', () => {
    assert.deepEqual(at(schema('wazo-confgend'), 'enabled_asterisk_modules').additionalProperties, { type: 'boolean' });
    assert.equal(at(schema('wazo-calld'), 'enabled_plugins').properties, undefined);
    assert.deepEqual(at(schema('wazo-auth'), 'default_policies').additionalProperties, {
      type: 'object',
      properties: { description: { type: 'string' }, acl: { type: 'array', items: { type: 'string' } } },
    });
    assert.equal(at(schema('wazo-calld'), 'service_discovery').type, 'object');
    assert.ok(at(schema('wazo-calld'), 'service_discovery').properties);
  });

  it('suggests x-secret for passwords, tokens, key files and URIs with credentials, for review', () => {
    for (const [name, path, why] of [
      ['wazo-calld', 'ari/connection/password', 'a password'],
      ['wazo-calld', 'auth/key_file', 'a key file'],
      ['wazo-auth', 'db_uri', 'a URI with credentials'],
      ['wazo-auth', 'amqp/uri', 'a URI with credentials'],
      ['wazo-webhookd', 'celery/broker', 'a URI with credentials'],
    ] as const) {
      const node = at(schema(name), path);
      assert.equal(node['x-secret'], true, `${name} ${path}`);
      assert.match(node.$comment as string, new RegExp(`x-secret suggested: ${why}`));
    }
    assert.equal(at(schema('wazo-auth'), 'password_reset_expiration')['x-secret'], undefined);
    assert.equal(at(schema('wazo-auth'), 'microsoft/token_url')['x-secret'], undefined);
  });

  it('adds keys seen only in commented-out examples, without a default', () => {
    const host = at(schema('wazo-calld'), 'consul/host');
    assert.deepEqual(host.examples, ['consul.example.com']);
    assert.equal(host.default, undefined);
    assert.match(host.$comment as string, /seen only in a commented-out example/);
    assert.equal(at(schema('wazo-calld'), 'consul/token')['x-secret'], true);
    assert.equal(
      at(schema('wazo-calld'), 'service_discovery/enabled').description,
      'Indicates whether of not to use service discovery.',
    );
  });

  it('recognises !exec files without running them', () => {
    const notes = drafts.get('wazo-phoned')!.inferred.notes.map((n) => `${n.where}: ${n.message}`);
    assert.ok(
      notes.includes(
        `${join(CORPUS, 'wazo-phoned/conf.d/50-authorized-subnets.yml')}:2: an !exec node (command: wazo-confgen phoned/config.yml): recognised, not run; the keys it stands for are not inferred`,
      ),
      notes.join('\n'),
    );
    assert.ok(existsSync(join(CORPUS, 'wazo-provd/conf.d/50-network.yml')));
  });
});

describe('verifyInferred finds a draft that does not load its inputs back', () => {
  it('names the key whose default no longer gives the defaults file', async () => {
    const { inputs, inferred } = drafts.get('wazo-auth')!;
    const schema = structuredClone(inferred.schema);
    const lifetime = at(schema, 'default_token_lifetime');
    lifetime.default = (lifetime.default as number) + 1;
    const results = await verifyInferred(schema, inputs, tempRoot());
    const found = results.flatMap((r) => r.differences.map((d) => `${r.file}: ${d}`));
    assert.ok(found.length > 0 && found.every((d) => d.includes('default_token_lifetime')), found.join('\n'));
  });
});
