import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { generate, loadModels, renderFiles } from '../generator/index.ts';
import { cli, readJson, REPO, tempRoot } from './helpers.ts';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

function copyProject(): string {
  const root = tempRoot();
  cpSync(join(REPO, 'schemas'), join(root, 'schemas'), { recursive: true });
  cpSync(join(REPO, 'generated'), join(root, 'generated'), { recursive: true });
  return root;
}

describe('generate', () => {
  it('produces exactly the checked-in generated/ (golden files)', async () => {
    const models = await loadModels(REPO);
    const files = await renderFiles(models, REPO);
    assert.deepEqual(files.map((f) => f.path).sort(), listFiles(join(REPO, 'generated')));
    for (const file of files)
      assert.equal(file.contents, readFileSync(join(REPO, 'generated', file.path), 'utf8'), file.path);
  });

  it('is deterministic and leaves the schemas untouched', async () => {
    const schemaFiles = listFiles(join(REPO, 'schemas'));
    const before = schemaFiles.map((f) => readJson(join(REPO, 'schemas', f)));
    const first = await renderFiles(await loadModels(REPO), REPO);
    const second = await renderFiles(await loadModels(REPO), REPO);
    assert.deepEqual(second, first);
    assert.deepEqual(
      schemaFiles.map((f) => readJson(join(REPO, 'schemas', f))),
      before,
    );
  });

  it('writes only what changed and deletes what no schema produces any more', async () => {
    const root = copyProject();
    try {
      writeFileSync(join(root, 'generated/wazo-auth/stale.txt'), 'left over');
      const schema = readJson(join(root, 'schemas/wazo-dird.schema.json')) as { description: string };
      schema.description = 'Changed.';
      writeFileSync(join(root, 'schemas/wazo-dird.schema.json'), JSON.stringify(schema, null, 2));
      const result = await generate({ root });
      assert.ok(
        result.written.length > 0 && result.written.every((p) => p.startsWith('wazo-dird/') || p.startsWith('docs/')),
        result.written.join(),
      );
      assert.deepEqual(result.deleted, ['wazo-auth/stale.txt']);
      const again = await generate({ root });
      assert.deepEqual([again.written, again.deleted], [[], []]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('generate <one service> also refreshes the cross-service index, so --check passes after it', () => {
    const root = copyProject();
    try {
      const schemaPath = join(root, 'schemas/wazo-dird.schema.json');
      const schema = readJson(schemaPath) as { properties: Record<string, { description?: string }> };
      schema.properties.debug!.description = 'A description only the index and the README show.';
      writeFileSync(schemaPath, JSON.stringify(schema, null, 2));
      const env = { ...process.env, WAZO_CONFIG_ROOT: root };
      const result = cli(root, ['generate', 'wazo-dird'], env);
      assert.equal(result.status, 0, result.stderr);
      assert.match(
        readFileSync(join(root, 'generated/docs/index.html'), 'utf8'),
        /A description only the index and the README show\./,
      );
      const check = cli(root, ['generate', '--check'], env);
      assert.equal(check.status, 0, check.stderr);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('--check lists every stale file, exits 1 and writes nothing', () => {
    const root = copyProject();
    try {
      assert.equal(cli(root, ['generate', '--check']).status, 0);
      const schemaPath = join(root, 'schemas/wazo-webhookd.schema.json');
      const schema = readJson(schemaPath) as { properties: { debug: { description: string } } };
      schema.properties.debug.description = 'Changed.';
      writeFileSync(schemaPath, JSON.stringify(schema, null, 2));
      rmSync(join(root, 'generated/wazo-auth/consul-seed.json'));
      const before = readFileSync(join(root, 'generated/wazo-webhookd/config.ts'), 'utf8');
      const result = cli(root, ['generate', '--check']);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /generated\/wazo-webhookd\/config\.ts/);
      assert.match(result.stderr, /generated\/wazo-auth\/consul-seed\.json/);
      assert.equal(readFileSync(join(root, 'generated/wazo-webhookd/config.ts'), 'utf8'), before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('names every type after its path, never with a number to tell duplicates apart', () => {
    for (const service of readdirSync(join(REPO, 'generated')).filter((d) =>
      existsSync(join(REPO, 'generated', d, 'config.ts')),
    )) {
      const text = readFileSync(join(REPO, 'generated', service, 'config.ts'), 'utf8');
      const names = [...text.matchAll(/^export (?:interface|type) (\w+)/gm)].map((m) => m[1]!);
      assert.ok(
        names.includes('Config') && (names.includes('RestApi') || !/^ {2}rest_api[?]?:/m.test(text)),
        `${service}: ${names.join(', ')}`,
      );
      assert.deepEqual(
        names.filter((n) => /\d$/.test(n)),
        [],
        service,
      );
    }
  });

  it('type-checks all of generated/ and a consumer in one strict program', () => {
    const files = listFiles(join(REPO, 'generated'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(REPO, 'generated', f));
    const program = ts.createProgram([...files, join(REPO, 'test/fixtures/consumer.ts')], {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitReturns: true,
      noUnusedLocals: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      customConditions: ['wazo-config-source'],
      target: ts.ScriptTarget.ES2023,
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + ` (${d.file?.fileName})`);
    assert.deepEqual(diagnostics, []);
    assert.ok(files.length >= 10, 'every service has its loader and validator types');
  });
});
