/**
 * The generator's driver: load → check → model → rules and emitter checks → emit → format → write,
 * for every schema. Every problem of every schema is collected before anything is emitted; on any
 * problem nothing is written.
 */
import { join } from 'node:path';
import { emitFiles, emitterProblems } from './emit/index.ts';
import type { GeneratedFile } from './emit/emitter.ts';
import { formatFiles } from './format.ts';
import type { ServiceModel } from './model.ts';
import { loadModels } from './models.ts';
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
  return formatFiles(await emitFiles(models, { root }, { indexModels }), root);
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  // The emitters' checks run with the model rules: every problem is listed before anything is emitted.
  const models = await loadModels(options.root, options.services, emitterProblems);
  const files = await renderFiles(models, options.root, options.services ? await loadModels(options.root, undefined, emitterProblems) : models);
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
