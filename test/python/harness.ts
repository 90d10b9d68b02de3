/**
 * Both runtimes on the same inputs: a schema's TypeScript spec (ajv validator) and its generated
 * config.py, loaded with the same files, env, Consul entries and overrides. Python runs as ONE
 * batched subprocess per call (Debian's /usr/bin/python3, the runtime from python/), never one
 * process per case. Consul entries are served to both as one read through the source the watcher
 * uses for a blocking query's answer, so the KV decoding path is the loader's own.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { configPy } from '../../generator/emit/config-py.ts';
import { loadModels } from '../../generator/models.ts';
import { createAjv } from '../../generator/ajv.ts';
import { serviceSpecOf } from '../../generator/model.ts';
import { validationSchemaOf } from '../../generator/validation-schema.ts';
import {
  ConfigError,
  dotted,
  resolveConfig,
  sourceRows,
  type CompiledValidator,
  type ServiceSpec,
} from '../../generator/runtime/index.ts';
import { snapshotSource } from '../../generator/runtime/watch/consul-feed.ts';
import { REPO } from '../helpers.ts';

export const PYTHON = '/usr/bin/python3';

export interface CaseOptions {
  configFile?: string | false;
  configDir?: string | false;
  confdOrder?: 'first-wins' | 'last-wins';
  env?: Record<string, string>;
  /** Consul KV entries under the service's prefix: [key, value]. */
  kv?: [string, string | null][];
  overrides?: Record<string, unknown>;
  strict?: boolean;
  wazoCompat?: { exec?: boolean; accumulateLists?: boolean };
}

export interface Outcome {
  config?: unknown;
  /** Dotted key → source, for every setting (for a map: every entry). */
  sources?: Record<string, string>;
  warnings?: string[];
  problems?: { key: string; source: string; message: string; value?: string; hint?: string }[];
  message?: string;
  crash?: string;
}

export interface Loaders {
  spec: ServiceSpec;
  /** The generated config.py's text. */
  python: string;
}

/** The TypeScript spec and the config.py of every schema under `root/schemas`. */
export async function loadersOf(root: string): Promise<Map<string, Loaders>> {
  const models = await loadModels(root);
  return new Map(
    models.map((model) => [
      model.name,
      {
        spec: {
          ...serviceSpecOf(model),
          validate: createAjv().compile(validationSchemaOf(model.schema)) as CompiledValidator,
        },
        python: configPy(model),
      },
    ]),
  );
}

const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

export async function runTypeScript(spec: ServiceSpec, options: CaseOptions): Promise<Outcome> {
  try {
    const resolved = await resolveConfig(spec, {
      env: options.env ?? {},
      configFile: options.configFile ?? false,
      configDir: options.configDir ?? false,
      confdOrder: options.confdOrder ?? 'first-wins',
      wazoCompat: options.wazoCompat ?? {},
      consul: false,
      sources: options.kv
        ? [
            snapshotSource(
              options.kv.map(([key, value]) => ({ key, value, flags: 0, modifyIndex: 1 })),
              options.strict ?? false,
            ),
          ]
        : [],
      ...(options.overrides ? { overrides: options.overrides } : {}),
      strict: options.strict ?? false,
      pemFiles: false,
      logger: quiet,
    });
    return {
      config: JSON.parse(JSON.stringify(resolved.config)),
      sources: Object.fromEntries(
        spec.settings.flatMap((s) => sourceRows(resolved.tree, s)).map((row) => [dotted(row.path), row.source]),
      ),
      warnings: resolved.warnings,
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) return { crash: String(error) };
    return { problems: error.problems.map((p) => JSON.parse(JSON.stringify(p))), message: error.message };
  }
}

/** Runs every case in one Python process; results in the cases' order. */
export function runPython(cases: { module: string; options: CaseOptions }[]): Outcome[] {
  const input = JSON.stringify({ cases: cases.map((c, id) => ({ id, ...c })) });
  const done = spawnSync(PYTHON, [join(REPO, 'test/python/batch.py')], {
    input,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: join(REPO, 'python'), PYTHONDONTWRITEBYTECODE: '1' },
    maxBuffer: 256 * 1024 * 1024,
  });
  if (done.status !== 0) throw new Error(`python batch failed (${done.status}): ${done.stderr}`);
  const results = JSON.parse(done.stdout) as (Outcome & { id: number })[];
  return results.sort((a, b) => a.id - b.id).map(({ id: _id, ...rest }) => rest);
}

/** What both runtimes must agree on: the config and sources, or the problems' keys and sources (sorted). */
export function comparable(outcome: Outcome): unknown {
  if (outcome.crash) return { crash: outcome.crash };
  if (outcome.problems) return { problems: outcome.problems.map((p) => `${yamlKey(p.key)} (${p.source})`).sort() };
  return { config: outcome.config, sources: outcome.sources, warnings: outcome.warnings };
}

/** A YAML syntax problem's key names file:line:col; the two parsers may place the column differently. */
function yamlKey(key: string): string {
  return key.replace(/^(.*\.yml):\d+:\d+$/, '$1:<position>');
}

export { REPO };
