/** The generator's API: generate() (generate.ts) and the stages tests and benches call on their own. */
export { generate, type GenerateOptions, type GenerateResult } from './generate.ts';
export { renderFiles } from './render.ts';
export { GenerateError, formatSchemaProblem } from './schema-problems.ts';
export { loadModels } from './models.ts';
export { projectAt, type Project } from './project.ts';
export type { ServiceModel, LeafSetting, GroupSetting, Setting } from './model.ts';
