/**
 * Stages 1–3 for every schema: load → check → model (+ the model rules, and `check`: the emitters'
 * checks when generating). Every problem of every schema is collected; any problem throws one
 * GenerateError listing them all.
 */
import { join } from 'node:path';
import { checkSchema } from './check.ts';
import { checkDaemon } from './daemon-check.ts';
import { listSchemaFiles, loadSchema } from './load.ts';
import { buildModel, type ServiceModel } from './model.ts';
import { GenerateError, type SchemaProblem } from './schema-problems.ts';
import { checkModel } from './rules.ts';

export async function loadModels(
  root: string,
  services?: string[],
  check?: (models: readonly ServiceModel[]) => SchemaProblem[],
): Promise<ServiceModel[]> {
  const problems: SchemaProblem[] = [];
  const models: ServiceModel[] = [];
  const paths = listSchemaFiles(join(root, 'schemas'));
  const known = paths.map((p) => p.slice(p.lastIndexOf('/') + 1).replace('.schema.json', ''));
  if (paths.length === 0) problems.push({ file: 'schemas/', pointer: '', message: 'no schema to generate from', hint: 'add one: schemas/<service>.schema.json' });
  for (const wanted of services ?? []) {
    if (!known.includes(wanted)) {
      problems.push({ file: `schemas/${wanted}.schema.json`, pointer: '', message: 'no such schema', hint: `known services: ${known.join(', ')}` });
    }
  }
  for (const path of paths) {
    const loaded = await loadSchema(path, root);
    if (!('schema' in loaded)) {
      problems.push(loaded);
      continue;
    }
    if (services && !services.includes(loaded.service)) continue;
    const schemaProblems = checkSchema(loaded);
    if (schemaProblems.length > 0) {
      problems.push(...schemaProblems);
      continue;
    }
    const model = buildModel(loaded);
    const modelProblems = [...checkModel(model), ...checkDaemon(model, root)];
    problems.push(...modelProblems);
    if (modelProblems.length === 0) models.push(model);
  }
  if (check) problems.push(...check(models));
  if (problems.length > 0) throw new GenerateError(problems);
  return models;
}
