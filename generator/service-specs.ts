/**
 * Each service's runtime spec built from its schema — the one source of truth — with the validator
 * compiled as `generate` compiles it: what a generated loader holds, for the commands and for
 * `infer`'s proof that a draft schema loads its inputs back.
 */
import { createAjv } from './ajv.ts';
import { serviceSpecOf, type ServiceModel } from './model.ts';
import { loadModels } from './models.ts';
import type { CompiledValidator, ServiceSpec } from './runtime/types.ts';
import { validationSchemaOf } from './validation-schema.ts';

/** Each service's runtime spec from its schema, as its generated loader has it. */
export async function serviceSpecs(root: string, services: string[]): Promise<ServiceSpec[]> {
  return (await loadModels(root, services)).map(compiledSpecOf);
}

/** One model's runtime spec, its validator compiled. */
export function compiledSpecOf(model: ServiceModel): ServiceSpec {
  return { ...serviceSpecOf(model), validate: createAjv().compile(validationSchemaOf(model.schema)) as CompiledValidator };
}
