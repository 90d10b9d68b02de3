/**
 * `wazo-config exec --help` documents every option the command takes, each with what it does, and
 * docs/exec.md's option table lists the same ones (a new option cannot land undocumented in either).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { cli, REPO } from '../helpers.ts';

// Options of every command, documented in the README's command table rather than in docs/exec.md.
const PROJECT_WIDE = new Set(['--version', '--help', '--root', '--schemas', '--out']);

it('exec --help documents every option, and docs/exec.md lists the same ones', () => {
  const { status, stdout } = cli(REPO, ['exec', '--help']);
  assert.equal(status, 0);
  const options = stdout.slice(stdout.indexOf('\nOptions:'), stdout.indexOf('\nExamples:'));
  const described = [...options.matchAll(/^ {2}(--[a-z-]+) +(\S.*)$/gm)];
  assert.ok(described.length >= 10, options);
  for (const [, name, text] of described) assert.ok(text!.length > 12, `${name} has a description: ${text}`);
  const inHelp = described.map(([, name]) => name!).filter((n) => !PROJECT_WIDE.has(n));

  const docs = readFileSync(join(REPO, 'docs/exec.md'), 'utf8');
  const table = docs.slice(docs.indexOf('Options (`wazo-config exec --help`)'), docs.indexOf('Run the wrapper as'));
  const inDocs = [...table.matchAll(/`(--[a-z-]+)/g)].map(([, name]) => name!);
  assert.deepEqual([...inHelp].sort(), [...new Set(inDocs)].sort());
  assert.deepEqual(inHelp.filter((n) => ['--restart', '--grace', '--reap', '--render-dir'].includes(n)).sort(), [
    '--grace',
    '--reap',
    '--render-dir',
    '--restart',
  ]);
});
