/**
 * The real tools the deployment tests run: the Go renderer of test/ctmpl (built once per test run,
 * cached by the hash of its source), docker-compose, dotenv, Node's parseEnv, and the Consul KV
 * snapshots the renders read.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import dotenv from 'dotenv';
import { buildModel, type ServiceModel } from '../../generator/model.ts';
import { loadSchema } from '../../generator/load.ts';
import { encode } from '../../generator/runtime/codec.ts';
import { getAt } from '../../generator/runtime/tree.ts';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { CORPUS_SERVICES, REPO, memoryLogger } from '../helpers.ts';
import { parseSystemdEnvFile } from './systemd-env.ts';

/** The Wazo daemons with a schema (PostgreSQL and Kamailio, run by `exec`, have their own tests). */
export const SERVICES = CORPUS_SERVICES;

export interface KvEntry {
  key: string;
  flags: number;
  value: string;
}

export function generatedPath(service: string, file: string): string {
  return join(REPO, 'generated', service, file);
}

export async function modelOf(service: string): Promise<ServiceModel> {
  const loaded = await loadSchema(join(REPO, 'schemas', `${service}.schema.json`), REPO);
  if (!('schema' in loaded)) throw new Error(`${service}: ${loaded.message}`);
  return buildModel(loaded);
}

/** config → Consul KV, as `wazo-config seed` and `consul kv import` write it: one entry per leaf set. */
export function kvOf(model: ServiceModel, config: JsonValue): KvEntry[] {
  return model.leaves.flatMap((leaf) => {
    const value = getAt(config, leaf.path);
    return value === undefined
      ? []
      : [{ key: leaf.consulKey, flags: 0, value: Buffer.from(encode(value, leaf), 'utf8').toString('base64') }];
  });
}

export function kvEntry(key: string, text: string): KvEntry {
  return { key, flags: 0, value: Buffer.from(text, 'utf8').toString('base64') };
}

// ---------------------------------------------------------------------------------------------
// The Go renderer

const builtBinaries = new Map<string, string>();

/**
 * The Go program in test/<name> built into the temp dir once per source version (cached by the hash
 * of its sources, shared by test files and runs). `gopath` builds in GOPATH mode against Debian's
 * Go packages under /usr/share/gocode, with no module download.
 */
function goBinary(name: string, options: { gopath?: boolean } = {}): string {
  let binary = builtBinaries.get(name);
  if (binary) return binary;
  const source = join(REPO, 'test', name);
  const hash = createHash('sha256');
  for (const file of readdirSync(source)
    .filter((f) => f.endsWith('.go') || f === 'go.mod')
    .sort())
    hash.update(file).update(readFileSync(join(source, file)));
  const dir = join(tmpdir(), 'wazo-config-go');
  binary = join(dir, `${name}-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${binary}.${process.pid}`;
    const env = {
      ...process.env,
      GOCACHE: process.env.GOCACHE ?? join(dir, 'gocache'),
      CGO_ENABLED: '0',
      ...(options.gopath
        ? { GOPATH: '/usr/share/gocode', GO111MODULE: 'off' }
        : { GOPATH: process.env.GOPATH ?? join(dir, 'gopath') }),
    };
    const run = spawnSync('go', ['build', '-o', partial, '.'], { cwd: source, env, encoding: 'utf8' });
    if (run.error)
      throw new Error(
        `test/${name}: cannot run go (${run.error.message}): apt-get install golang-go (see .ci/apt-packages)`,
      );
    if (run.status !== 0) throw new Error(`test/${name}: go build failed:\n${run.stderr}`);
    renameSync(partial, binary); // atomic: a concurrent test file builds the same bytes
  }
  builtBinaries.set(name, binary);
  return binary;
}

/** The test/ctmpl renderer: Go's text/template with consul-template's functions. */
export function ctmplBinary(): string {
  return goBinary('ctmpl');
}

/**
 * The local agent's Connect answers, as it serves them: `leaves` by service
 * (`GET /v1/agent/connect/ca/leaf/<service>`) and `roots` (`GET /v1/agent/connect/ca/roots`), read by
 * the templates' `caLeaf` and `caRoots`.
 */
export interface ConnectSnapshot {
  leaves: Record<string, unknown>;
  roots: unknown;
}

export type RenderJob =
  | { template: string; kv: KvEntry[]; connect?: ConnectSnapshot }
  | { envconsul: { prefix: string; format: string; sanitize: boolean; upcase: boolean }; kv: KvEntry[] };
export type RenderResult = { output: string } | { env: Record<string, string> } | { error: string };

/** Runs every job in one process of the Go renderer. */
export function runBatch(jobs: RenderJob[]): RenderResult[] {
  const run = spawnSync(ctmplBinary(), ['-batch'], { input: JSON.stringify(jobs), maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`ctmpl: ${run.stderr.toString()}`);
  const raw = JSON.parse(run.stdout.toString()) as {
    output?: string;
    env?: Record<string, string> | null;
    error?: string;
  }[];
  return raw.map((r): RenderResult => {
    if (r.error !== undefined) return { error: r.error };
    if (r.env) return { env: Object.fromEntries(Object.entries(r.env).map(([k, v]) => [k, fromBase64(v)])) };
    return { output: fromBase64(r.output ?? '') };
  });
}

export function render(template: string, kv: KvEntry[]): RenderResult {
  return runBatch([{ template, kv }])[0]!;
}

/** The output, or a thrown error with the renderer's message. */
export function rendered(result: RenderResult): string {
  if ('error' in result) throw new Error(result.error);
  if (!('output' in result)) throw new Error('not a render');
  return result.output;
}

function fromBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

// ---------------------------------------------------------------------------------------------
// Env file readers

export type EnvReader = (text: string) => Record<string, string>;

/**
 * The env file readers run per file (docker-compose 1.29 is a process per project: composeEnvironments):
 * dotenv, Node's parseEnv, systemd's rules (a port: no systemd manager runs here) and godotenv (Go,
 * the reader Docker Compose v2's compose-go forked). A reader that refuses the file throws.
 */
export const readers: Record<string, EnvReader> = {
  dotenv: (text) => dotenv.parse(text),
  'node:util parseEnv': (text) => parseEnv(text) as Record<string, string>,
  'systemd EnvironmentFile (port)': parseSystemdEnvFile,
  godotenv: (text) => godotenvParse([text])[0]!,
};

type ReaderResult = { value?: unknown; env?: Record<string, string>; error?: string };

/** Runs `reader` of test/readers (Go: HashiCorp's HCL v1, joho/godotenv) over each text, in one process. */
function goRead(reader: 'hcl' | 'godotenv', texts: string[]): ReaderResult[] {
  const jobs = texts.map((text) => ({ reader, text: Buffer.from(text, 'utf8').toString('base64') }));
  const run = spawnSync(goBinary('readers', { gopath: true }), [], { input: JSON.stringify(jobs), maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`test/readers: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as ReaderResult[];
}

/** Each env file as godotenv reads it; a file it refuses throws with its message. */
export function godotenvParse(texts: string[]): Record<string, string>[] {
  return goRead('godotenv', texts).map((r) => {
    if (r.error !== undefined) throw new Error(`godotenv: ${r.error}`);
    return Object.fromEntries(Object.entries(r.env ?? {}).map(([k, v]) => [k, fromBase64(v)]));
  });
}

/** A config file as envconsul and consul-template decode it with HashiCorp's HCL v1; malformed HCL throws. */
export function readHcl(text: string, where: string): HclObject {
  const [result] = goRead('hcl', [text]);
  if (!result || result.error !== undefined) throw new Error(`${where}: HCL: ${result?.error ?? 'no result'}`);
  return result.value as HclObject;
}

/** HCL v1 decoded into a generic map: attributes as values, every block as a list of objects. */
export interface HclObject {
  [name: string]: unknown;
}

/**
 * docker-compose (Debian's 1.29, python-dotenv underneath): one project with one service per env
 * file. `docker-compose config -q` must accept it without a word; the environments are then read
 * with the code `docker-compose config` runs (get_config_from_options), dumped as JSON rather than
 * printed as YAML: PyYAML writes U+0085 and U+2028 raw in its YAML 1.1 output and folds them on
 * reading, so the printed config is not a faithful channel for the values compose hands to containers.
 */
export function composeEnvironments(envFiles: string[]): Record<string, string>[] {
  const dir = mkdtempSync(join(tmpdir(), 'wazo-config-compose-'));
  try {
    const services: Record<string, unknown> = {};
    envFiles.forEach((text, i) => {
      writeFileSync(join(dir, `s${i}.env`), text);
      services[`s${i}`] = { image: 'scratch', env_file: `s${i}.env` };
    });
    writeFileSync(join(dir, 'docker-compose.yml'), JSON.stringify({ version: '3.8', services }));
    const environments = composeProject(dir);
    return envFiles.map((_, i) => environments[`s${i}`] ?? {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment of every service of the project in `dir` (its docker-compose.yml), as docker-compose reads it. */
export function composeProject(dir: string): Record<string, Record<string, string>> {
  const file = join(dir, 'docker-compose.yml');
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  const check = spawnSync('docker-compose', ['--project-directory', dir, '-f', file, 'config', '-q'], {
    env,
    maxBuffer: 1 << 30,
  });
  const said = check.stderr.toString().trim();
  if (check.status !== 0 || said) throw new Error(`docker-compose config: ${said}`);
  const script = [
    'import json, sys',
    'from compose.cli.command import get_config_from_options',
    "config = get_config_from_options(sys.argv[1], {'--file': [sys.argv[2]], '--project-directory': sys.argv[1]})",
    "json.dump({s['name']: s.get('environment', {}) for s in config.services}, sys.stdout)",
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, dir, file], { env, maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`docker-compose's loader: ${run.stderr.toString()}`);
  const environments = JSON.parse(run.stdout.toString()) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(
    Object.entries(environments).map(([service, environment]) => [
      service,
      Object.fromEntries(
        Object.entries(environment).map(([k, v]) => {
          if (typeof v !== 'string') throw new Error(`docker-compose read ${k} as ${JSON.stringify(v)}, not a string`);
          return [k, v];
        }),
      ),
    ]),
  );
}

// ---------------------------------------------------------------------------------------------
// The loader

type Loader = (options: Record<string, unknown>) => Promise<JsonValue>;
const loaders = new Map<string, Loader>();

async function loaderOf(service: string): Promise<Loader> {
  let loader = loaders.get(service);
  if (!loader) {
    const module = (await import(generatedPath(service, 'config.ts'))) as { loadConfig: Loader };
    loaders.set(service, (loader = module.loadConfig));
  }
  return loader;
}

/** The generated `loadConfig` of `service`, reading only `env` (no files, no Consul). */
export async function loadFromEnv(service: string, env: Record<string, string>): Promise<JsonValue> {
  return (await loaderOf(service))({ env, configFile: false, configDir: false, consul: false, logger: memoryLogger() });
}
