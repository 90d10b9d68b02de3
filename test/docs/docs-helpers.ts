/** Shared by the docs tests: the real models, the docs emitters alone, and a hostile schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel, type ServiceModel } from '../../generator/model.ts';
import { EMITTERS, emitFiles } from '../../generator/emit/index.ts';
import type { GeneratedFile } from '../../generator/emit/emitter.ts';
import { formatFiles } from '../../generator/format.ts';
import { loadModels } from '../../generator/index.ts';
import { REPO } from '../helpers.ts';

export const DOCS_EMITTERS = ['docs-readme', 'editor-schema'];
export const DOCS_INDEX_EMITTERS = ['docs-index-md', 'docs-index-html'];

let models: Promise<ServiceModel[]> | undefined;

/** The models of `schemas/`, loaded once per test file. */
export function realModels(): Promise<ServiceModel[]> {
  models ??= loadModels(REPO);
  return models;
}

/** The checked-in docs of these models (test/docs/golden.test.ts checks they are current). */
export function checkedInDocs(list: ServiceModel[]): Map<string, string> {
  const paths = [
    ...list.flatMap((m) => [`${m.name}/README.md`, `${m.name}/config.schema.json`]),
    'docs/index.md',
    'docs/index.html',
  ];
  return new Map(paths.map((path) => [path, readFileSync(join(REPO, 'generated', path), 'utf8')]));
}

/** What the docs emitters (or only those named) write for these models, formatted as `generate` formats it. */
export async function renderDocs(list: ServiceModel[], only?: string[]): Promise<GeneratedFile[]> {
  const docs = [...DOCS_EMITTERS, ...DOCS_INDEX_EMITTERS];
  const emitters = EMITTERS.filter((e) => docs.includes(e.name) && (!only || only.includes(e.name)));
  return formatFiles(await emitFiles(list, { root: REPO }, { emitters }), REPO);
}

export const HOSTILE_TEXT =
  'Ends </script><script>window.__pwned = 1</script><!-- and <img src=x onerror="window.__pwned = 2"> with | pipes, *stars*, _under_ `ticks` [a](javascript:alert(1)) & amp; see https://example.com/x_(y).';

/** A schema whose names and texts try to break every syntax the docs write. */
export function hostileModel(): ServiceModel {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    title: 'Hostile <b>service</b> # title',
    description: HOSTILE_TEXT,
    'x-service': { name: 'wazo-hostile', dependsOn: ['wazo-auth', 'wazo-x"y'] },
    properties: {
      '1. level': {
        type: 'string',
        enum: ['a|b', '`x`', "it's"],
        default: 'a|b',
        description: '# not a heading',
        'x-mutable': true,
      },
      'we`ird|key': { type: 'integer', minimum: 1, default: 2, description: HOSTILE_TEXT },
      '</script>': { type: 'string', default: '<!-- x -->', description: '- not a list' },
      contents: { type: 'boolean', default: false, description: 'A key named like a heading of the page.' },
      list: {
        type: 'array',
        items: { type: 'string' },
        default: ['a b', '$HOME', 'c"d'],
        description: 'Spaces, dollars, quotes.',
      },
      group: {
        type: 'object',
        description: '<details>open</details>',
        properties: {
          secret: { type: 'string', default: 'hunter2-</script>', 'x-secret': true, description: 'Never shown.' },
          long: {
            type: 'object',
            additionalProperties: { type: 'boolean' },
            default: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`plugin_${i}`, true])),
          },
        },
      },
    },
  };
  return buildModel({ service: 'wazo-hostile', file: 'schemas/wazo-hostile.schema.json', raw: schema, schema });
}
