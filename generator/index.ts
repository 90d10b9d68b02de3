/**
 * The generator's driver: load → check → model → emit → format → write, for every schema.
 * Every problem of every schema is collected before anything is written; on any problem nothing is.
 */
import { join } from 'node:path';
import { EMITTERS, INDEX_EMITTERS } from './emit/index.ts';
import type { GeneratedFile } from './emit/emitter.ts';
import { formatFiles } from './format.ts';
import type { ServiceModel } from './model.ts';
import { loadModels } from './models.ts';
import { EmitError, GenerateError } from './schema-problems.ts';
import { apply, plan, type WriteResult } from './write.ts';

export interface GenerateOptions {
  /** The project root holding `schemas/`, `templates/` and `generated/`. */
  root: string;
  /** Only these services (default: every schema). */
  services?: string[];
  /** Write nothing; report what is stale. */
  check?: boolean;
}

export interface GenerateResult extends WriteResult {
  models: ServiceModel[];
}

/**
 * The files of `models`, and the cross-service ones (generated/docs/) from `indexModels`: every
 * service's, also when only some are generated, so that no run leaves the index stale.
 */
export async function renderFiles(models: ServiceModel[], root: string, indexModels: ServiceModel[] | false = models): Promise<GeneratedFile[]> {
  const context = { root };
  const files: GeneratedFile[] = [];
  for (const model of models) {
    for (const emitter of EMITTERS) files.push(...(await emitting(model.file, emitter.name, () => emitter.emit(model, context))));
  }
  if (indexModels) {
    const all = indexModels.map((m) => m.file).join(', ');
    for (const emitter of INDEX_EMITTERS) files.push(...(await emitting(all, emitter.name, () => emitter.emitAll(indexModels, context))));
  }
  return formatFiles(files, root);
}

/** An emitter's failure names the schema it was rendering: one line, never a bare stack. */
async function emitting<T>(file: string, emitter: string, emit: () => T | Promise<T>): Promise<T> {
  try {
    return await emit();
  } catch (error) {
    if (error instanceof GenerateError) throw error;
    throw new EmitError(file, emitter, error);
  }
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const models = await loadModels(options.root, options.services);
  const files = await renderFiles(models, options.root, options.services ? await loadModels(options.root) : models);
  const outDir = join(options.root, 'generated');
  const result = plan(files, outDir);
  if (options.services) {
    // A partial run owns only its services' folders and the cross-service index.
    const owned = [...options.services.map((s) => `${s}/`), 'docs/'];
    result.deleted = result.deleted.filter((path) => owned.some((prefix) => path.startsWith(prefix)));
  }
  if (!options.check) apply(files, outDir, result);
  return { ...result, models };
}

export { GenerateError, formatSchemaProblem } from './schema-problems.ts';
export { loadModels };
export type { ServiceModel, LeafSetting, GroupSetting, Setting } from './model.ts';
