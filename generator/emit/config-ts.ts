/**
 * `config.ts`: the service's TypeScript types (json-schema-to-typescript), its settings table and
 * its typed loader, laid out by prettier. Services import this file. For services that do not
 * compile TypeScript, the same as `config.js` + `config.d.ts` (`generate --js`).
 */
import { compile } from 'json-schema-to-typescript';
import {
  requiredNames,
  serviceSpecOf,
  typeNameOf,
  type GroupSetting,
  type ServiceModel,
  type Setting,
} from '../model.ts';
import type { SchemaNode } from '../load.ts';
import { banner } from '../syntax/banner.ts';
import { tsDocText, tsLiteral } from '../syntax/ts.ts';
import { isNode } from '../walk.ts';
import type { Emitter } from './emitter.ts';

export const configTsEmitter: Emitter = {
  name: 'config-ts',
  async emit(model, { language = 'ts' }) {
    const types = await compile(typesSchemaOf(model), 'Config', {
      bannerComment: '',
      format: false,
      additionalProperties: false,
      strictIndexSignatures: true,
      unknownAny: true,
      declareExternallyReferenced: true,
      enableConstEnums: false,
      ignoreMinAndMaxItems: true,
    });
    // Written as text (prettier lays it out): building it with ts-morph re-parsed the file at every addition.
    const source = [
      `import { ${RUNTIME_IMPORTS.join(', ')} } from 'wazo-config/runtime';`,
      types,
      doc(`Everything the runtime knows of ${model.name}: locations and one row per setting.`) +
        `export const service: ServiceSpec = ${serviceLiteral(model)};`,
      doc(
        `Loads the ${model.name} configuration: schema defaults < ${model.configFile} < ${model.configDir}/*.yml ` +
          `< Consul ${model.consulPrefix}/ < env ${model.envPrefix}_* < overrides. Throws a ConfigError listing every problem.`,
      ) +
        'export function loadConfig(options: LoadOptions<Config> = {}): Promise<Config> {\n' +
        '  return load<Config>(service, options);\n}',
      doc('Like loadConfig, and also tells where every value came from.') +
        'export function resolveConfigWithSources(options: LoadOptions<Config> = {}): Promise<Resolved<Config>> {\n' +
        '  return resolveConfig<Config>(service, options);\n}',
      doc(
        `Watches Consul ${model.consulPrefix}/ with one blocking query (and SIGHUP for the files): each change re-reads and ` +
          `re-validates the whole configuration as loadConfig does (pass the same options); mutable keys are applied to \`config\` ` +
          'in place (`change`), restart-only keys give `restartRequired` and, by default, an exit with code 75 after 5 s; ' +
          'an invalid change gives `invalid` and keeps the last good configuration. See docs/watch.md.',
      ) +
        'export function watchConfig(config: Config, handlers: WatchHandlers<Config> = {}, ' +
        'options: WatchOptions<Config> = {}): Watcher<Config> {\n' +
        '  return watch<Config>(service, config, handlers, options);\n}',
    ].join('\n\n');
    if (language === 'ts')
      return [
        {
          path: `${model.name}/config.ts`,
          contents: banner.slashes(model.file) + source + '\n',
          prettier: 'babel-ts',
        },
      ];
    const { js, dts } = await asJavaScript(`${model.name}/config.ts`, source);
    return [
      { path: `${model.name}/config.js`, contents: banner.slashes(model.file) + js, prettier: 'babel' },
      { path: `${model.name}/config.d.ts`, contents: banner.slashes(model.file) + dts, prettier: 'babel-ts' },
    ];
  },
};

const RUNTIME_IMPORTS = [
  'load',
  'resolveConfig',
  'watch',
  'type LoadOptions',
  'type Resolved',
  'type ServiceSpec',
  'type WatchHandlers',
  'type WatchOptions',
  'type Watcher',
];

/** A one-line doc comment before a declaration. */
function doc(text: string): string {
  return `/** ${tsDocText(text)} */\n`;
}

/**
 * The loader as an ES module and its declarations, as `tsc` (module nodenext) would emit them. ts-morph (and the
 * TypeScript compiler in it) is loaded only here: a `config.ts` needs neither.
 */
async function asJavaScript(path: string, source: string): Promise<{ js: string; dts: string }> {
  const { Project, ts } = await import('ts-morph');
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      module: ts.ModuleKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      declaration: true,
      removeComments: false,
    },
  });
  const file = project.createSourceFile(path, source);
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
  const emitted = project.emitToMemory({ targetSourceFile: file, emitOnlyDtsFiles: true }).getFiles();
  const dts = emitted.find((f) => f.filePath.endsWith('.d.ts'))?.text;
  if (dts === undefined) throw new Error(`${path}: no declarations emitted`);
  return { js, dts };
}

/** The spec as a literal: one row per setting on its own line, for readable diffs. */
function serviceLiteral(model: ServiceModel): string {
  const { settings, ...rest } = serviceSpecOf(model);
  const fields = Object.entries(rest).map(([key, value]) => `${key}: ${tsLiteral(value)},`);
  return `{
    ${fields.join('\n')}
    settings: [${settings.map((row) => tsLiteral(row)).join(',\n')}],
    // Imported by the first load, not with this module: importing a loader stays cheap (docs/benchmarks.md).
    importValidator: () => import('./validate.js'),
  }`;
}

/**
 * The schema json-schema-to-typescript reads: every object named after its path (stable names,
 * never `Foo1`), keys that always have a value after loading marked required, and each leaf's
 * description extended with its env name, Consul key and mutability for editor hovers.
 */
function typesSchemaOf(model: ServiceModel): SchemaNode {
  const clone = (setting: Setting): SchemaNode => {
    const node: SchemaNode = { ...setting.schema };
    delete node.$schema;
    node.description = describe(setting);
    if (setting.kind === 'leaf') {
      nameNestedObjects(node, typeNameOf(setting.path));
      return node;
    }
    node.title = setting.typeName;
    node.properties = Object.fromEntries(
      setting.children.map((child) => [child.path[child.path.length - 1]!, clone(child)]),
    );
    node.required = setting.children
      .filter((child) => alwaysPresent(child, requiredOf(setting)))
      .map((child) => child.path[child.path.length - 1]!);
    return node;
  };
  return clone(model.root);
}

/** A leaf's description with its env name, Consul key and mutability (also config.py's key comments). */
export function describe(setting: Setting): string {
  const text = setting.description ?? '';
  if (setting.kind === 'group') return text;
  const facts = [
    `env \`${setting.envName}\``,
    `Consul \`${setting.consulKey}\``,
    setting.mutable ? 'applied live' : 'restart to apply',
  ];
  if (setting.secret) facts.push('secret');
  return `${text}\n\n${facts.join(' · ')}`.trim();
}

/** A key that always has a value once loaded: it has a default, is required, or holds such a key. */
export function alwaysPresent(setting: Setting, requiredHere: readonly unknown[]): boolean {
  if (requiredHere.includes(setting.path.at(-1))) return true;
  if (setting.kind === 'leaf') return setting.default !== undefined;
  return setting.children.some((child) => alwaysPresent(child, requiredOf(setting)));
}

export function requiredOf(group: GroupSetting): unknown[] {
  return requiredNames(group.schema);
}

/**
 * Objects inside a leaf (a map's values, an array's items) get names derived from the leaf's; an
 * object that says nothing of its keys is an open map of unknown values (not TypeScript's `{}`).
 */
function nameNestedObjects(node: SchemaNode, name: string): void {
  const isObjectType = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object'));
  if (isObjectType && !isNode(node.properties) && node.additionalProperties === undefined)
    node.additionalProperties = {};
  if (isNode(node.properties)) {
    node.title = name;
    node.properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, child]) => {
        const copy = isNode(child) ? { ...child } : child;
        if (isNode(copy)) nameNestedObjects(copy, name + typeNameOf([key]));
        return [key, copy];
      }),
    );
  }
  for (const [keyword, suffix] of [
    ['additionalProperties', 'Value'],
    ['items', 'Item'],
  ] as const) {
    const child = node[keyword];
    if (isNode(child)) {
      node[keyword] = { ...child };
      nameNestedObjects(node[keyword] as SchemaNode, name + suffix);
    }
  }
}
