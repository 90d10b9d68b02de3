/**
 * The emitters `generate` runs, in this order: each service's files (service emitters, in list
 * order, one service after the other), then the files across services (index emitters). To add an
 * output, write one module in this folder and add its emitter here (docs/design.md "Emitters").
 */
import type { ServiceModel } from '../model.ts';
import { EmitError, formatSchemaProblem, GenerateError, type SchemaProblem } from '../schema-problems.ts';
import { configPyEmitter } from './config-py.ts';
import { configTsEmitter } from './config-ts.ts';
import { connectTlsEmitter } from './connect-tls.ts';
import { consulLocationEmitter } from './consul-location.ts';
import { consulSeedEmitter } from './consul-seed.ts';
import { docsIndexHtmlEmitter } from './docs-index-html.ts';
import { docsIndexMarkdownEmitter } from './docs-index-md.ts';
import { docsReadmeEmitter } from './docs-readme.ts';
import { editorSchemaEmitter } from './editor-schema.ts';
import { isIndexEmitter, type AnyEmitter, type EmitContext, type GeneratedFile } from './emitter.ts';
import { envFileEmitter, envTemplateEmitter } from './env-file.ts';
import { hclConfigsEmitter } from './hcl-configs.ts';
import { kubernetesEmitter } from './kubernetes.ts';
import { validatorEmitter } from './validator.ts';

export const EMITTERS: readonly AnyEmitter[] = [
  configTsEmitter,
  validatorEmitter,
  consulSeedEmitter,
  docsReadmeEmitter,
  editorSchemaEmitter,
  envFileEmitter,
  envTemplateEmitter,
  kubernetesEmitter,
  connectTlsEmitter,
  hclConfigsEmitter,
  configPyEmitter,
  docsIndexMarkdownEmitter,
  docsIndexHtmlEmitter,
  consulLocationEmitter,
];

/**
 * Runs the emitters: each service emitter over each model, then the index emitters over
 * `indexModels` (default: the same models; false: none).
 */
export async function emitFiles(
  models: readonly ServiceModel[],
  context: EmitContext,
  {
    emitters = EMITTERS,
    indexModels = models,
  }: { emitters?: readonly AnyEmitter[]; indexModels?: readonly ServiceModel[] | false } = {},
): Promise<GeneratedFile[]> {
  const files: GeneratedFile[] = [];
  for (const model of models) {
    for (const emitter of emitters) {
      if (!isIndexEmitter(emitter))
        files.push(...(await emitting(model.file, emitter.name, () => emitter.emit(model, context))));
    }
  }
  if (indexModels) {
    const all = indexModels.map((m) => m.file).join(', ');
    for (const emitter of emitters) {
      if (isIndexEmitter(emitter))
        files.push(...(await emitting(all, emitter.name, () => emitter.emitAll(indexModels, context))));
    }
  }
  return files;
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

/**
 * What keeps the emitters from emitting these models, each problem once (two emitters may share a
 * check, as the `.ctmpl` emitters share the Consul key check).
 */
export function emitterProblems(
  models: readonly ServiceModel[],
  emitters: readonly AnyEmitter[] = EMITTERS,
): SchemaProblem[] {
  const found = [
    ...models.flatMap((model) => emitters.flatMap((e) => (isIndexEmitter(e) ? [] : (e.check?.(model) ?? [])))),
    ...emitters.flatMap((e) => (isIndexEmitter(e) ? (e.check?.(models) ?? []) : [])),
  ];
  const seen = new Set<string>();
  return found.filter((problem) => {
    const text = formatSchemaProblem(problem);
    return !seen.has(text) && !!seen.add(text);
  });
}
