/**
 * generate's cache (generator/cache.ts): a run that changes nothing loads and renders nothing, and
 * any change to an input — a schema, a file its $ref reads, a project template — or to an output
 * on disk makes the next run a full one, so that `--check` stays exact.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { generate } from '../generator/index.ts';
import { REPO, tempRoot } from './helpers.ts';

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  'x-service': { name: 'wazo-x' },
  type: 'object',
  properties: { bus: { $ref: 'common/bus.json' } },
};
const BUS = { type: 'object', properties: { port: { type: 'integer', default: 5672, description: 'Bus port.' } } };

describe("generate's cache", () => {
  const root = tempRoot();
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'schemas', 'common'), { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'schemas', 'wazo-x.schema.json'), JSON.stringify(SCHEMA));
  writeFileSync(join(root, 'schemas', 'common', 'bus.json'), JSON.stringify(BUS));
  const run = (check = false) => generate({ root, cache: true, check });

  it('answers a run that changes nothing without loading or rendering, with the same files', async () => {
    const first = await run();
    assert.equal(first.cached, undefined);
    assert.ok(first.written.includes('wazo-x/config.ts'));
    const second = await run();
    assert.equal(second.cached, true);
    assert.deepEqual(second.models, []);
    assert.deepEqual(second.unchanged, [...first.written].sort());
    assert.deepEqual([second.written, second.deleted], [[], []]);
    assert.equal((await run(true)).cached, true);
  });

  it('answers from a process that loads none of the pipeline (ajv, ts-morph: CommonJS, so in require.cache)', () => {
    const probe = join(root, 'probe.mts');
    writeFileSync(
      probe,
      `import { createRequire } from 'node:module';
import { generate } from ${JSON.stringify(join(REPO, 'generator', 'generate.ts'))};
const result = await generate({ root: ${JSON.stringify(root)}, cache: true, check: true });
const loaded = Object.keys(createRequire(import.meta.url).cache)
  .map((path) => /node_modules\\/(ajv|ts-morph|json-schema-to-typescript|@apidevtools)\\//.exec(path)?.[1])
  .filter(Boolean);
console.log(JSON.stringify({ cached: result.cached, loaded: [...new Set(loaded)] }));`,
    );
    try {
      const out = execFileSync(process.execPath, ['--conditions=wazo-config-source', '--import', 'tsx', probe], {
        cwd: REPO,
        encoding: 'utf8',
      });
      assert.deepEqual(JSON.parse(out), { cached: true, loaded: [] });
    } finally {
      rmSync(probe);
    }
  });

  it('runs in full when an output was edited or removed, and --check names it', async () => {
    appendFileSync(join(root, 'generated', 'wazo-x', 'README.md'), 'edited\n');
    const check = await run(true);
    assert.equal(check.cached, undefined);
    assert.deepEqual(check.written, ['wazo-x/README.md']);
    assert.deepEqual((await run()).written, ['wazo-x/README.md']);
    rmSync(join(root, 'generated', 'wazo-x', 'consul-seed.json'));
    assert.deepEqual((await run()).written, ['wazo-x/consul-seed.json']);
    writeFileSync(join(root, 'generated', 'wazo-x', 'stray.txt'), 'x');
    assert.deepEqual((await run()).deleted, ['wazo-x/stray.txt']);
    assert.equal((await run()).cached, true);
  });

  it('runs in full when a schema, a file its $ref reads, or a project template changed', async () => {
    writeFileSync(
      join(root, 'schemas', 'common', 'bus.json'),
      JSON.stringify({ ...BUS, properties: { port: { ...BUS.properties.port, default: 5673 } } }),
    );
    const changed = await run();
    assert.equal(changed.cached, undefined);
    assert.ok(changed.written.includes('wazo-x/consul-seed.json'));
    assert.match(readFileSync(join(root, 'generated', 'wazo-x', 'config.ts'), 'utf8'), /5673/);
    assert.equal((await run()).cached, true);
    writeFileSync(
      join(root, 'schemas', 'wazo-y.schema.json'),
      JSON.stringify({ ...SCHEMA, 'x-service': { name: 'wazo-y' } }),
    );
    assert.ok((await run()).written.includes('wazo-y/config.ts'));
    mkdirSync(join(root, 'templates', 'deploy'), { recursive: true });
    writeFileSync(join(root, 'templates', 'deploy', 'unused.txt'), 'a project template');
    assert.equal((await run()).cached, undefined);
    assert.equal((await run()).cached, true);
  });
});
