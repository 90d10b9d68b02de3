/**
 * Each service's runtime spec built from its schema — the one source of truth — with the validator
 * compiled as `generate` compiles it: what a generated loader holds, for the commands and for
 * `infer`'s proof that a draft schema loads its inputs back.
 */
import { createAjv } from './ajv.ts';
import { serviceSpecOf, type ServiceModel } from './model.ts';
import { loadModels, type LoadModelsOptions } from './models.ts';
import type { Project } from './project.ts';
import type { CompiledValidator, ServiceSpec } from './runtime/types.ts';
import { validationSchemaOf } from './validation-schema.ts';

/** Each service's runtime spec from its schema, as its generated loader has it. */
export async function serviceSpecs(
  project: Project | string,
  services: string[],
  options: LoadModelsOptions = {},
): Promise<ServiceSpec[]> {
  return (await loadModels(project, services, options)).map(compiledSpecOf);
}

/**
 * One model's runtime spec, its validator compiled when first called: compiling takes seconds for
 * a large schema, and a command that validates nothing (`seed`) should not pay for it.
 */
export function compiledSpecOf(model: ServiceModel): ServiceSpec {
  let compiled: CompiledValidator | undefined;
  const validate: CompiledValidator = (data) => {
    compiled ??= createAjv().compile(validationSchemaOf(model.schema)) as CompiledValidator;
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  };
  return { ...serviceSpecOf(model), validate };
}
