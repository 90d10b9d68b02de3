/**
 * The generator's driver: load → check → model → rules and emitter checks → emit → format → write,
 * for every schema. Every problem of every schema is collected before anything is emitted; on any
 * problem nothing is written.
 */
import { cachedOutputs, remember } from './cache.ts';
import { emitFiles, emitterProblems } from './emit/index.ts';
import type { GeneratedFile, Language } from './emit/emitter.ts';
import { formatFiles } from './format.ts';
import type { ServiceModel } from './model.ts';
import { loadModels, schemaSources } from './models.ts';
import { isSchemaFile, projectAt } from './project.ts';
import { apply, plan, type WriteResult } from './write.ts';

export interface GenerateOptions {
  /** The project root: `schemas/` and `generated/` by default; its `templates/` override the shipped ones. */
  root: string;
  /** A folder of schemas, or one schema file (default `<root>/schemas`). */
  schemas?: string;
  /** Where generated files go (default `<root>/generated`). */
  out?: string;
  /** `config.ts` (default), or `config.js` + `config.d.ts`. */
  language?: Language;
  /**
   * Skip loading and rendering when nothing changed since the last cached run (generator/cache.ts); the command line
   * sets it.
   */
  cache?: boolean;
  /** Only these services (default: every schema). */
  services?: string[];
  /** Write nothing; report what is stale. */
  check?: boolean;
}

export interface GenerateResult extends WriteResult {
  /** The services rendered (none when the cache answered). */
  models: ServiceModel[];
  /** Nothing changed since the last cached run: nothing was loaded or rendered. */
  cached?: boolean;
}

/**
 * The files of `models`, and the cross-service ones (generated/docs/) from `indexModels`: every
 * service's, also when only some are generated, so that no run leaves the index stale.
 */
export async function renderFiles(
  models: ServiceModel[],
  root: string,
  indexModels: ServiceModel[] | false = models,
  language: Language = 'ts',
): Promise<GeneratedFile[]> {
  return formatFiles(await emitFiles(models, { root, language }, { indexModels }), root);
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const project = projectAt(options.root, options);
  // One schema file (a service's own repository): its folder alone, no index across services.
  const single = isSchemaFile(project);
  const cacheKey = { project, options: { language: options.language ?? 'ts', services: options.services ?? null } };
  if (options.cache) {
    const unchanged = cachedOutputs(cacheKey);
    if (unchanged) return { written: [], deleted: [], unchanged, models: [], cached: true };
  }
  // The emitters' checks run with the model rules: every problem is listed before anything is emitted.
  const models = await loadModels(project, options.services, { extraChecks: emitterProblems });
  const indexModels = single
    ? false
    : options.services
      ? await loadModels(project, undefined, { extraChecks: emitterProblems })
      : models;
  const files = await renderFiles(models, project.root, indexModels, options.language);
  const outDir = project.out;
  const result = plan(files, outDir);
  if (options.services || single) {
    // A partial run owns only its services' folders and the cross-service index.
    const owned = [...models.map((m) => `${m.name}/`), ...(single ? [] : ['docs/'])];
    result.deleted = result.deleted.filter((path) => owned.some((prefix) => path.startsWith(prefix)));
  }
  if (!options.check) apply(files, outDir, result);
  const onDisk = !options.check || (result.written.length === 0 && result.deleted.length === 0);
  // Recorded for whole runs only: a partial run's files are not all of the output folder.
  if (options.cache && !options.services && !single && onDisk)
    remember(
      cacheKey,
      models.flatMap((m) => schemaSources.get(m) ?? []),
      files,
    );
  return { ...result, models };
}

export { GenerateError, formatSchemaProblem } from './schema-problems.ts';
export { loadModels };
export { projectAt, type Project } from './project.ts';
export type { ServiceModel, LeafSetting, GroupSetting, Setting } from './model.ts';
