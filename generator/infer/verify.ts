/**
 * Proof that a draft schema fits what it was inferred from: it goes through the generator's own
 * pipeline (`serviceSpecs`: load, check, model, rules, validator), then every input is loaded back
 * through the runtime loader, alone over the schema defaults, and must give what Wazo's ChainMap
 * gives for that file over the same defaults. The defaults file must be kept whole, but for the
 * secrets whose value `infer` left out of the schema: those are expected absent from the defaults,
 * and compared from the file, loaded back like any other input.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { serviceSpecs } from '../service-specs.ts';
import type { SchemaNode } from '../load.ts';
import { resolveConfig } from '../runtime/load.ts';
import { ConfigError, formatProblem } from '../runtime/problems.ts';
import { chainMap } from '../runtime/sources/chain-map.ts';
import { dotted, getAt, isObject } from '../runtime/tree.ts';
import type { JsonObject, JsonValue, Logger, ServiceSpec } from '../runtime/types.ts';
import type { InputFile } from './inputs.ts';

export interface LoadBack {
  file: string;
  /** Why the file could not be checked (an `!exec` node), when it was not. */
  skipped?: string;
  /** Where what the loader gives differs from what was expected, or the loader's problems. */
  differences: string[];
}

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const SHOWN_DIFFERENCES = 5;

/** Writes the schema under `workDir/schemas/` (the pipeline reads files) and loads every input back. */
export async function verifyInferred(
  schema: SchemaNode,
  inputs: readonly InputFile[],
  workDir: string,
): Promise<LoadBack[]> {
  const service = (schema['x-service'] as { name: string }).name;
  mkdirSync(join(workDir, 'schemas'), { recursive: true });
  const schemaFile = join(workDir, 'schemas', `${service}.schema.json`);
  writeFileSync(schemaFile, JSON.stringify(schema, null, 2));
  try {
    const [spec] = await serviceSpecs(workDir, [service]);
    const defaults = await loadBack(spec!, false);
    if (!('config' in defaults)) return [{ file: '(schema defaults)', differences: defaults.problems }];
    return Promise.all(inputs.map((input) => verifyInput(spec!, input, defaults.config)));
  } finally {
    rmSync(schemaFile, { force: true });
  }
}

async function verifyInput(spec: ServiceSpec, input: InputFile, defaults: JsonObject): Promise<LoadBack> {
  const file = input.file;
  if (input.execs.length > 0) return { file, skipped: 'an !exec file: its command is not run', differences: [] };
  const value = input.doc.toJS() as JsonObject | null;
  const tree = isObject(value) ? value : {};
  if (input.role === 'defaults') {
    // Every value of the defaults file is a schema default, but a secret's, left out: absent here, compared below.
    const leftOut = spec.settings.filter(
      (s) => s.secret && s.default === undefined && getAt(tree, s.path) !== undefined,
    );
    const expected = structuredClone(chainMap([tree, defaults]).merged);
    for (const setting of leftOut) removeAt(expected, setting.path);
    const found = differences(expected, defaults);
    if (found.length > 0 || leftOut.length === 0) return { file, differences: found };
  }
  const loaded = await loadBack(spec, file);
  if (!('config' in loaded)) return { file, differences: loaded.problems };
  return { file, differences: differences(chainMap([tree, defaults]).merged, loaded.config) };
}

async function loadBack(
  spec: ServiceSpec,
  configFile: string | false,
): Promise<{ config: JsonObject } | { problems: string[] }> {
  try {
    const { config } = await resolveConfig<JsonObject>(spec, {
      configFile,
      configDir: false,
      consul: false,
      pemFiles: false,
      env: {},
      strict: true,
      logger: quiet,
    });
    return { config };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems.map(formatProblem) };
    throw error;
  }
}

function removeAt(tree: JsonObject, path: readonly string[]): void {
  const parent = getAt(tree, path.slice(0, -1));
  if (isObject(parent)) delete parent[path[path.length - 1]!];
}

/** The keys where two trees differ (`key: expected …, got …`), the first few. */
export function differences(expected: JsonValue, actual: JsonValue, at: string[] = [], out: string[] = []): string[] {
  if (out.length >= SHOWN_DIFFERENCES || isDeepStrictEqual(expected, actual)) return out;
  if (!isObject(expected) || !isObject(actual)) {
    out.push(`${dotted(at)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    return out;
  }
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    const path = [...at, key];
    if (!Object.hasOwn(actual, key)) out.push(`${dotted(path)}: missing`);
    else if (!Object.hasOwn(expected, key)) out.push(`${dotted(path)}: not expected`);
    else differences(expected[key]!, actual[key]!, path, out);
  }
  return out;
}
