import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GenerateError, loadModels } from '../generator/index.ts';
import { cli, tempRoot } from './helpers.ts';

const base = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'wazo-x' },
  properties,
  ...extra,
});

async function problems(files: Record<string, unknown>): Promise<string[]> {
  const root = tempRoot();
  try {
    mkdirSync(join(root, 'schemas/common'), { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(root, 'schemas', name), typeof content === 'string' ? content : JSON.stringify(content));
    }
    const error = await loadModels(root).then(
      () => assert.fail('expected a GenerateError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GenerateError, String(error));
    return error.message.split('\n');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const F = 'schemas/wazo-x.schema.json';

describe('broken schemas: every problem reported as file#pointer: what (hint)', () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    [
      'not JSON',
      { 'wazo-x.schema.json': '{ "type": ' },
      [`${F}#: not valid JSON: Unexpected end of JSON input (fix the JSON syntax)`],
    ],
    [
      'not an object',
      { 'wazo-x.schema.json': '[1]' },
      [`${F}#: a schema file must hold a JSON object (start the file with {)`],
    ],
    [
      'missing x-service',
      { 'wazo-x.schema.json': { type: 'object', properties: {} } },
      [`${F}#: missing x-service (add "x-service": { "name": "wazo-x" })`],
    ],
    [
      'x-service name differs from the file',
      { 'wazo-x.schema.json': base({}, { 'x-service': { name: 'wazo-y' } }) },
      [
        `${F}#/x-service/name: x-service.name "wazo-y" does not match the file name (name it "wazo-x" or rename the file)`,
      ],
    ],
    [
      'x-service with an unknown field',
      { 'wazo-x.schema.json': base({}, { 'x-service': { name: 'wazo-x', prefix: 'x' } }) },
      [
        `${F}#/x-service: invalid x-service: unknown property "prefix" (x-service is { name, envPrefix?, consulPrefix?, configFile?, configDir?, dependsOn?, render?, reload?, check? } (render/reload/check: docs/exec.md))`,
      ],
    ],
    [
      'a relative configFile',
      { 'wazo-x.schema.json': base({}, { 'x-service': { name: 'wazo-x', configFile: 'etc/x.yml' } }) },
      [
        `${F}#/x-service/configFile: invalid x-service: must match pattern "^/" (x-service is { name, envPrefix?, consulPrefix?, configFile?, configDir?, dependsOn?, render?, reload?, check? } (render/reload/check: docs/exec.md))`,
      ],
    ],
    [
      'x-service below the root',
      { 'wazo-x.schema.json': base({ a: { type: 'string', 'x-service': { name: 'a' } } }) },
      [`${F}#/properties/a/x-service: x-service belongs at the root only (move it to the top of the file)`],
    ],
    [
      'x-mutable not a boolean',
      { 'wazo-x.schema.json': base({ a: { type: 'string', 'x-mutable': 'yes' } }) },
      [`${F}#/properties/a/x-mutable: invalid x-mutable: must be boolean (x-mutable is true or false)`],
    ],
    [
      'x-secret not a boolean',
      { 'wazo-x.schema.json': base({ a: { type: 'string', 'x-secret': 1 } }) },
      [`${F}#/properties/a/x-secret: invalid x-secret: must be boolean (x-secret is true or false)`],
    ],
    [
      'x-env not a variable name',
      { 'wazo-x.schema.json': base({ a: { type: 'string', 'x-env': 'MY-VAR' } }) },
      [
        `${F}#/properties/a/x-env: invalid x-env: must match pattern "^[A-Za-z_][A-Za-z0-9_]*$" (an environment variable name: letters, digits and _)`,
      ],
    ],
    [
      'an unknown type',
      { 'wazo-x.schema.json': base({ a: { type: 'text' } }) },
      [
        `${F}#/properties/a/type: unknown type 'text' (the types are 'array', 'boolean', 'integer', 'null', 'number', 'object', 'string')`,
      ],
    ],
    [
      'a misspelt type: one line with a guess, not the meta-schema three',
      { 'wazo-x.schema.json': base({ a: { type: 'strng' } }) },
      [`${F}#/properties/a/type: unknown type 'strng' (did you mean 'string'?)`],
    ],
    [
      'a misspelt type in a list of types',
      { 'wazo-x.schema.json': base({ a: { type: ['integer', 'strin'] } }) },
      [`${F}#/properties/a/type/1: unknown type 'strin' (did you mean 'string'?)`],
    ],
    [
      'an unknown keyword (strict mode)',
      { 'wazo-x.schema.json': base({ a: { type: 'string', defualt: 'x' } }) },
      [`${F}#/properties/a/defualt: unknown keyword "defualt" (did you mean default?)`],
    ],
    [
      'a default of the wrong type',
      { 'wazo-x.schema.json': base({ port: { type: 'integer', default: '80' } }) },
      [
        `${F}#/properties/port/default: the default is not valid against the schema: /port must be integer: "80" (fix the default or widen the type)`,
      ],
    ],
    [
      'a default outside the enum',
      { 'wazo-x.schema.json': base({ level: { enum: ['info', 'debug'], default: 'INFO' } }) },
      [
        `${F}#/properties/level/default: the default is not valid against the schema: /level must be equal to one of the allowed values: "INFO" (fix the default or widen the type)`,
      ],
    ],
    [
      'two leaves with one env name',
      {
        'wazo-x.schema.json': base({
          bus_host: { type: 'string' },
          bus: { type: 'object', properties: { host: { type: 'string' } } },
        }),
      },
      [
        `${F}#/properties/bus/properties/host: two leaves have the same environment variable name: WAZO_X_BUS_HOST is also the name of #/properties/bus_host (rename one key, or give one an explicit x-env)`,
      ],
    ],
    [
      'an x-env that collides',
      { 'wazo-x.schema.json': base({ a: { type: 'string' }, b: { type: 'string', 'x-env': 'WAZO_X_A' } }) },
      [
        `${F}#/properties/b: two leaves have the same environment variable name: WAZO_X_A is also the name of #/properties/a (rename one key, or give one an explicit x-env)`,
      ],
    ],
    [
      'a nullable group',
      { 'wazo-x.schema.json': base({ bus: { type: ['object', 'null'], properties: { host: { type: 'string' } } } }) },
      [
        `${F}#/properties/bus/type: a group (an object with properties) cannot also accept other types (drop the other types, or make it a leaf without properties (an open map))`,
      ],
    ],
    [
      'x-env on a group',
      {
        'wazo-x.schema.json': base({
          bus: { type: 'object', 'x-env': 'BUS', properties: { host: { type: 'string' } } },
        }),
      },
      [`${F}#/properties/bus/x-env: x-env belongs on a leaf (move it to the scalar, array or open map it names)`],
    ],
    [
      'a $ref to a missing file',
      { 'wazo-x.schema.json': base({ bus: { $ref: './common/bus.json' } }) },
      [
        `${F}#: cannot resolve $ref: Error opening file "{ROOT}/schemas/common/bus.json" ($ref paths are relative to the file that holds them)`,
      ],
    ],
    [
      'a root that is not an object',
      { 'wazo-x.schema.json': { 'x-service': { name: 'wazo-x' }, type: 'array' } },
      [`${F}#: the root must be an object with properties (add "type": "object" and "properties")`],
    ],
  ];
  for (const [name, files, expected] of cases) {
    it(name, async () => {
      const lines = await problems(files);
      assert.deepEqual(
        lines.map((l) => l.replace(/\/\S*\/\.test-tmp\/project-\w+/, '{ROOT}')),
        expected,
      );
    });
  }

  it('resolves $ref relative to the file that holds it', async () => {
    const root = tempRoot();
    try {
      mkdirSync(join(root, 'schemas/common'), { recursive: true });
      writeFileSync(
        join(root, 'schemas/common/bus.json'),
        JSON.stringify({ type: 'object', properties: { port: { $ref: './port.json' } } }),
      );
      writeFileSync(join(root, 'schemas/common/port.json'), JSON.stringify({ type: 'integer', default: 5672 }));
      writeFileSync(
        join(root, 'schemas/wazo-x.schema.json'),
        JSON.stringify(base({ bus: { $ref: './common/bus.json' } })),
      );
      const [model] = await loadModels(root);
      assert.deepEqual(
        model!.leaves.map((l) => [l.consulKey, l.default]),
        [['config/wazo-x/bus/port', 5672]],
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reports every problem of every schema at once', async () => {
    const lines = await problems({
      'wazo-x.schema.json': base({ a: { type: 'string', 'x-mutable': 1, 'x-secret': 'no' } }),
      'wazo-y.schema.json': base({}, { 'x-service': { name: 'wazo-x' } }),
    });
    assert.deepEqual(lines, [
      `${F}#/properties/a/x-mutable: invalid x-mutable: must be boolean (x-mutable is true or false)`,
      `${F}#/properties/a/x-secret: invalid x-secret: must be boolean (x-secret is true or false)`,
      'schemas/wazo-y.schema.json#/x-service/name: x-service.name "wazo-x" does not match the file name (name it "wazo-y" or rename the file)',
    ]);
  });

  it('the command prints the problems without a stack trace, exits 1 and writes nothing', () => {
    const root = tempRoot();
    try {
      mkdirSync(join(root, 'schemas'));
      writeFileSync(join(root, 'schemas/wazo-x.schema.json'), JSON.stringify(base({ a: { type: 'string' } })));
      writeFileSync(
        join(root, 'schemas/wazo-y.schema.json'),
        JSON.stringify(base({ a: { type: 'strin' } }, { 'x-service': { name: 'wazo-y' } })),
      );
      const result = cli(root, ['generate']);
      assert.equal(result.status, 1);
      assert.equal(
        result.stderr,
        "schemas/wazo-y.schema.json#/properties/a/type: unknown type 'strin' (did you mean 'string'?)\n" +
          '1 problem; nothing was written.\n',
      );
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(join(root, 'generated')), false, 'the valid schema was not written either');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
