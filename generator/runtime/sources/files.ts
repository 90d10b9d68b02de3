import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type Tags } from 'yaml';
import type { Problem } from '../problems.ts';
import { isObject } from '../tree.ts';
import type { JsonObject } from '../types.ts';
import type { ConfigSource, Layer } from './source.ts';

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
      const layers: Layer[] = [];
      const problems: Problem[] = [];
      const add = (file: string) => {
        const result = readYamlFile(file);
        if ('problem' in result) problems.push(result.problem);
        else if (result.tree) layers.push({ kind: 'tree', source: `file ${file}`, tree: result.tree });
        else logger.debug?.(`no config file at ${file}`);
      };
      if (options.configFile !== false) add(options.configFile);
      if (options.configDir !== false) {
        const files = listConfDir(options.configDir);
        // Layers apply lowest priority first: under first-wins the alphabetically first file goes last.
        if (options.confdOrder !== 'last-wins') files.reverse();
        for (const file of files) add(file);
      }
      return { layers, problems };
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

export function readYamlFile(file: string): ReadResult {
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
  return parseYamlText(text, file);
}

/**
 * Wazo reads its files with PyYAML, a YAML 1.1 parser: `yes`/`no`/`on`/`off` are booleans there,
 * so they are here. Timestamps stay strings: no setting is a date.
 */
const YAML_OPTIONS = {
  version: '1.1',
  prettyErrors: true,
  uniqueKeys: true,
  customTags: (tags: Tags) => tags.filter((tag) => typeof tag === 'string' || tag.tag !== 'tag:yaml.org,2002:timestamp'),
} as const;

export function parseYamlText(text: string, file: string): ReadResult {
  const source = `file ${file}`;
  const doc = parseDocument(text, YAML_OPTIONS);
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
  const tree: unknown = doc.toJS();
  if (tree === null || tree === undefined) return { tree: {} };
  if (!isObject(tree)) {
    return {
      problem: { key: file, source, message: 'expected a mapping at the top of the file', hint: 'write key: value lines' },
    };
  }
  return { tree };
}
