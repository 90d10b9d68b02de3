/**
 * The loader: the sources of the table (sources/table.ts) applied lowest priority first
 * (docs/design.md "Sources"), unknown keys reported, then the whole result validated once by the
 * service's precompiled validator.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConfigError, didYouMean, showValue, type Problem } from './problems.ts';
import { indexOf, type SettingsIndex } from './settings-index.ts';
import type { ConsulOptions } from './consul/locate.ts';
import { ConsulSession } from './consul/session.ts';
import { consulSource } from './sources/consul.ts';
import { discoverySource } from './sources/discovered.ts';
import { connectSource } from './connect/source.ts';
import { writePemFiles, type PemFileOptions, type PemFiles } from './pem-files.ts';
import { waitForDependencies, type DependencyOptions } from './discovery/wait-for-dependencies.ts';
import { defaultsSource } from './sources/defaults.ts';
import { envSource, type Env } from './sources/env.ts';
import { fileSource, type WazoCompat } from './sources/files.ts';
import { overridesSource } from './sources/overrides.ts';
import type { ConfigSource, Layer, SourceContext } from './sources/source.ts';
import { sourceTable, type SourceReplacements } from './sources/table.ts';
import { ConfigTree, dotted, getAt, isObject, pathOfPointer, pointerOf } from './tree.ts';
import { missingRequired, problemsFromValidation } from './validation.ts';
import type { CompiledValidator, DeepPartial, JsonObject, Logger, ServiceSpec } from './types.ts';

export interface LoadOptions<C = JsonObject> {
  /** Environment variables; default `process.env`. */
  env?: Env;
  /** The main config file; default the schema's `x-service.configFile`; false for none. */
  configFile?: string | false;
  /** The conf.d directory; default the schema's `x-service.configDir`; false for none. */
  configDir?: string | false;
  /** Which conf.d file wins a conflict; default Wazo's `first-wins`. */
  confdOrder?: 'first-wins' | 'last-wins';
  /**
   * Wazo's own file semantics, each off by default (docs/migration.md): `exec` runs the command
   * of `!exec` files; `accumulateLists` concatenates lists across config files as wazo-auth does.
   */
  wazoCompat?: WazoCompat;
  /**
   * Largest config file read, in bytes; default 4 MiB. Only regular files are read: a FIFO, a
   * device or a directory named `*.yml` is an error, never a hang.
   */
  maxFileBytes?: number;
  /**
   * Consul KV (docs/consul.md): located by `WAZO_CONSUL_*` variables or /etc/wazo-platform/consul,
   * read only when one of them (or these options) locates it; false: never, no network attempt.
   */
  consul?: ConsulOptions | false;
  /**
   * Before reading anything, wait until each of `x-service.dependsOn` (or `services`) has a passing
   * instance in Consul (docs/discovery.md); default false. Without Consul there is nothing to wait on.
   */
  waitForDependencies?: boolean | DependencyOptions;
  /** Fill the `x-discover` groups from Consul health when Consul is read; default true. */
  discover?: boolean;
  /**
   * Fill the `x-connect-tls` group with the paths of the service's Connect certificate, key and CA
   * bundle from the local Consul agent when Consul is read (docs/tls.md); default true.
   */
  connect?: boolean;
  /** Where PEM-content settings are written as files (docs/discovery.md); false: not written. */
  pemFiles?: PemFileOptions | false;
  /** Extra sources, after the discovered addresses and before the environment. */
  sources?: ConfigSource[];
  /** Sources in place of the table's own, by slot name (`consul`, `files`…); false leaves a slot empty. */
  replaceSources?: SourceReplacements;
  /** Values from the program itself (e.g. its command line): the highest priority. */
  overrides?: DeepPartial<C>;
  /** Unknown keys in files are errors rather than warnings. */
  strict?: boolean;
  /**
   * The sources read are a part of the deployment only (e.g. `seed` reading its files): a required
   * setting none of them sets is not a problem. Default false.
   */
  partial?: boolean;
  /** Where warnings go; default the console (stderr). */
  logger?: Logger;
}

export interface Resolved<C> {
  config: C;
  /** The merged tree with the source of every value. */
  tree: ConfigTree;
  warnings: string[];
  /** The files PEM-content settings were written to (also `pemFiles(config)`). */
  pemFiles?: PemFiles;
}

export const consoleLogger: Logger = {
  info: (m) => console.error(m),
  warn: (m) => console.error(`warning: ${m}`),
  error: (m) => console.error(`error: ${m}`),
};

/**
 * The table's sources for these options, in order: each slot's replacement, else its own source.
 * `session` is the load's one Consul session, shared by the Consul and discovered slots (and by
 * dependency waiting); it opens no connection until a source reads through it.
 */
export function sourcesFor<C>(
  service: ServiceSpec,
  options: LoadOptions<C>,
  session = ConsulSession.open(options.consul, options.env ?? process.env),
): ConfigSource[] {
  const env = options.env ?? process.env;
  const consul = options.consul;
  return sourceTable(
    {
      defaults: () => defaultsSource(),
      files: () =>
        fileSource({
          configFile: options.configFile ?? service.configFile,
          configDir: options.configDir ?? service.configDir,
          configFileNamed: options.configFile !== undefined,
          confdOrder: options.confdOrder ?? 'first-wins',
          wazoCompat: options.wazoCompat,
          maxFileBytes: options.maxFileBytes,
        }),
      consul: () => (consul === false ? undefined : consulSource({ session, strict: options.strict ?? false })),
      discovered: () => (consul === false || options.discover === false ? undefined : discoverySource(session)),
      connect: () =>
        consul === false || options.connect === false
          ? undefined
          : connectSource(session, { files: options.pemFiles || {}, env }),
      env: () => envSource(env),
      overrides: () => overridesSource(options.overrides),
    },
    options.replaceSources,
    options.sources,
  );
}

export async function resolveConfig<C>(service: ServiceSpec, options: LoadOptions<C> = {}): Promise<Resolved<C>> {
  const logger = options.logger ?? consoleLogger;
  const context: SourceContext = { service, index: indexOf(service), logger };
  const tree = new ConfigTree((path) => context.index.groups.has(pointerOf(path)));
  const problems: Problem[] = [];
  const warnings: string[] = [];
  const env = options.env ?? process.env;
  // Located once; one client, opened on first use, for dependency waiting, KV and discovery.
  const session = ConsulSession.open(options.consul, env);
  try {
    if (options.waitForDependencies)
      await waitForDependencies(service, options.waitForDependencies, { session, logger });
    for (const source of sourcesFor(service, options, session)) {
      const output = await source.read(context);
      if (source.name === 'consul') warnings.push(...shadowedFileValues(tree, output.layers, context.index));
      output.layers.forEach((layer) => apply(tree, layer));
      problems.push(...output.problems);
      warnings.push(...(output.warnings ?? []));
    }
  } finally {
    session.close();
  }
  problems.push(...tree.refused);
  for (const unknown of removeUnknownKeys(tree, context.index)) {
    if (options.strict) problems.push({ ...unknown, message: 'unknown key' });
    else warnings.push(`unknown key ${unknown.key} (${unknown.source})${unknown.hint ? `: ${unknown.hint}` : ''}`);
  }
  const configFile = options.configFile ?? service.configFile;
  const missing = options.partial ? [] : missingRequired(tree, context.index, configFile);
  problems.push(...missing);
  const validate = await validatorOf(service);
  if (!validate(tree.root)) {
    const reported = new Set(missing.map((p) => p.key));
    const invalid = problemsFromValidation(validate.errors ?? [], tree, context.index, configFile);
    problems.push(...invalid.filter((p) => !reported.has(p.key) && !(options.partial && p.source === 'nothing')));
  }
  if (problems.length > 0) throw new ConfigError(service.name, problems);
  const pemFiles = options.pemFiles === false ? undefined : writePemFiles(service, tree, options.pemFiles ?? {}, env);
  warnings.forEach((w) => logger.warn(`${service.name}: ${w}`));
  return { config: tree.root as C, tree, warnings, ...(pemFiles ? { pemFiles } : {}) };
}

export async function load<C>(service: ServiceSpec, options: LoadOptions<C> = {}): Promise<C> {
  return (await resolveConfig(service, options)).config;
}

/** Validators imported by `importValidator`, once per spec: a watcher's re-reads find it here. */
const importedValidators = new WeakMap<ServiceSpec, Promise<CompiledValidator>>();

function validatorOf(service: ServiceSpec): CompiledValidator | Promise<CompiledValidator> {
  if (service.validate) return service.validate;
  const { importValidator } = service;
  if (!importValidator) throw new Error(`${service.name}: the service spec has neither validate nor importValidator`);
  let imported = importedValidators.get(service);
  if (!imported) importedValidators.set(service, (imported = importValidator().then((module) => module.validate)));
  return imported;
}

/**
 * Consul ranks above the files: a Consul value that differs from what a file set hides the file's
 * (the trap of seeding defaults into Consul). One warning per key, naming both sources.
 */
function shadowedFileValues(tree: ConfigTree, layers: readonly Layer[], index: SettingsIndex): string[] {
  const warnings: string[] = [];
  for (const layer of layers) {
    if (layer.kind !== 'values') continue;
    for (const { path, value, source } of layer.values) {
      const before = getAt(tree.root, path);
      const fileSource = tree.sourceOf(path);
      if (before === undefined || !fileSource.startsWith('file ') || isDeepStrictEqual(before, value)) continue;
      const secret = index.leafFor(path)?.secret ?? false;
      warnings.push(
        `${dotted(path)}: ${source} (${showValue(value, secret)}) hides ${fileSource} (${showValue(before, secret)}); ` +
          'Consul ranks above files: delete the Consul key to use the file, or set the value there',
      );
    }
  }
  return warnings;
}

function apply(tree: ConfigTree, layer: Layer): void {
  if (layer.kind === 'tree') tree.merge(layer.tree, layer.source);
  else for (const { path, value, source } of layer.values) tree.set(path, value, source);
}

/** Takes keys the schema does not know out of the tree, so that the validator sees only known ones. */
function removeUnknownKeys(tree: ConfigTree, index: SettingsIndex): Problem[] {
  const unknown: Problem[] = [];
  for (const [pointer, children] of index.groups) {
    const path = pathOfPointer(pointer);
    const node = getAt(tree.root, path);
    if (!isObject(node)) continue;
    for (const key of Object.keys(node)) {
      if (children.has(key)) continue;
      const keyPath = [...path, key];
      const guess = didYouMean(key, children);
      unknown.push({
        key: dotted(keyPath),
        source: tree.sourceOf(keyPath),
        message: 'unknown key',
        hint: guess
          ? `did you mean ${dotted([...path, guess])}?`
          : 'check the spelling against the settings reference, or remove it',
      });
      tree.delete(keyPath);
    }
  }
  return unknown;
}
