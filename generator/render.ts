/**
 * Load → check → model → emit → format: what `generate` does when its cache cannot answer. Kept apart from
 * generate.ts so that a run that finds nothing changed never loads the emitters, ajv or prettier.
 */
import { emitFiles, emitterProblems } from './emit/index.ts';
import type { GeneratedFile, Language } from './emit/emitter.ts';
import { formatFiles } from './format.ts';
import type { ServiceModel } from './model.ts';
import { loadModels, schemaSources } from './models.ts';
import type { Project } from './project.ts';

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

export interface Rendered {
  models: ServiceModel[];
  files: GeneratedFile[];
  /** The files read to render them: schemas and what their `$ref`s read. */
  inputs: string[];
}

/**
 * Every file of the project's schemas (or only `services`'), with the cross-service index unless the project is one
 * schema file (`single`). Every problem of every schema is collected before anything is emitted.
 */
export async function renderProject(
  project: Project,
  { services, single, language }: { services?: string[] | undefined; single: boolean; language?: Language | undefined },
): Promise<Rendered> {
  // The emitters' checks run with the model rules: every problem is listed before anything is emitted.
  const models = await loadModels(project, services, { extraChecks: emitterProblems });
  const indexModels = single
    ? false
    : services
      ? await loadModels(project, undefined, { extraChecks: emitterProblems })
      : models;
  const files = await renderFiles(models, project.root, indexModels, language);
  return { models, files, inputs: models.flatMap((m) => schemaSources.get(m) ?? []) };
}
