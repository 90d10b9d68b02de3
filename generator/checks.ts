/** Every check `loadModels` runs, in one module it imports only when it checks (see LoadModelsOptions.check). */
export { checkSchema } from './check.ts';
export { checkDaemon } from './daemon-check.ts';
export { checkModel } from './rules.ts';
