/**
 * `wazo-config generate`'s shortcut when nothing changed. A fingerprint of everything the output
 * depends on — the options, the schema files and every file their `$ref`s read, the project's
 * templates and prettier settings, the generator's own code and templates and the versions of the
 * libraries that shape its output — is kept with a hash of every file the run produced. When the
 * fingerprint matches and the files on disk still hash the same (none edited, added or removed),
 * loading and rendering are skipped; anything else runs in full. So `--check` stays exact.
 *
 * The record lives in `<root>/node_modules/.cache/wazo-config/` (where build tools keep theirs),
 * one file per output folder and options; without a node_modules folder nothing is cached.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { GeneratedFile } from './emit/emitter.ts';
import type { Project } from './project.ts';

/** The libraries whose versions change what generate writes. */
const LIBRARIES = [
  'ajv',
  'ajv-formats',
  'prettier',
  'json-schema-to-typescript',
  'ts-morph',
  '@apidevtools/json-schema-ref-parser',
];
/** Files prettier reads its settings from, in the project root. */
const PRETTIER_FILES = [
  'package.json',
  '.prettierrc',
  '.prettierrc.json',
  '.prettierrc.yaml',
  '.prettierrc.yml',
  '.prettierrc.json5',
  '.prettierrc.js',
  '.prettierrc.cjs',
  '.prettierrc.mjs',
  '.prettierrc.toml',
  'prettier.config.js',
  'prettier.config.cjs',
  'prettier.config.mjs',
  '.editorconfig',
];
const GENERATOR_DIR = import.meta.dirname;

interface Record {
  fingerprint: string;
  /** The input files of the run (schemas and what their `$ref`s read), absolute. */
  inputs: string[];
  /** Every file the run produced, relative to the output folder, with its sha256. */
  outputs: { [path: string]: string };
}

export interface CacheKey {
  project: Project;
  /** What else changes the output: language, services. */
  options: unknown;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

function recordPath(key: CacheKey): string | undefined {
  const modules = join(key.project.root, 'node_modules');
  if (!existsSync(modules)) return undefined;
  return join(modules, '.cache', 'wazo-config', `${sha(JSON.stringify([key.project, key.options])).slice(0, 32)}.json`);
}

function listFiles(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? listFiles(path, base) : [relative(base, path)];
    });
}

function hashFile(path: string): string {
  return existsSync(path) && statSync(path).isFile() ? sha(readFileSync(path)) : 'missing';
}

let generatorHash: string | undefined;

/** The generator itself: its code (sources or compiled), its templates, its libraries' versions. */
function generatorFingerprint(): string {
  if (generatorHash) return generatorHash;
  const hash = createHash('sha256');
  const templates = join(
    GENERATOR_DIR,
    '..',
    existsSync(join(GENERATOR_DIR, '..', 'templates')) ? '' : '..',
    'templates',
  );
  for (const dir of [GENERATOR_DIR, templates]) {
    // Declarations (dist's .d.ts) describe the code beside them: reading them would only slow every run down.
    for (const file of listFiles(dir).filter((path) => !path.endsWith('.d.ts')))
      hash.update(`${file}\0`).update(readFileSync(join(dir, file)));
  }
  const require = createRequire(join(GENERATOR_DIR, 'cache.js'));
  for (const name of LIBRARIES) {
    let version = 'none';
    try {
      version = (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string })
        .version;
    } catch {
      // A library whose package.json is not exported: its path still changes with its version in most layouts.
      try {
        version = require.resolve(name);
      } catch {
        // not installed: part of the fingerprint as such
      }
    }
    hash.update(`${name}@${version}\0`);
  }
  generatorHash = hash.digest('hex');
  return generatorHash;
}

function fingerprint(key: CacheKey, inputs: readonly string[]): string {
  const { project } = key;
  const hash = createHash('sha256')
    .update(generatorFingerprint())
    .update(JSON.stringify([project, key.options]));
  // The schema folder's listing (a new or removed schema), then every input's content.
  const schemaFolder =
    existsSync(project.schemas) && statSync(project.schemas).isDirectory() ? listFiles(project.schemas) : [];
  hash.update(JSON.stringify(schemaFolder));
  for (const input of inputs) hash.update(`${input}\0${hashFile(input)}\0`);
  for (const file of listFiles(join(project.root, 'templates')))
    hash.update(`${file}\0${hashFile(join(project.root, 'templates', file))}\0`);
  for (const file of PRETTIER_FILES) hash.update(`${file}\0${hashFile(join(project.root, file))}\0`);
  return hash.digest('hex');
}

/** The files a run that changes nothing would report, or undefined when anything may have changed. */
export function cachedOutputs(key: CacheKey): string[] | undefined {
  const path = recordPath(key);
  if (!path || !existsSync(path)) return undefined;
  let record: Record;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as Record;
  } catch {
    return undefined;
  }
  if (record.fingerprint !== fingerprint(key, record.inputs)) return undefined;
  const onDisk = listFiles(key.project.out);
  const expected = Object.keys(record.outputs).sort();
  if (onDisk.length !== expected.length || onDisk.some((file, i) => file !== expected[i])) return undefined;
  return expected.every((file) => hashFile(join(key.project.out, file)) === record.outputs[file])
    ? expected
    : undefined;
}

/** Records a run whose files are now on disk exactly as rendered. */
export function remember(key: CacheKey, inputs: readonly string[], files: readonly GeneratedFile[]): void {
  const path = recordPath(key);
  if (!path) return;
  const record: Record = {
    fingerprint: fingerprint(key, inputs),
    inputs: [...inputs],
    outputs: Object.fromEntries(files.map((file) => [file.path, sha(file.contents)])),
  };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(record));
}
