/**
 * Each service's runtime spec built from its schema — the one source of truth — with the validator
 * compiled as `generate` compiles it: what a generated loader holds, for the commands and for
 * `infer`'s proof that a draft schema loads its inputs back.
 */
import { serviceSpecOf, type ServiceModel } from './model.ts';
import { loadModels, type LoadModelsOptions } from './models.ts';
import type { Project } from './project.ts';
import type { CompiledValidator, ServiceSpec } from './runtime/types.ts';

/** Each service's runtime spec from its schema, as its generated loader has it. */
export async function serviceSpecs(
  project: Project | string,
  services: string[],
  options: LoadModelsOptions = {},
): Promise<ServiceSpec[]> {
  return (await loadModels(project, services, options)).map(compiledSpecOf);
}

/**
 * One model's runtime spec, its validator compiled when a load first validates, as a generated
 * loader imports its own: compiling takes seconds for a large schema, and ajv alone takes a tenth of
 * a second to import, which a command that validates nothing (`seed` with no config file) should
 * not pay. Compiled without ajv's code optimisation: it only makes the code smaller (what
 * `generate`'s standalone validators want) and is two thirds of the compile time of a
 * 10,000-setting schema.
 */
export function compiledSpecOf(model: ServiceModel): ServiceSpec {
  const importValidator = async (): Promise<{ validate: CompiledValidator }> => {
    const [{ createAjv }, { validationSchemaOf }] = await Promise.all([
      import('./ajv.ts'),
      import('./validation-schema.ts'),
    ]);
    const ajv = createAjv({ code: { optimize: false } });
    return { validate: ajv.compile(validationSchemaOf(model.schema)) as CompiledValidator };
  };
  return { ...serviceSpecOf(model), importValidator };
}
