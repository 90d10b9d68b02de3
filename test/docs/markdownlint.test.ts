/**
 * The Markdown we publish passes markdownlint-cli2 with the project's `.markdownlint-cli2.jsonc`:
 * the checked-in generated docs, the editor-support page, and the docs of a schema whose names and
 * texts try to break Markdown (lint-clean there means no raw HTML got through: MD033).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../helpers.ts';
import { hostileModel, renderDocs } from './docs-helpers.ts';

interface Cli2 {
  main(params: {
    directory: string;
    argv: string[];
    nonFileContents?: Record<string, string>;
    noGlobs?: boolean;
    logMessage?: (text: string) => void;
    logError?: (text: string) => void;
  }): Promise<number>;
}

// markdownlint-cli2 ships no type declarations: the module is imported by a name TypeScript does not resolve.
const CLI2_MODULE: string = 'markdownlint-cli2';

async function lint(
  argv: string[],
  nonFileContents?: Record<string, string>,
): Promise<{ code: number; errors: string[] }> {
  const { main } = (await import(CLI2_MODULE)) as Cli2;
  const errors: string[] = [];
  const code = await main({
    directory: REPO,
    argv,
    nonFileContents,
    noGlobs: nonFileContents !== undefined,
    logError: (text) => errors.push(text),
  });
  return { code, errors };
}

describe('markdownlint', () => {
  it('passes over generated/**/*.md and docs/editor-support.md', async () => {
    const { code, errors } = await lint(['generated/**/*.md', 'docs/editor-support.md']);
    assert.deepEqual(errors, []);
    assert.equal(code, 0);
  });

  it('passes over the docs of a hostile schema', async () => {
    const files = await renderDocs([hostileModel()], ['docs-readme', 'docs-index-md']);
    const markdown = Object.fromEntries(
      files.filter((f) => f.path.endsWith('.md')).map((f) => [join(REPO, 'rendered', f.path), f.contents]),
    );
    assert.ok(join(REPO, 'rendered/wazo-hostile/README.md') in markdown);
    const { code, errors } = await lint([], markdown);
    assert.deepEqual(errors, []);
    assert.equal(code, 0);
  });
});
