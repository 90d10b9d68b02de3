/**
 * For the per-emitter tests: a model from a schema written inline (as `generate` builds it, the
 * model rules checked), and one emitter's files by path.
 */
import assert from 'node:assert/strict';
import { EMITTERS } from '../../generator/emit/index.ts';
import { isIndexEmitter, type AnyEmitter } from '../../generator/emit/emitter.ts';
import { buildModel, type ServiceModel } from '../../generator/model.ts';
import { checkModel } from '../../generator/rules.ts';
import type { SchemaProblem } from '../../generator/schema-problems.ts';
import { REPO } from '../helpers.ts';

/** A service schema: `properties` under an `x-service` named `name` (plus any other root keywords). */
export function modelOf(
  properties: Record<string, unknown>,
  service: Record<string, unknown> = {},
  root: Record<string, unknown> = {},
): ServiceModel {
  const name = (service.name as string | undefined) ?? 'wazo-t';
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    'x-service': { name, ...service },
    properties,
    ...root,
  };
  const model = buildModel({ service: name, file: `schemas/${name}.schema.json`, raw: schema, schema });
  assert.deepEqual(checkModel(model), [], 'the given schema passes the model rules');
  return model;
}

export function emitterNamed(name: string): AnyEmitter {
  const emitter = EMITTERS.find((e) => e.name === name);
  assert.ok(emitter, `no emitter ${name}`);
  return emitter;
}

/** The files one emitter writes for these models (unformatted), by path. */
export async function emitted(name: string, ...models: ServiceModel[]): Promise<Map<string, string>> {
  const emitter = emitterNamed(name);
  const files = isIndexEmitter(emitter)
    ? await emitter.emitAll(models, { root: REPO })
    : (await Promise.all(models.map((model) => emitter.emit(model, { root: REPO })))).flat();
  return new Map(files.map((f) => [f.path, f.contents]));
}

/** What the emitter's check says of these models: `pointer: message`. */
export function checked(name: string, ...models: ServiceModel[]): string[] {
  const emitter = emitterNamed(name);
  const problems: SchemaProblem[] = isIndexEmitter(emitter)
    ? (emitter.check?.(models) ?? [])
    : models.flatMap((m) => emitter.check?.(m) ?? []);
  return problems.map((p) => `${p.pointer}: ${p.message}`);
}
