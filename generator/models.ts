/**
 * Stages 1–3 for every schema: load → check → model (+ the model rules, and `extraChecks`: the
 * emitters' checks when generating). Every problem of every schema is collected; any problem throws
 * one GenerateError listing them all.
 */
import { relative } from 'node:path';
import { listSchemaFiles, loadSchema, serviceOfFile } from './load.ts';
import { buildModel, type ServiceModel } from './model.ts';
import { projectOf, type Project } from './project.ts';
import { GenerateError, type SchemaProblem } from './schema-problems.ts';

/** The files each model was read from (its schema and what its `$ref`s point to), for generate's cache. */
export const schemaSources = new WeakMap<ServiceModel, string[]>();

export interface LoadModelsOptions {
  /**
   * Check each schema (meta-schemas, strict mode, model rules); default true. Only a command that
   * reads what `generate` already produced from a checked schema (`seed`) skips it: with ajv
   * compiling the schema twice, checking is most of the time for a large one.
   */
  check?: boolean;
  /** More checks over all the models (the emitters' own, when generating). */
  extraChecks?: (models: readonly ServiceModel[]) => SchemaProblem[];
}

/** Every schema of the project (a folder, or one file), or only the services named. */
export async function loadModels(
  where: Project | string,
  services?: string[],
  options: LoadModelsOptions = {},
): Promise<ServiceModel[]> {
  // The checks import ajv, nunjucks and yaml and compile meta-schemas: a tenth of a second `seed` does without.
  const checks = (options.check ?? true) ? await import('./checks.ts') : undefined;
  const project = projectOf(where);
  const problems: SchemaProblem[] = [];
  const models: ServiceModel[] = [];
  const paths = listSchemaFiles(project.schemas);
  const known = paths.map(serviceOfFile);
  const folder = relative(project.root, project.schemas) || '.';
  if (paths.length === 0)
    problems.push({
      file: `${folder}/`,
      pointer: '',
      message: 'no schema to generate from',
      hint: `add one: ${folder}/<service>.schema.json`,
    });
  for (const wanted of services ?? []) {
    if (!known.includes(wanted)) {
      problems.push({
        file: `${folder}/${wanted}.schema.json`,
        pointer: '',
        message: 'no such schema',
        hint: `known services: ${known.join(', ')}`,
      });
    }
  }
  for (const path of paths) {
    const loaded = await loadSchema(path, project.root);
    if (!('schema' in loaded)) {
      problems.push(loaded);
      continue;
    }
    if (services && !services.includes(loaded.service)) continue;
    const schemaProblems = checks ? checks.checkSchema(loaded) : [];
    if (schemaProblems.length > 0) {
      problems.push(...schemaProblems);
      continue;
    }
    const model = buildModel(loaded);
    schemaSources.set(model, loaded.sources ?? []);
    const modelProblems = checks ? [...checks.checkModel(model), ...checks.checkDaemon(model, project.root)] : [];
    problems.push(...modelProblems);
    if (modelProblems.length === 0) models.push(model);
  }
  if (options.extraChecks) problems.push(...options.extraChecks(models));
  if (problems.length > 0) throw new GenerateError(problems);
  return models;
}
