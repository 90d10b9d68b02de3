import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, type Document, type Tags } from 'yaml';
import type { Problem } from '../problems.ts';
import { isObject } from '../tree.ts';
import type { JsonObject } from '../types.ts';
import { accumulatedLists } from './chain-map.ts';
import { EXEC_TAG, execNodes, resolveExec } from './exec.ts';
import type { ConfigSource, TreeLayer } from './source.ts';

/** Wazo's own file semantics, each off by default (docs/migration.md). */
export interface WazoCompat {
  /**
   * Run the command of `!exec` files (`!exec {command: …}`), split on single spaces with no shell,
   * and read its output as YAML, as Wazo does. Off: an `!exec` file is a problem.
   */
  exec?: boolean;
  /**
   * Concatenate lists across the config file and the conf.d files, higher-priority items first,
   * as wazo-auth's `AccumulatingListChainMap` does; the schema defaults' lists are still replaced.
   * Off: a list replaces a lower-priority one whole.
   */
  accumulateLists?: boolean;
}

export interface FileSourceOptions {
  /** The main config file, or false for none. */
  configFile: string | false;
  /** The conf.d directory, or false for none. */
  configDir: string | false;
  /**
   * Which conf.d file wins when two set the same key. Wazo's `config_helper` reads them in
   * alphabetical order and the FIRST one wins (`10-debug.yml` beats `20-nodebug.yml`);
   * `last-wins` is the usual convention elsewhere.
   */
  confdOrder?: 'first-wins' | 'last-wins';
  /** These files instead of the `*.yml` files of `configDir` (e.g. files named on a command line). */
  confdFiles?: readonly string[];
  wazoCompat?: WazoCompat | undefined;
}

/**
 * Source 2: the config file, then the `*.yml` files of the conf.d directory over it. A missing
 * file or directory is no error (deployments may use Consul or env alone); a file that cannot be
 * read or parsed is, with its name and line.
 */
export function fileSource(options: FileSourceOptions): ConfigSource {
  return {
    name: 'files',
    async read({ logger }) {
      const layers: TreeLayer[] = [];
      const problems: Problem[] = [];
      const add = (file: string) => {
        const result = readYamlFile(file, options.wazoCompat);
        if ('problem' in result) problems.push(result.problem);
        else if (result.tree) layers.push({ kind: 'tree', source: `file ${file}`, tree: result.tree });
        else logger.debug?.(`no config file at ${file}`);
      };
      if (options.configFile !== false) add(options.configFile);
      const files = options.confdFiles ? [...options.confdFiles] : options.configDir === false ? [] : listConfDir(options.configDir);
      // Layers apply lowest priority first: under first-wins the alphabetically first file goes last.
      if (options.confdOrder !== 'last-wins') files.reverse();
      for (const file of files) add(file);
      const accumulated = options.wazoCompat?.accumulateLists ? accumulatedLists(layers) : undefined;
      return { layers: accumulated ? [...layers, accumulated] : layers, problems };
    },
  };
}

/** conf.d files as Wazo reads them: names ending in `.yml`, dot files skipped, sorted by name. */
export function listConfDir(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((name) => name.endsWith('.yml') && !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name));
}

type ReadResult = { tree: JsonObject | undefined } | { problem: Problem };

export function readYamlFile(file: string, wazoCompat: WazoCompat = {}): ReadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { tree: undefined };
    return {
      problem: {
        key: file,
        source: `file ${file}`,
        message: `cannot read the file (${code ?? String(error)})`,
        hint: 'check its permissions',
      },
    };
  }
  return parseYamlText(text, file, wazoCompat);
}

/**
 * Wazo reads its files with PyYAML, a YAML 1.1 parser: `yes`/`no`/`on`/`off` are booleans there,
 * so they are here. Timestamps stay strings: no setting is a date.
 */
const YAML_OPTIONS = {
  version: '1.1',
  prettyErrors: true,
  uniqueKeys: true,
  customTags: (tags: Tags) => [...tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'), EXEC_TAG],
} as const;

/** A YAML text parsed as the loader parses config files (comments and node ranges kept), with its line counter. */
export function parseYamlDocument(text: string): { doc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  return { doc: parseDocument(text, { ...YAML_OPTIONS, lineCounter }), lineCounter };
}

export function parseYamlText(text: string, file: string, wazoCompat: WazoCompat = {}): ReadResult {
  const source = `file ${file}`;
  const { doc, lineCounter } = parseYamlDocument(text);
  const issue = doc.errors[0] ?? doc.warnings[0];
  if (issue) {
    const line = issue.linePos?.[0];
    const where = line ? `${file}:${line.line}:${line.col}` : file;
    return {
      problem: {
        key: where,
        source,
        message: `invalid YAML: ${issue.message.split('\n')[0]}`,
        hint: 'fix the YAML syntax at that line',
      },
    };
  }
  const execProblem = resolveExec(doc, { file, lineCounter, run: wazoCompat.exec ?? false, parseOutput: parseExecOutput });
  if (execProblem) return { problem: execProblem };
  const tree: unknown = doc.toJS();
  if (tree === null || tree === undefined) return { tree: {} };
  if (!isObject(tree)) {
    return {
      problem: { key: file, source, message: 'expected a mapping at the top of the file', hint: 'write key: value lines' },
    };
  }
  return { tree };
}

/** An `!exec` command's output, read as PyYAML's `safe_load` reads it: plain YAML, no `!exec` inside. */
function parseExecOutput(text: string): { value: unknown } | { failure: string } {
  const { doc, lineCounter } = parseYamlDocument(text);
  const issue = doc.errors[0] ?? doc.warnings[0];
  if (issue) return { failure: issue.message.split('\n')[0]! };
  if (execNodes(doc, lineCounter).length > 0) return { failure: 'it uses !exec itself' };
  return { value: doc.toJS() };
}
