/**
 * The real tools the deployment tests run: the Go renderer of test/ctmpl (built once per test run,
 * cached by the hash of its source), docker-compose, dotenv, Node's parseEnv, and the Consul KV
 * snapshots the renders read.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import dotenv from 'dotenv';
import { buildModel, type ServiceModel } from '../../generator/model.ts';
import { loadSchema } from '../../generator/load.ts';
import { encode } from '../../generator/runtime/codec.ts';
import { getAt } from '../../generator/runtime/tree.ts';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { REPO, memoryLogger } from '../helpers.ts';
import { parseSystemdEnvFile } from './systemd-env.ts';

export const SERVICES = ['wazo-auth', 'wazo-calld', 'wazo-confd', 'wazo-dird', 'wazo-webhookd'];

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
    return value === undefined ? [] : [{ key: leaf.consulKey, flags: 0, value: Buffer.from(encode(value, leaf), 'utf8').toString('base64') }];
  });
}

export function kvEntry(key: string, text: string): KvEntry {
  return { key, flags: 0, value: Buffer.from(text, 'utf8').toString('base64') };
}

// ---------------------------------------------------------------------------------------------
// The Go renderer

let built: string | undefined;

/** The test/ctmpl binary: built into the temp dir once per source version, shared by test files. */
export function ctmplBinary(): string {
  if (built) return built;
  const source = join(REPO, 'test', 'ctmpl');
  const hash = createHash('sha256')
    .update(readFileSync(join(source, 'main.go')))
    .update(readFileSync(join(source, 'go.mod')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'wazo-config-ctmpl');
  const binary = join(dir, `ctmpl-${hash}`);
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${binary}.${process.pid}`;
    const env = { ...process.env, GOCACHE: process.env.GOCACHE ?? join(dir, 'gocache'), GOPATH: process.env.GOPATH ?? join(dir, 'gopath'), CGO_ENABLED: '0' };
    execFileSync('go', ['build', '-o', partial, '.'], { cwd: source, env, stdio: ['ignore', 'ignore', 'pipe'] });
    renameSync(partial, binary); // atomic: a concurrent test file builds the same bytes
  }
  return (built = binary);
}

export type RenderJob = { template: string; kv: KvEntry[] } | { envconsul: { prefix: string; format: string; sanitize: boolean; upcase: boolean }; kv: KvEntry[] };
export type RenderResult = { output: string } | { env: Record<string, string> } | { error: string };

/** Runs every job in one process of the Go renderer. */
export function runBatch(jobs: RenderJob[]): RenderResult[] {
  const run = spawnSync(ctmplBinary(), ['-batch'], { input: JSON.stringify(jobs), maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`ctmpl: ${run.stderr.toString()}`);
  const raw = JSON.parse(run.stdout.toString()) as { output?: string; env?: Record<string, string> | null; error?: string }[];
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

/** The in-process readers (docker-compose is a process: composeEnvironments). */
export const readers: Record<string, EnvReader> = {
  dotenv: (text) => dotenv.parse(text),
  'node:util parseEnv': (text) => parseEnv(text) as Record<string, string>,
  'systemd EnvironmentFile (port)': parseSystemdEnvFile,
};

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
  const check = spawnSync('docker-compose', ['--project-directory', dir, '-f', file, 'config', '-q'], { env, maxBuffer: 1 << 30 });
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

export function hasDockerCompose(): boolean {
  return spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
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
