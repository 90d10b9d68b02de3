/**
 * The docs' quoting helpers, checked against real parsers where there is one: POSIX `sh` for shell
 * words, `JSON.parse` for embedded JSON.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as prettier from 'prettier';
import { fillTemplate, type FrameValues } from '../../generator/emit/templates.ts';
import { htmlJson, htmlText } from '../../generator/syntax/html.ts';
import { shellWord } from '../../generator/syntax/shell.ts';
import { jsonText } from '../../generator/syntax/json.ts';
import { mdCell, mdCode, mdDocument, mdTable, mdText, mermaidLabel, Slugger } from '../../generator/syntax/markdown.ts';

describe('markdown layout', () => {
  it('pads every column to its widest cell, right-aligned columns on the left, wide characters counted twice', () => {
    assert.equal(
      mdTable(
        ['Key', 'n'],
        ['left', 'right'],
        [
          [mdCode('a|b'), mdText('12')],
          [mdText('日本'), mdText('3')],
        ],
      ),
      ['| Key    |   n |', '| ------ | --: |', '| `a\\|b` |  12 |', '| 日本   |   3 |'].join('\n'),
    );
  });

  it('keeps one blank line between blocks, but the blank lines of a fenced block', () => {
    assert.equal(mdDocument('# a\n\n\n\ntext\n```\nx\n\n\ny\n```\n\n\n'), '# a\n\ntext\n```\nx\n\n\ny\n```\n');
  });
});

describe('JSON layout', () => {
  it('puts objects one key a line and arrays of scalars on one line while they fit', () => {
    assert.equal(
      jsonText({ a: [1, 'x'], b: {}, c: [{ d: null }] }),
      '{\n  "a": [1, "x"],\n  "b": {},\n  "c": [\n    {\n      "d": null\n    }\n  ]\n}',
    );
    assert.equal(jsonText({ list: ['aaaa', 'bbbb'] }, 20), '{\n  "list": [\n    "aaaa",\n    "bbbb"\n  ]\n}');
    fc.assert(
      // Compared with what JSON itself keeps of the value: it has no -0 (JSON.stringify writes 0).
      fc.property(fc.jsonValue(), (value) =>
        assert.deepEqual(JSON.parse(jsonText(value)), JSON.parse(JSON.stringify(value))),
      ),
      { numRuns: 100 },
    );
  });

  it('is what prettier writes, at any width: matrices broken, number lists filling their lines, a trailing , counted', async () => {
    assert.equal(
      jsonText({ examples: [['127.0.0.1/24', '192.168.0.0/16']] }),
      '{\n  "examples": [["127.0.0.1/24", "192.168.0.0/16"]]\n}',
    );
    assert.equal(
      jsonText([
        ['a', 'b'],
        ['c', 'd'],
      ]),
      '[\n  ["a", "b"],\n  ["c", "d"]\n]',
    );
    assert.equal(jsonText([1, 22, 333, 4444], 12), '[\n  1, 22,\n  333, 4444\n]');
    const value = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.integer({ min: -999, max: 99_999 }), fc.boolean(), fc.constant(null), fc.string({ maxLength: 12 })),
        fc.array(tie('value'), { maxLength: 6 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    await fc.assert(
      fc.asyncProperty(value, fc.integer({ min: 10, max: 120 }), async (data, width) => {
        const text = jsonText(data, width);
        assert.equal(await prettier.format(text, { parser: 'json', printWidth: width }), `${text}\n`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('markdown quoting', () => {
  it('escapes what Markdown would read as syntax, and links bare URLs', () => {
    assert.equal(mdText('reads *.yml and <name>'), 'reads \\*.yml and \\<name\\>');
    assert.equal(mdText('_DEFAULT_CONFIG of wazo_auth'), '\\_DEFAULT_CONFIG of wazo_auth');
    assert.equal(mdText('# one'), '\\# one');
    assert.equal(mdText('1. one'), '1\\. one');
    assert.equal(mdText('see https://wazo-platform.org/uc-doc/.'), 'see <https://wazo-platform.org/uc-doc/>.');
    assert.equal(mdText('(see https://example.com/a_(b))'), '(see <https://example.com/a_(b)>)');
  });

  it('writes code spans that hold any text', () => {
    assert.equal(mdCode('bus.port'), '`bus.port`');
    assert.equal(mdCode('a`b'), '``a`b``');
    assert.equal(mdCode('`x`'), '`` `x` ``');
    assert.equal(mdCell(mdCode('a|b')), '`a\\|b`');
  });

  it('computes heading anchors as GitHub does, duplicates numbered', () => {
    const slugs = new Slugger();
    assert.equal(slugs.slug('Where values come from'), 'where-values-come-from');
    assert.equal(slugs.slug('rest_api.https'), 'rest_apihttps');
    assert.equal(slugs.slug('Contents'), 'contents');
    assert.equal(slugs.slug('contents'), 'contents-1');
  });

  it('quotes mermaid labels', () => {
    assert.equal(mermaidLabel('a"b#c<d>'), '"a#quot;b#35;c#lt;d#gt;"');
  });
});

describe('snippet quoting', () => {
  const texts = fc.string({ unit: 'binary', minLength: 0, maxLength: 20 }).filter((s) => !s.includes('\0'));

  it('shell words read back as the same argument in sh', () => {
    const samples = ['true', '["offline_access","Contacts.Read"]', "it's", 'a b $HOME `id` \\ "q"', ''];
    fc.assert(
      fc.property(fc.array(texts, { minLength: 1, maxLength: 5 }), (words) => {
        const all = [...samples, ...words];
        const out = execFileSync('sh', ['-c', `printf '%s\\0' ${all.map(shellWord).join(' ')}`]).toString();
        assert.deepEqual(out.split('\0').slice(0, -1), all);
      }),
      { numRuns: 15 },
    );
  });
});

describe('html quoting', () => {
  it('escapes text and attribute values', () => {
    assert.equal(htmlText(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('embeds JSON that cannot close its script element and parses back to the same value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = htmlJson({ value, attack: '</script><!-- <script>\u2028\u2029&' });
        assert.doesNotMatch(text, /<|>|&|\u2028|\u2029/);
        assert.deepEqual(
          JSON.parse(text),
          JSON.parse(JSON.stringify({ value, attack: '</script><!-- <script>\u2028\u2029&' })),
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('templates', () => {
  it('fills each placeholder once, never a value read as a placeholder', () => {
    assert.equal(
      fillTemplate('a @{x} b @{y}', 'docs', 'index.md', { x: mdText('@{y}'), y: mdText('1') }),
      'a @{y} b 1',
    );
  });

  it('names placeholders without values and values without placeholders', () => {
    assert.throws(
      () => fillTemplate('@{x} @{z}', 'docs', 'index.md', { x: mdText(''), y: mdText('') }),
      /templates\/docs\/index\.md: no value for @\{z\}; no placeholder for @\{y\}/,
    );
  });

  it('takes for each frame only text quoted for its syntax: HTML is refused in Markdown at compile time', () => {
    // @ts-expect-error HTML-escaped text is not Markdown
    const html: FrameValues<'index.md'> = { lead: htmlText('a') };
    // @ts-expect-error a plain string is not quoted at all
    const plain: FrameValues<'index.html'> = { lead: 'a' };
    assert.deepEqual([html.lead, plain.lead], ['a', 'a']);
  });
});
