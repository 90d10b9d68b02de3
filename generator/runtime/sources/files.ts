import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_FILE_BYTES } from '../limits.ts';
import type { Problem } from '../problems.ts';
import { dotted, isObject } from '../tree.ts';
import type { JsonObject } from '../types.ts';
import { ExecRequest, parseYaml11 } from '../yaml11.ts';
import { accumulatedLists } from './chain-map.ts';
import { resolveExec } from './exec.ts';
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
  /**
   * The program named `configFile` itself (not the schema's default path): when it does not exist,
   * say so once at info level, since a mistyped path would otherwise go unnoticed.
   */
  configFileNamed?: boolean;
  wazoCompat?: WazoCompat | undefined;
  /** Largest config file read, in bytes; default 4 MiB (DEFAULT_MAX_FILE_BYTES). */
  maxFileBytes?: number | undefined;
}

/**
 * The `files` slot of the source table (table.ts): the config file, then the `*.yml` files of the conf.d directory over
 * it. A missing
 * file or directory is no error (deployments may use Consul or env alone); a file that cannot be
 * read or parsed is, with its name and line.
 */
export function fileSource(options: FileSourceOptions): ConfigSource {
  return {
    name: 'files',
    async read({ logger, service }) {
      const layers: TreeLayer[] = [];
      const problems: Problem[] = [];
      const add = (file: string) => {
        const result = readYamlFile(file, { wazoCompat: options.wazoCompat, maxFileBytes: options.maxFileBytes });
        if ('problem' in result) problems.push(result.problem);
        else if (result.tree) layers.push({ kind: 'tree', source: `file ${file}`, tree: result.tree });
        else if (options.configFileNamed && file === options.configFile && !existsSync(file))
          logger.info(
            `${service.name}: no config file at ${file} (the configFile option names it); reading the other sources`,
          );
        else logger.debug?.(`no config file at ${file}`);
      };
      if (options.configFile !== false) add(options.configFile);
      const listed = options.confdFiles
        ? { files: [...options.confdFiles] }
        : options.configDir === false
          ? { files: [] }
          : confDirFiles(options.configDir);
      if ('problem' in listed) problems.push(listed.problem);
      const files = 'files' in listed ? listed.files : [];
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

/** The conf.d files, or the problem with the directory itself (a regular file in its place, no permission). */
function confDirFiles(dir: string): { files: string[] } | { problem: Problem } {
  try {
    return { files: listConfDir(dir) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const notDir = code === 'ENOTDIR';
    return {
      problem: {
        key: dir,
        source: `directory ${dir}`,
        message: notDir
          ? 'is not a directory (ENOTDIR): the conf.d path must be a directory of *.yml files'
          : `cannot list the directory (${code})`,
        hint: notDir
          ? `move the file away and create the directory (mkdir ${dir}), or point configDir elsewhere`
          : 'check its permissions',
      },
    };
  }
}

type ReadResult = { tree: JsonObject | undefined } | { problem: Problem };

export interface ReadOptions {
  wazoCompat?: WazoCompat | undefined;
  /** Largest file read, in bytes (DEFAULT_MAX_FILE_BYTES). */
  maxFileBytes?: number | undefined;
}

/**
 * A config file, read only if it is a regular file (a FIFO would block forever, `/dev/zero`
 * never ends) of at most `maxFileBytes`, as UTF-8 (invalid bytes are an error, as in PyYAML).
 * A missing file is `{ tree: undefined }`. Symbolic links are followed: packages link conf.d files.
 */
export function readYamlFile(
  file: string,
  { wazoCompat, maxFileBytes = DEFAULT_MAX_FILE_BYTES }: ReadOptions = {},
): ReadResult {
  const source = `file ${file}`;
  const problem = (message: string, hint: string): ReadResult => ({ problem: { key: file, source, message, hint } });
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading does not wait for a writer, so fstat can refuse it.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { tree: undefined };
    return problem(`cannot read the file (${code ?? String(error)})`, 'check its permissions');
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      return problem(
        `is not a regular file (${kindOf(stat)})`,
        'config files must be regular files; remove it or replace it by a file',
      );
    if (stat.size > maxFileBytes)
      return problem(
        `is ${stat.size} bytes, more than the limit of ${maxFileBytes}`,
        'a config file is a few KB: check what wrote it, or raise maxFileBytes',
      );
    // Read to the limit and one byte beyond, whatever fstat said: a file may grow while it is read.
    bytes = Buffer.alloc(Math.min(maxFileBytes, stat.size) + 1);
    let length = 0;
    for (let n; length < bytes.length && (n = readSync(fd, bytes, length, bytes.length - length, null)) > 0;)
      length += n;
    if (length > maxFileBytes)
      return problem(
        `grew past the limit of ${maxFileBytes} bytes while it was read`,
        'a config file is a few KB: check what writes it',
      );
    bytes = bytes.subarray(0, length);
  } catch (error) {
    return problem(
      `cannot read the file (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'check its permissions',
    );
  } finally {
    closeSync(fd);
  }
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return problem('is not valid UTF-8 text', 'save it as UTF-8');
  }
  return parseYamlText(text, file, wazoCompat);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

/** A config file's text, read as PyYAML reads it (yaml11.ts); `!exec` mappings run when allowed. */
export function parseYamlText(text: string, file: string, wazoCompat: WazoCompat = {}): ReadResult {
  const source = `file ${file}`;
  const parsed = parseYaml11(text);
  if (!parsed.ok) {
    const where = parsed.line
      ? `${file}:${parsed.line}:${parsed.column}`
      : parsed.path?.length
        ? dotted(parsed.path)
        : file;
    return { problem: { key: where, source, message: parsed.message, hint: parsed.hint } };
  }
  let tree = parsed.value;
  if (parsed.exec.length > 0) {
    const execProblem = resolveExec(parsed.exec, { file, run: wazoCompat.exec ?? false, parseOutput: parseExecOutput });
    if (execProblem) return { problem: execProblem };
    tree = withExecOutput(tree);
  }
  if (tree === null || tree === undefined) return { tree: {} };
  if (!isObject(tree)) {
    return {
      problem: {
        key: file,
        source,
        message: 'expected a mapping at the top of the file',
        hint: 'write key: value lines',
      },
    };
  }
  return { tree };
}

/** The parsed tree with each `!exec` marker replaced by its command's output. */
function withExecOutput(node: unknown): unknown {
  if (node instanceof ExecRequest) return node.value;
  if (Array.isArray(node)) return node.map(withExecOutput);
  if (isObject(node)) return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withExecOutput(v)]));
  return node;
}

/** An `!exec` command's output, read as PyYAML's `safe_load` reads it: plain YAML, no `!exec` inside. */
function parseExecOutput(text: string): { value: unknown } | { failure: string } {
  const parsed = parseYaml11(text);
  if (!parsed.ok)
    return {
      failure: `${parsed.message.replace(/^invalid YAML: /, '')}${parsed.line ? ` at line ${parsed.line}` : ''}`,
    };
  if (parsed.exec.length > 0) return { failure: 'it uses !exec itself' };
  return { value: parsed.value };
}
