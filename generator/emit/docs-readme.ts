/**
 * `<service>/README.md`: the service's settings reference, from templates/docs/service-readme.md.
 * Every key with its facts, grouped as the schema groups them; which keys are applied live; how to
 * change a key in each deployment mode, with value text from the codec's `encode`.
 */
import { Document } from 'yaml';
import { encode } from '../runtime/codec.ts';
import { connectTlsSpecOf, type GroupSetting, type LeafSetting, type ServiceModel } from '../model.ts';
import { banner } from '../syntax/banner.ts';
import { envFileValue } from '../syntax/env.ts';
import { dotted } from '../runtime/tree.ts';
import { shellWord } from '../syntax/shell.ts';
import {
  mdCode,
  mdDocument,
  mdFence,
  mdHeading,
  mdLink,
  mdListItem,
  mdTable,
  mdText,
  Slugger,
} from '../syntax/markdown.ts';
import { joinQuoted, mdTag, type Quoted } from '../syntax/quoted.ts';
import { jsonText } from '../syntax/json.ts';
import { yamlReadableString } from '../syntax/yaml.ts';
import { pyLiteral } from '../syntax/python.ts';
import {
  countsOf,
  exampleProblems,
  anchorProblems,
  keyFactsOf,
  listExample,
  scalarExample,
  type ExampleChange,
  type KeyFacts,
  type TypeFacts,
} from './docs-facts.ts';
import { fillTemplate, readTemplate, templateBefore } from './templates.ts';
import type { Emitter } from './emitter.ts';
import { envFileName } from './env-file.ts';
import { configMapName, secretName } from './kubernetes.ts';
import { CONNECT_TLS_ENV, CONNECT_TLS_FILES } from './connect-tls.ts';

const TEMPLATE = 'service-readme.md';
/** Longer defaults are shown in a block under the key rather than inline. */
const INLINE_DEFAULT_MAX = 80;

export const docsReadmeEmitter: Emitter = {
  name: 'docs-readme',
  check: (model) => [...exampleProblems(model), ...anchorProblems([model])],
  emit(model, context) {
    const template = readTemplate(context.root, 'docs', TEMPLATE);
    const slugs = new Slugger();
    for (const heading of headingsOf(templateBefore(template, 'settings')))
      slugs.slug(heading.replace('{{title}}', model.title));
    const settings = new SettingsWriter(model, slugs);
    const body = settings.write();
    const code = mdCode;
    const contents = fillTemplate(template, 'docs', TEMPLATE, {
      banner: banner.markdown(model.file),
      title: mdText(model.title),
      description: mdText(model.description ?? ''),
      facts: factsTable(model),
      service: code(model.name),
      contents: joinQuoted(settings.contents, '\n'),
      configFile: code(model.configFile),
      configDir: code(model.configDir),
      confFiles: code(`${model.configDir}/*.yml`),
      consulPrefix: code(`${model.consulPrefix}/`),
      envNames: code(`${model.envPrefix}_*`),
      seedCommand: code(`wazo-config seed ${model.name}`),
      diffCommand: code(`wazo-config diff ${model.name}`),
      envFile: code(envFileName(model)),
      configMapName: code(configMapName(model)),
      secretName: code(secretName(model)),
      systemdRestart: code(`systemctl restart ${model.name}`),
      composeRestart: code(`docker compose up -d ${model.name}`),
      kubernetesRestart: code(`kubectl rollout restart deployment/${model.name}`),
      live: liveSummary(model, settings),
      ...howToValues(model, settings),
      settings: body,
    });
    return [{ path: `${model.name}/README.md`, contents: mdDocument(contents) }];
  },
};

function factsTable(model: ServiceModel): Quoted<'markdown'> {
  const counts = countsOf(model);
  const rows: [string, Quoted<'markdown'>][] = [
    ['Config file', mdCode(model.configFile)],
    ['Extra config files', mdCode(`${model.configDir}/*.yml`)],
    ['Environment variables', mdCode(`${model.envPrefix}_*`)],
    ['Consul keys', mdCode(`${model.consulPrefix}/`)],
    ['Depends on', model.dependsOn.length > 0 ? joinQuoted(model.dependsOn.map(mdCode), ', ') : mdTag`nothing`],
    [
      'Keys',
      mdText(
        `${counts.keys}: ${counts.mutable} applied live, ${counts.secret} secret, ${counts.deprecated} deprecated`,
      ),
    ],
    [
      'Editor schema',
      mdTag`${mdLink(mdText('config.schema.json'), 'config.schema.json')} (see ${mdLink(
        mdTag`editor support`,
        '../../docs/editor-support.md',
      )})`,
    ],
    ['Source', mdLink(mdCode(model.file), `../../${model.file}`)],
  ];
  return mdTable(
    ['Item', 'Value'],
    ['left', 'left'],
    rows.map(([item, value]) => [mdText(item), value]),
  );
}

/** Renders the Settings section, remembering each key's heading anchor and the contents list. */
class SettingsWriter {
  readonly anchors = new Map<LeafSetting, string>();
  readonly contents: Quoted<'markdown'>[] = [];
  readonly #lines: Quoted<'markdown'>[] = [];

  constructor(
    private readonly model: ServiceModel,
    private readonly slugs: Slugger,
  ) {}

  write(): Quoted<'markdown'> {
    const { root } = this.model;
    const topLeaves = root.children.filter((c): c is LeafSetting => c.kind === 'leaf');
    if (topLeaves.length > 0) {
      this.#heading(3, mdTag`Top-level keys`, 'Top-level keys');
      for (const leaf of topLeaves) this.#leaf(leaf, 4);
    }
    for (const child of root.children) if (child.kind === 'group') this.#group(child, 3);
    return joinQuoted(this.#lines, '\n\n');
  }

  /** A section heading, listed in the contents down to level 4. */
  #heading(level: number, markdown: Quoted<'markdown'>, text: string): void {
    const slug = this.slugs.slug(text);
    this.#lines.push(mdHeading(level, markdown));
    if (level <= 4) this.contents.push(mdListItem(mdLink(markdown, `#${slug}`), level - 2));
  }

  #group(group: GroupSetting, level: number): void {
    const name = dotted(group.path);
    this.#heading(level, mdCode(name), name);
    if (group.description) this.#lines.push(mdText(group.description));
    if (group.connectTls) this.#lines.push(connectTlsNote(this.model, group));
    for (const child of group.children) if (child.kind === 'leaf') this.#leaf(child, level + 1);
    for (const child of group.children) if (child.kind === 'group') this.#group(child, level + 1);
  }

  #leaf(leaf: LeafSetting, level: number): void {
    const facts = keyFactsOf(this.model, leaf);
    this.#lines.push(mdHeading(level, mdCode(facts.key)));
    this.anchors.set(leaf, this.slugs.slug(facts.key));
    if (facts.description) this.#lines.push(mdText(facts.description));
    this.#lines.push(joinQuoted(factList(facts), '\n'));
    const longDefault = facts.default !== undefined && facts.default.length > INLINE_DEFAULT_MAX;
    if (longDefault) {
      const value = leaf.default!;
      this.#lines.push(
        typeof value === 'object' && value !== null
          ? mdFence('json', jsonText(value))
          : mdFence('text', facts.default!),
      );
    }
  }
}

function factList(facts: KeyFacts): Quoted<'markdown'>[] {
  const items = [mdTag`- Type: ${typeMarkdown(facts.type)}`];
  items.push(
    facts.required
      ? mdTag`- Default: none — **required**: every deployment sets it (env, Consul or a config file), or the service does not start`
      : mdTag`- Default: ${defaultMarkdown(facts.default)}`,
  );
  if (facts.examples) items.push(mdTag`- Examples: ${joinQuoted(facts.examples.map(valueMarkdown), ', ')}`);
  items.push(
    facts.mutable ? mdTag`- Applied: **live**, no restart` : mdTag`- Applied: at restart`,
    mdTag`- Environment variable: ${mdCode(facts.env)}`,
    mdTag`- Consul key: ${mdCode(facts.consul)}`,
  );
  if (facts.secret)
    items.push(
      mdTag`- Secret: masked in logs, errors and docs; in Kubernetes it goes to the Secret, never the ConfigMap`,
    );
  if (facts.deprecated) items.push(mdTag`- Deprecated: still accepted, but slated for removal`);
  return items;
}

function typeMarkdown(type: TypeFacts): Quoted<'markdown'> {
  const parts = [mdText(type.types)];
  if (type.range) parts.push(mdText(type.range));
  if (type.format) parts.push(mdTag`format ${mdCode(type.format)}`);
  if (type.enum) parts.push(mdTag`one of ${joinQuoted(type.enum.map(valueMarkdown), ', ')}`);
  if (type.pattern) parts.push(mdTag`matching ${mdCode(type.pattern)}`);
  return joinQuoted(parts, ', ');
}

function valueMarkdown(text: string): Quoted<'markdown'> {
  return text === '' ? mdTag`the empty string` : mdCode(text);
}

function defaultMarkdown(text: string | undefined): Quoted<'markdown'> {
  if (text === undefined) return mdTag`none`;
  if (text.length > INLINE_DEFAULT_MAX) return mdTag`see below`;
  return valueMarkdown(text);
}

function liveSummary(model: ServiceModel, settings: SettingsWriter): Quoted<'markdown'> {
  const live = model.leaves.filter((leaf) => leaf.mutable);
  const service = mdCode(model.name);
  if (live.length === 0) return mdTag`No key of ${service} is applied live: a change to any key needs a restart.`;
  const rows = live.map((leaf) => [
    mdLink(mdCode(dotted(leaf.path)), `#${settings.anchors.get(leaf)!}`),
    mdCode(leaf.envName),
    mdCode(leaf.consulKey),
  ]);
  const count = mdText(live.length === 1 ? 'One key is' : `${live.length} keys are`);
  return joinQuoted(
    [
      mdTag`${count} applied live when changed in Consul; a change to any other key needs a restart of ${service}.`,
      mdTable(['Key', 'Environment variable', 'Consul key'], ['left', 'left', 'left'], rows),
    ],
    '\n\n',
  );
}

function howToValues(model: ServiceModel, settings: SettingsWriter): Record<string, Quoted<'markdown'>> {
  const example = scalarExample(model)!; // exampleProblems() refuses a model without one, before any emitting
  const list = listExample(model);
  const changes = list ? [example, list] : [example];
  const text = (change: ExampleChange) => encode(change.value, change.leaf);
  const yaml = new Document({});
  for (const change of changes) yaml.setIn(change.leaf.path, change.value);
  yaml.contents!.commentBefore = ` ${model.configDir}/50-local.yml`;
  const envLine = (c: ExampleChange) => {
    const quoted = envFileValue(c.leaf.envName, text(c));
    if (!quoted.ok) throw new Error(`${model.file}: ${c.leaf.envName}: ${quoted.reason}`);
    return `${c.leaf.envName}=${quoted.text}`;
  };
  const configMapData = [
    'data:',
    ...changes.map((c) => `  ${yamlReadableString(c.leaf.envName)}: ${yamlReadableString(text(c))}`),
  ];
  return {
    exampleKey: mdLink(mdCode(dotted(example.leaf.path)), `#${settings.anchors.get(example.leaf)!}`),
    exampleValue: list
      ? mdTag`${valueMarkdown(text(example))} and ${mdCode(dotted(list.leaf.path))} to ${valueMarkdown(text(list))}`
      : valueMarkdown(text(example)),
    exampleLive: example.leaf.mutable
      ? mdTag` A change of ${mdCode(dotted(example.leaf.path))} is applied live.`
      : mdTag``,
    yamlExample: mdFence('yaml', yaml.toString()),
    tsUsage: mdFence(
      'ts',
      [
        `import { loadConfig, watchConfig } from './generated/${model.name}/config.ts';`,
        '',
        'const config = await loadConfig();',
        `config${example.leaf.path.map((k) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`)).join('')}; // ${JSON.stringify(example.leaf.default ?? null)}`,
      ].join('\n'),
    ),
    pyUsage: mdFence(
      'python',
      [
        "from .config import load_config, watch_config  # this service's generated config.py",
        '',
        'config = load_config()',
        `config${example.leaf.path.map((k) => `[${pyLiteral(k)}]`).join('')}  # ${pyLiteral(example.leaf.default ?? null)}`,
      ].join('\n'),
    ),
    consulExample: mdFence('sh', `consul kv put ${shellWord(example.leaf.consulKey)} ${shellWord(text(example))}`),
    consulListExample: list
      ? mdTag`A list is one key holding JSON (comma-separated items are read too):\n\n${mdFence('sh', `consul kv put ${shellWord(list.leaf.consulKey)} ${shellWord(text(list))}`)}`
      : mdTag``,
    envExample: mdFence('dotenv', changes.map(envLine).join('\n')),
    configMapExample: mdFence('yaml', configMapData.join('\n')),
  };
}

/** The rendered text of each ATX heading outside code fences (code spans without backticks). */
function headingsOf(markdown: string): string[] {
  const headings: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const match = !fenced && /^#{1,6}\s+(.*?)\s*#*$/.exec(line);
    if (match) headings.push(match[1]!.replace(/`+ ?|\\(?=\W)/g, ''));
  }
  return headings;
}

/** What `x-connect-tls` does to a group, for the people who deploy the service. */
function connectTlsNote(model: ServiceModel, group: GroupSetting): Quoted<'markdown'> {
  const spec = connectTlsSpecOf(model)!;
  const keys = [spec.certificate, spec.privateKey, ...(spec.ca ? [spec.ca] : [])].map((p) => mdCode(dotted(p)));
  const applied = group.mutable
    ? 'a renewed certificate or rotated roots are rewritten in place and reported as a live change.'
    : 'a renewed certificate or rotated roots are rewritten in place and ask for a restart (the group is not x-mutable).';
  return joinQuoted(
    [
      mdText(
        `Internal TLS from Consul Connect: when Consul is located, the loader fetches the leaf certificate of the Consul service ${model.name} and the CA roots from the local agent (its token needs service:write on ${model.name}), writes them to private files and sets`,
      ),
      joinQuoted(keys, ', '),
      mdText(
        `to their paths (source consul connect); ${applied} For a daemon that does not fetch them itself, consul-template renders them with`,
      ),
      joinQuoted(
        [...CONNECT_TLS_FILES.map((f) => f.template), 'connect-tls-secret.yaml.ctmpl'].map((f) => mdCode(f)),
        ', ',
      ),
      mdText('(a kubernetes.io/tls Secret), and'),
      mdCode(CONNECT_TLS_ENV),
      mdText('points the keys at the files. See'),
      mdTag`${mdLink(mdText('internal TLS'), '../../docs/tls.md')}.`,
    ],
    ' ',
  );
}
