/**
 * The checked-in docs are what the docs emitters write now (as `generate --check` sees them), and
 * writing them twice gives the same bytes without touching the models.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../helpers.ts';
import { hostileModel, realModels, renderDocs } from './docs-helpers.ts';

describe('docs golden files', () => {
  it('generated/ holds exactly what the docs emitters write', async () => {
    const models = await realModels();
    const before = JSON.stringify(models);
    const files = await renderDocs(models);
    assert.equal(JSON.stringify(models), before, 'the models are not changed');
    const expected = [
      ...models.flatMap((m) => [`${m.name}/README.md`, `${m.name}/config.schema.json`]),
      'docs/index.md',
      'docs/index.html',
    ];
    assert.deepEqual(files.map((f) => f.path).sort(), expected.sort());
    const stale = files.filter((f) => {
      const path = join(REPO, 'generated', f.path);
      return !existsSync(path) || readFileSync(path, 'utf8') !== f.contents;
    });
    assert.deepEqual(
      stale.map((f) => f.path),
      [],
      'stale docs: run `npm run generate`',
    );
  });

  it('writes the same bytes twice and leaves the model unchanged', async () => {
    const model = hostileModel();
    const before = JSON.stringify(model);
    const [first, second] = [await renderDocs([model]), await renderDocs([model])];
    assert.deepEqual(second, first);
    assert.equal(JSON.stringify(model), before);
  });
});
