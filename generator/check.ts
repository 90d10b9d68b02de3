/**
 * Stage 2 — check: every problem of a schema at once. The JSON Schema 2020-12 meta-schema, our
 * vocabulary's meta-schemas on every subschema, then ajv's strict compilation.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv.ts';
import type { LoadedSchema, SchemaNode } from './load.ts';
import type { SchemaProblem } from './schema-problems.ts';
import { didYouMean } from './runtime/problems.ts';
import { escapePointer } from './runtime/tree.ts';
import { forEachSubschema } from './walk.ts';
import { VOCABULARY } from './vocabulary.ts';

const ajv = createAjv();
/** JSON Schema's `type` names. */
const JSON_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];
/** Keywords ajv validates with, plus the core and annotation keywords it only reads. */
const KNOWN_KEYWORDS = new Set([
  ...Object.keys(ajv.RULES.all),
  ...[
    '$schema',
    '$id',
    '$anchor',
    '$defs',
    '$vocabulary',
    'definitions',
    'title',
    'description',
    'default',
    'examples',
  ],
  ...['deprecated', 'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding', 'contentSchema'],
]);
const vocabularyValidators = Object.entries(VOCABULARY).map(([keyword, meta]) => ({
  keyword,
  validate: ajv.compile(meta),
}));

/**
 * The validator strict mode compiled for each schema that passed: the rule on defaults (rules.ts) validates with it
 * instead of compiling the schema again (annotations and our keywords do not change what a value must be).
 */
const STRICTLY_COMPILED = new WeakMap<SchemaNode, ValidateFunction>();

/** The validator of a schema checkSchema passed, if it did. */
export function checkedValidator(schema: SchemaNode): ValidateFunction | undefined {
  return STRICTLY_COMPILED.get(schema);
}

export function checkSchema(loaded: LoadedSchema): SchemaProblem[] {
  const { file, schema } = loaded;
  const problems: SchemaProblem[] = [];
  const at = (pointer: string, message: string, hint: string) => problems.push({ file, pointer, message, hint });

  // A misspelt type is one problem with a guess; the meta-schema would say it three times (enum, array, anyOf).
  const badTypes = new Set<string>();
  forEachSubschema(schema, '', (node, pointer) => {
    const types = Array.isArray(node.type) ? node.type : [node.type];
    types.forEach((type, i) => {
      if (typeof type !== 'string' || JSON_TYPES.includes(type)) return;
      const where = Array.isArray(node.type) ? `${pointer}/type/${i}` : `${pointer}/type`;
      const guess = didYouMean(type, JSON_TYPES);
      badTypes.add(`${pointer}/type`);
      at(
        where,
        `unknown type '${type}'`,
        guess ? `did you mean '${guess}'?` : `the types are ${JSON_TYPES.map((t) => `'${t}'`).join(', ')}`,
      );
    });
  });
  if (!ajv.validateSchema(schema)) {
    for (const e of ajv.errors ?? []) {
      if (badTypes.has(e.instancePath.replace(/\/type\/\d+$/, '/type'))) continue;
      at(e.instancePath, `not a valid JSON Schema: ${describe(e)}`, 'see the JSON Schema 2020-12 specification');
    }
  }
  forEachSubschema(schema, '', (node, pointer) => {
    for (const keyword of Object.keys(node)) {
      if (KNOWN_KEYWORDS.has(keyword)) continue;
      const guess = didYouMean(keyword, KNOWN_KEYWORDS);
      at(
        `${pointer}/${escapePointer(keyword)}`,
        `unknown keyword ${JSON.stringify(keyword)}`,
        guess ? `did you mean ${guess}?` : 'remove it, or name your own keyword x-…',
      );
    }
    for (const { keyword, validate } of vocabularyValidators) {
      if (!(keyword in node)) continue;
      if (keyword === 'x-service' && pointer !== '')
        at(`${pointer}/x-service`, 'x-service belongs at the root only', 'move it to the top of the file');
      if (!validate(node[keyword])) {
        for (const e of validate.errors ?? []) {
          at(`${pointer}/${keyword}${e.instancePath}`, `invalid ${keyword}: ${describe(e)}`, hintFor(keyword));
        }
      }
    }
  });
  const service = schema['x-service'] as SchemaNode | undefined;
  if (!service) at('', 'missing x-service', `add "x-service": { "name": "${loaded.service}" }`);
  else if (service.name !== loaded.service) {
    at(
      '/x-service/name',
      `x-service.name ${JSON.stringify(service.name)} does not match the file name`,
      `name it "${loaded.service}" or rename the file`,
    );
  }
  if (schema.type !== 'object' || typeof schema.properties !== 'object') {
    at('', 'the root must be an object with properties', 'add "type": "object" and "properties"');
  }
  if (problems.length === 0) {
    try {
      STRICTLY_COMPILED.set(schema, ajv.compile(schema));
      ajv.removeSchema(schema);
    } catch (error) {
      const message = (error as Error).message;
      const found = /at "#([^"]*)"/.exec(message);
      at(
        found?.[1] ?? '',
        `rejected by ajv strict mode: ${message.replace(/ at "#[^"]*"/, '')}`,
        'remove or fix the keyword',
      );
    }
  }
  return problems;
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') return `unknown property ${JSON.stringify(e.params.additionalProperty)}`;
  if (e.keyword === 'enum')
    return `${e.message}: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return e.message ?? e.keyword;
}

function hintFor(keyword: string): string {
  switch (keyword) {
    case 'x-service':
      return 'x-service is { name, envPrefix?, consulPrefix?, configFile?, configDir?, dependsOn?, render?, reload?, check? } (render/reload/check: docs/exec.md)';
    case 'x-env':
      return 'an environment variable name: letters, digits and _';
    case 'x-discover':
      return 'x-discover is the name of the Consul service to discover, such as "wazo-auth"';
    case 'x-connect-tls':
      return 'x-connect-tls is true, or { certificate?, privateKey?, ca?, user?, group? }: the leaves of the group, and who owns the files consul-template writes (docs/tls.md)';
    default:
      return `${keyword} is true or false`;
  }
}
