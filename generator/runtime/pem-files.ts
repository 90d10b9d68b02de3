/**
 * TLS material as content (docs/discovery.md): a leaf with `contentMediaType:
 * application/x-pem-file` holds PEM text, from Consul KV, the env or any source. After loading,
 * each such value is written to a file of mode 0600 in a private directory (mode 0700), so that
 * libraries that want file paths work; `pemFiles(config)` gives the paths. The directory is the
 * same for every load of a service in a process (a watcher's reload rewrites the files in place,
 * atomically) and is removed when the process exits, unless the program chose it.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, MASK, type Problem } from './problems.ts';
import type { Env } from './sources/env.ts';
import { dotted, getAt, type ConfigTree } from './tree.ts';
import type { ServiceSpec } from './types.ts';

export interface PemFileOptions {
  /**
   * The directory for the files, created with mode 0700 when missing and refused when others may
   * read it. Default: `$RUNTIME_DIRECTORY/pem` when systemd gives one (`RuntimeDirectory=`), else a
   * new private directory under the system's temporary directory, removed at exit.
   */
  dir?: string;
}

/** Where the PEM values of one loaded config were written: dotted key (`tls.certificate`) → file. */
export interface PemFiles {
  dir: string;
  paths: Record<string, string>;
}

/** A PEM block's first line, at the start of a line (not `x-----BEGIN …` inside other text). */
const BEGIN = /(?:^|\n)-----BEGIN [A-Z0-9 ]+-----\r?\n/;
const byConfig = new WeakMap<object, PemFiles>();
/** The directory each service uses in this process, and the files written there. */
const directories = new Map<string, { dir: string; written: Set<string> }>();

/** The files of a config that `loadConfig` returned; undefined when it has no PEM value (or files were off). */
export function pemFiles(config: object): PemFiles | undefined {
  return byConfig.get(config);
}

/**
 * Writes every PEM value of the loaded tree to its file (only when its content changed), removes
 * the files of values now unset, and returns the paths. Throws a ConfigError when a value is not
 * PEM text, or when the directory is not private.
 */
export function writePemFiles(
  service: ServiceSpec,
  tree: ConfigTree,
  options: PemFileOptions,
  env: Env,
): PemFiles | undefined {
  const leaves = service.settings.filter((s) => s.pem);
  if (leaves.length === 0) return undefined;
  const problems: Problem[] = [];
  const values = new Map<string, string>();
  for (const leaf of leaves) {
    const value = getAt(tree.root, leaf.path);
    if (typeof value !== 'string' || value === '') continue;
    const key = dotted(leaf.path);
    if (BEGIN.test(value)) values.set(key, value);
    else {
      problems.push({
        key,
        source: tree.sourceOf(leaf.path),
        message: 'expected PEM text (-----BEGIN …----- on its own line)',
        value: leaf.secret ? MASK : JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value),
        hint: 'this setting holds the certificate or key itself, not a file path; keep its line breaks (e.g. WAZO_X_TLS_CERTIFICATE="$(cat cert.pem)")',
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(service.name, problems);
  // No PEM value, and none written before: no directory either.
  if (values.size === 0 && ![...directories.keys()].some((k) => k.startsWith(`${service.name}\0`))) return undefined;
  const dir = directoryFor(service.name, options, env, problems);
  if (!dir) throw new ConfigError(service.name, problems);
  const files: PemFiles = { dir: dir.dir, paths: {} };
  for (const [key, content] of values) {
    const path = join(dir.dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.pem`);
    writePrivate(path, content);
    dir.written.add(path);
    files.paths[key] = path;
  }
  for (const path of dir.written) {
    if (Object.values(files.paths).includes(path)) continue;
    rmSync(path, { force: true });
    dir.written.delete(path);
  }
  byConfig.set(tree.root, files);
  return files;
}

/**
 * The service's private directory for key material (the one PEM values are written to), created when needed; throws a
 * ConfigError when it is not private. Connect's certificate and key go there too (connect/files.ts).
 */
export function privateDirectory(service: string, options: PemFileOptions, env: Env): string {
  const problems: Problem[] = [];
  const dir = directoryFor(service, options, env, problems);
  if (!dir) throw new ConfigError(service, problems);
  return dir.dir;
}

function directoryFor(
  service: string,
  options: PemFileOptions,
  env: Env,
  problems: Problem[],
): { dir: string; written: Set<string> } | undefined {
  const chosen = options.dir ?? (env.RUNTIME_DIRECTORY ? join(env.RUNTIME_DIRECTORY.split(':')[0]!, 'pem') : undefined);
  const cacheKey = `${service}\0${chosen ?? ''}`;
  const known = directories.get(cacheKey);
  if (known) return known;
  let dir: string;
  if (chosen === undefined) {
    dir = mkdtempSync(join(tmpdir(), `${service}-pem-`)); // mode 0700
    removeAtExit(dir);
  } else {
    dir = chosen;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // lstat: a symbolic link pre-created at the directory (by whoever could write its parent) is refused, not
      // followed.
      const stat = lstatSync(dir);
      if (stat.isSymbolicLink()) throw new Error('it is a symbolic link');
      if (!stat.isDirectory()) throw new Error('it is not a directory');
      const uid = process.getuid?.();
      if (uid !== undefined && stat.uid !== uid)
        throw new Error(`owned by uid ${stat.uid}, not by this process (uid ${uid})`);
      if ((stat.mode & 0o077) !== 0) throw new Error(`mode ${(stat.mode & 0o777).toString(8)}: others may read it`);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      problems.push({
        key: 'pem files',
        source: options.dir ? "the program's options" : 'env RUNTIME_DIRECTORY',
        message: `the directory ${dir} is not private: ${reason}`,
        hint: `let the service own it with mode 0700 (chmod 700 ${dir})`,
      });
      return undefined;
    }
  }
  const entry = { dir, written: new Set<string>() };
  directories.set(cacheKey, entry);
  return entry;
}

/**
 * Removes the key directory on every exit the library sees: a normal exit, and SIGTERM / SIGINT,
 * which end a Node process without running `exit` listeners. When the program has no handler of
 * its own for the signal, the signal is raised again once the directory is gone, so the process
 * still ends as the signal says.
 */
function removeAtExit(dir: string): void {
  const remove = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', remove);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      remove();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}

/**
 * Writes `content` to `path` with mode 0600 through a temporary file and a rename: readers never
 * see half a key. No symbolic link is followed: the temporary file is created exclusively, the
 * existing file is read with O_NOFOLLOW, and `rename` replaces a link rather than its target.
 */
export function writePrivate(path: string, content: string): void {
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      if (fstatSync(fd).isFile() && readFileSync(fd, 'utf8') === content) return fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not there yet, or a link (ELOOP): written anew below
  }
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  const fd = openSync(
    temporary,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
  try {
    fchmodSync(fd, 0o600); // whatever the umask
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, path);
  } catch (error) {
    unlinkSync(temporary);
    throw error;
  }
}
