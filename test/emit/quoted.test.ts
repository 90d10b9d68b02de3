/**
 * Quoted text as a type: only generator/syntax/ mints it (and the frame filler, whose result is
 * the frame's syntax), so an emitter cannot put unquoted text in a frame slot by casting.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { goTag, joinQuoted, mdTag, quoteTag } from '../../generator/syntax/quoted.ts';
import { goString, templateText } from '../../generator/syntax/gotemplate.ts';
import { mdCode } from '../../generator/syntax/markdown.ts';
import { yamlString } from '../../generator/syntax/yaml.ts';

const GENERATOR = join(import.meta.dirname, '..', '..', 'generator');
const MINTERS = new Set(['syntax', join('emit', 'templates.ts')]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('quoted text', () => {
  it('is minted only by generator/syntax/ and the frame filler', () => {
    const minting = sources(GENERATOR)
      .filter((file) => {
        const rel = relative(GENERATOR, file);
        return !MINTERS.has(rel) && !MINTERS.has(rel.split('/')[0]!);
      })
      .filter((file) => /\bquoted(<[^>]*>)?\(|as Quoted\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(GENERATOR, file));
    assert.deepEqual(minting, []);
  });

  it('composes with tagged templates whose values must be quoted for the same syntax', () => {
    const item = mdTag`- ${mdCode('a|b')} and ${mdCode('`x`')}`;
    assert.equal(item, '- `a|b` and `` `x` ``');
    // @ts-expect-error a plain string is not Markdown
    const plain = mdTag`- ${'*not escaped*'}`;
    // @ts-expect-error a YAML scalar is not Go template text
    const yaml = goTag`{{ ${yamlString('x')} }}`;
    assert.deepEqual([plain, yaml], ['- *not escaped*', '{{ "x" }}']);
    assert.equal(goTag`${templateText('{{ a }}')}{{ key ${goString('k')} }}`, '{{ "{{" }} a }}{{ key "k" }}');
    assert.equal(joinQuoted([mdCode('a'), mdCode('b')], ', '), '`a`, `b`');
    assert.equal(quoteTag<'hcl'>()`x = 1`, 'x = 1');
  });
});
