/**
 * `docs/index.md`: every service with its counts and links, a mermaid diagram of the services'
 * dependencies and one of the sources' precedence, from templates/docs/index.md.
 */
import type { ServiceModel } from '../model.ts';
import { banner } from '../syntax/banner.ts';
import { mdCode, mdDocument, mdFence, mdLink, mdTable, mdText, mermaidId, mermaidLabel } from '../syntax/markdown.ts';
import { joinQuoted, mdTag, type Quoted } from '../syntax/quoted.ts';
import { countsOf, type Counts } from './docs-facts.ts';
import { fillFrame } from './templates.ts';
import type { IndexEmitter } from './emitter.ts';

const TEMPLATE = 'index.md';
/** The index's source, for its banner: it is generated from every schema. */
export const INDEX_SOURCE = 'schemas/*.schema.json';

export const docsIndexMarkdownEmitter: IndexEmitter = {
  name: 'docs-index-md',
  emitAll(models, context) {
    const contents = fillFrame(context.root, 'docs', TEMPLATE, {
      banner: banner.markdown(INDEX_SOURCE),
      servicesTable: servicesTable(models),
      dependencyDiagram: dependencyDiagram(models),
    });
    return [{ path: 'docs/index.md', contents: mdDocument(contents) }];
  },
};

function servicesTable(models: readonly ServiceModel[]): Quoted<'markdown'> {
  const known = new Set(models.map((m) => m.name));
  const dependency = (name: string) => (known.has(name) ? mdLink(mdCode(name), `../${name}/README.md`) : mdCode(name));
  const countCells = (c: Counts) => [c.keys, c.mutable, c.secret, c.deprecated].map((n) => mdText(String(n)));
  const total = models.map(countsOf).reduce((a, b) => ({
    keys: a.keys + b.keys,
    mutable: a.mutable + b.mutable,
    secret: a.secret + b.secret,
    deprecated: a.deprecated + b.deprecated,
  }));
  const rows = models.map((model) => [
    mdLink(mdCode(model.name), `../${model.name}/README.md`),
    ...countCells(countsOf(model)),
    model.dependsOn.length > 0 ? joinQuoted(model.dependsOn.map(dependency), ', ') : mdTag`nothing`,
    mdLink(mdText('config.schema.json'), `../${model.name}/config.schema.json`),
  ]);
  rows.push([mdText(`${models.length} services`), ...countCells(total), mdTag``, mdTag``]);
  return mdTable(
    ['Service', 'Keys', 'Applied live', 'Secret', 'Deprecated', 'Depends on', 'Editor schema'],
    ['left', 'right', 'right', 'right', 'right', 'left', 'left'],
    rows,
  );
}

function dependencyDiagram(models: readonly ServiceModel[]): Quoted<'markdown'> {
  const known = new Set(models.map((m) => m.name));
  const external = [...new Set(models.flatMap((m) => m.dependsOn))].filter((name) => !known.has(name)).sort();
  const node = (name: string) => `  ${mermaidId(name)}[${mermaidLabel(name)}]`;
  const lines = [
    'flowchart LR',
    ...models.map((m) => node(m.name)),
    ...external.map(node),
    ...models.flatMap((m) => m.dependsOn.map((dep) => `  ${mermaidId(m.name)} --> ${mermaidId(dep)}`)),
  ];
  if (external.length > 0) {
    lines.push('  classDef external stroke-dasharray: 5 5', `  class ${external.map(mermaidId).join(',')} external`);
  }
  return mdFence('mermaid', lines.join('\n'));
}
