/** Test helpers: throw-away projects (under the repo, so that `wazo-config/runtime` resolves) and a silent logger. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generate, GenerateError, loadModels } from '../generator/index.ts';
import type { Logger } from '../generator/runtime/index.ts';

export const REPO = resolve(import.meta.dirname, '..');
/** Real configs of 22 Wazo components (provenance: test/fixtures/wazo/PROVENANCE.md and SOURCES.md). */
export const CORPUS = resolve(REPO, 'test/fixtures/wazo');
/** The services with a schema in the repo's schemas/, sorted. */
export const SCHEMA_SERVICES = readdirSync(join(REPO, 'schemas'))
  .filter((file) => file.endsWith('.schema.json'))
  .map((file) => file.slice(0, -'.schema.json'.length))
  .sort();
/** Wazo's own daemons among them: those with a corpus entry (PostgreSQL and Kamailio, run by `exec`, have none). */
export const CORPUS_SERVICES = SCHEMA_SERVICES.filter((name) => existsSync(join(CORPUS, name)));

export interface TempProject {
  root: string;
  /** Imports `generated/<service>/config.ts` of this project. */
  loader<T = Record<string, unknown>>(service: string): Promise<T>;
  cleanup(): void;
}

export function tempRoot(): string {
  const base = join(REPO, '.test-tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'project-'));
}

/** A project holding the given schemas (name → JSON), generated. */
export async function tempProject(schemas: Record<string, unknown>): Promise<TempProject> {
  const root = tempRoot();
  mkdirSync(join(root, 'schemas'));
  for (const [name, schema] of Object.entries(schemas)) {
    writeFileSync(
      join(root, 'schemas', `${name}.schema.json`),
      typeof schema === 'string' ? schema : JSON.stringify(schema, null, 2),
    );
  }
  await generate({ root });
  return {
    root,
    loader: (service) => import(join(root, 'generated', service, 'config.ts')),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The models of one schema, written as `schemas/<file>` of a throw-away project. */
export async function modelsOf(file: string, content: unknown) {
  const root = tempRoot();
  try {
    mkdirSync(join(root, 'schemas'));
    writeFileSync(join(root, file), JSON.stringify(content));
    return await loadModels(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The lines of the GenerateError that one schema must give (fails when it loads). */
export async function problemsOf(file: string, content: unknown): Promise<string[]> {
  const error = await modelsOf(file, content).then(
    () => {
      throw new Error('expected a GenerateError');
    },
    (e: unknown) => e,
  );
  if (!(error instanceof GenerateError)) throw error;
  return error.message.split('\n');
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A logger that keeps what it is told, for assertions. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

/** Runs the `wazo-config` command from the sources in `cwd`. */
export function cli(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(
      process.execPath,
      ['--conditions=wazo-config-source', '--import', 'tsx', join(REPO, 'generator/cli.ts'), ...args],
      {
        cwd,
        env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}
