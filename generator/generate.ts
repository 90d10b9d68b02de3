/**
 * The generator's driver: load → check → model → rules and emitter checks → emit → format → write,
 * for every schema. Every problem of every schema is collected before anything is emitted; on any
 * problem nothing is written. A run whose inputs and outputs are unchanged since the last one is
 * answered by the cache (cache.ts) before any of the pipeline is even imported (render.ts).
 */
import { cachedOutputs, remember } from './cache.ts';
import type { Language } from './emit/emitter.ts';
import type { ServiceModel } from './model.ts';
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

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const project = projectAt(options.root, options);
  // One schema file (a service's own repository): its folder alone, no index across services.
  const single = isSchemaFile(project);
  const cacheKey = { project, options: { language: options.language ?? 'ts', services: options.services ?? null } };
  if (options.cache) {
    const unchanged = cachedOutputs(cacheKey);
    if (unchanged) return { written: [], deleted: [], unchanged, models: [], cached: true };
  }
  const { renderProject } = await import('./render.ts');
  const { models, files, inputs } = await renderProject(project, {
    services: options.services,
    single,
    language: options.language,
  });
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
  if (options.cache && !options.services && !single && onDisk) remember(cacheKey, inputs, files);
  return { ...result, models };
}
