/**
 * `config.ts`: the service's TypeScript types (json-schema-to-typescript), its settings table and
 * its typed loader (built with ts-morph). Services import this file. For services that do not
 * compile TypeScript, the same as `config.js` + `config.d.ts` (`generate --js`).
 */
import { compile } from 'json-schema-to-typescript';
import { Project, ts, VariableDeclarationKind, type SourceFile } from 'ts-morph';
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
    const project = new Project({ useInMemoryFileSystem: true });
    const file = project.createSourceFile(`${model.name}/config.ts`, '');
    file.addImportDeclaration({
      moduleSpecifier: 'wazo-config/runtime',
      namedImports: [
        'load',
        'resolveConfig',
        'watch',
        'type LoadOptions',
        'type Resolved',
        'type ServiceSpec',
        'type WatchHandlers',
        'type WatchOptions',
        'type Watcher',
      ],
    });
    file.addStatements(types);
    file.addVariableStatement({
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`Everything the runtime knows of ${model.name}: locations and one row per setting.`],
      declarations: [{ name: 'service', type: 'ServiceSpec', initializer: serviceLiteral(model) }],
    });
    file.addFunction({
      isExported: true,
      name: 'loadConfig',
      docs: [
        tsDocText(
          `Loads the ${model.name} configuration: schema defaults < ${model.configFile} < ${model.configDir}/*.yml ` +
            `< Consul ${model.consulPrefix}/ < env ${model.envPrefix}_* < overrides. Throws a ConfigError listing every problem.`,
        ),
      ],
      parameters: [{ name: 'options', type: 'LoadOptions<Config>', initializer: '{}' }],
      returnType: 'Promise<Config>',
      statements: 'return load<Config>(service, options);',
    });
    file.addFunction({
      isExported: true,
      name: 'resolveConfigWithSources',
      docs: ['Like loadConfig, and also tells where every value came from.'],
      parameters: [{ name: 'options', type: 'LoadOptions<Config>', initializer: '{}' }],
      returnType: 'Promise<Resolved<Config>>',
      statements: 'return resolveConfig<Config>(service, options);',
    });
    file.addFunction({
      isExported: true,
      name: 'watchConfig',
      docs: [
        tsDocText(
          `Watches Consul ${model.consulPrefix}/ with one blocking query (and SIGHUP for the files): each change re-reads and ` +
            `re-validates the whole configuration as loadConfig does (pass the same options); mutable keys are applied to \`config\` ` +
            'in place (`change`), restart-only keys give `restartRequired` and, by default, an exit with code 75 after 5 s; ' +
            'an invalid change gives `invalid` and keeps the last good configuration. See docs/watch.md.',
        ),
      ],
      parameters: [
        { name: 'config', type: 'Config' },
        { name: 'handlers', type: 'WatchHandlers<Config>', initializer: '{}' },
        { name: 'options', type: 'WatchOptions<Config>', initializer: '{}' },
      ],
      returnType: 'Watcher<Config>',
      statements: 'return watch<Config>(service, config, handlers, options);',
    });
    if (language === 'ts')
      return [{ path: `${model.name}/config.ts`, contents: banner.slashes(model.file) + file.getFullText() }];
    const { js, dts } = asJavaScript(project, file);
    return [
      { path: `${model.name}/config.js`, contents: banner.slashes(model.file) + js },
      { path: `${model.name}/config.d.ts`, contents: banner.slashes(model.file) + dts },
    ];
  },
};

/** The loader as an ES module and its declarations, as `tsc` (module nodenext) would emit them. */
function asJavaScript(project: Project, file: SourceFile): { js: string; dts: string } {
  project.compilerOptions.set({
    module: ts.ModuleKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    declaration: true,
    removeComments: false,
  });
  const js = ts.transpileModule(file.getFullText(), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  }).outputText;
  const emitted = project.emitToMemory({ targetSourceFile: file, emitOnlyDtsFiles: true }).getFiles();
  const dts = emitted.find((f) => f.filePath.endsWith('.d.ts'))?.text;
  if (dts === undefined) throw new Error(`${file.getFilePath()}: no declarations emitted`);
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
