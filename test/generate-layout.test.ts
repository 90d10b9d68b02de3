/**
 * The layout of the checked-in generated/: prettier lays out only the `config.ts` loaders (format.ts); the Markdown
 * and JSON emitters write prettier's layout themselves (aligned tables, syntax/json.ts), so that the files read the
 * same as when prettier wrote them and stay so. generated/ stays out of `prettier --check` (the ajv validators and
 * the search page have their emitters' own layout); this test holds the files that promise prettier's.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import * as prettier from 'prettier';
import { REPO } from './helpers.ts';

const GENERATED = join(REPO, 'generated');
const PARSERS: Record<string, string> = { '.md': 'markdown', '.json': 'json', 'config.ts': 'typescript' };

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('generated/ layout', () => {
  it('Markdown, JSON and config.ts are as prettier lays them out', async () => {
    const options = (await prettier.resolveConfig(join(REPO, 'package.json'))) ?? {};
    const checked: string[] = [];
    for (const path of files(GENERATED)) {
      const parser = Object.entries(PARSERS).find(([ending]) => path.endsWith(ending))?.[1];
      if (!parser) continue;
      const text = readFileSync(path, 'utf8');
      assert.equal(await prettier.format(text, { ...options, parser }), text, relative(REPO, path));
      checked.push(relative(GENERATED, path));
    }
    for (const kind of ['README.md', 'config.schema.json', 'consul-seed.json', 'config.ts', 'docs/index.md'])
      assert.ok(
        checked.some((path) => path.endsWith(kind)),
        kind,
      );
  });
});
