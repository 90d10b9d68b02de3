/** `compat`: a table of schema changes and what each one is, then the command's exit codes and JSON. */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compare, modelOf, type Finding } from '../../generator/compat/index.ts';
import { cli, REPO } from '../helpers.ts';
import { writeFiles } from './helpers.ts';

type Schema = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BASE: Schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'wazo-x' },
  properties: {
    port: { type: 'integer', default: 9000, minimum: 1, maximum: 65535 },
    host: { type: 'string', default: 'localhost' },
    prefix: { type: ['string', 'null'], default: null },
    level: { type: 'string', enum: ['debug', 'info', 'error'], default: 'info', 'x-mutable': true },
    password: { type: 'string', default: 'guest', 'x-secret': true },
    headers: { type: 'array', items: { type: 'string' }, default: [] },
    plugins: { type: 'object', additionalProperties: { type: 'boolean' }, default: {} },
    bus: {
      type: 'object',
      properties: {
        host: { type: 'string', default: 'localhost' },
        port: { type: ['integer', 'string'], default: 5672 },
      },
    },
    token: { type: 'string' },
  },
};

const b = (key: string, rule: string, detail?: string): Partial<Finding> => ({
  key,
  rule,
  kind: 'breaking',
  ...(detail ? { detail } : {}),
});
const s = (key: string, rule: string, detail?: string): Partial<Finding> => ({
  key,
  rule,
  kind: 'safe',
  ...(detail ? { detail } : {}),
});

const TABLE: { change: string; edit(schema: Schema): void; expected: Partial<Finding>[] }[] = [
  { change: 'nothing', edit: () => {}, expected: [] },
  { change: 'a description', edit: (x) => (x.properties.port.description = 'Port to listen on'), expected: [] },
  {
    change: 'a removed key',
    edit: (x) => delete x.properties.host,
    expected: [b('host', 'a key was removed', 'was string')],
  },
  {
    change: 'a new key with a default',
    edit: (x) => (x.properties.timeout = { type: 'number', default: 1.5 }),
    expected: [s('timeout', 'a key was added', 'default 1.5')],
  },
  {
    change: 'a new optional key without default',
    edit: (x) => (x.properties.uuid = { type: 'string' }),
    expected: [s('uuid', 'a key was added', 'optional')],
  },
  {
    change: 'a new required key without default',
    edit: (x) =>
      Object.assign(x, { required: ['uuid'] }, { properties: { ...x.properties, uuid: { type: 'string' } } }),
    expected: [b('uuid', 'a new key is required and has no default')],
  },
  {
    change: 'a new required key with a default',
    edit: (x) =>
      Object.assign(
        x,
        { required: ['uuid'] },
        { properties: { ...x.properties, uuid: { type: 'string', default: 'u' } } },
      ),
    expected: [s('uuid', 'a key was added', 'default "u"')],
  },
  {
    change: 'an existing key made required',
    edit: (x) => (x.required = ['token']),
    expected: [b('token', 'a key became required and has no default')],
  },
  {
    change: 'a union narrowed',
    edit: (x) => (x.properties.bus.properties.port.type = 'integer'),
    expected: [b('bus.port', 'a type was narrowed', 'integer | string → integer')],
  },
  {
    change: 'integer widened to number',
    edit: (x) => (x.properties.port.type = 'number'),
    expected: [s('port', 'a type was widened', 'integer → number')],
  },
  {
    change: 'null no longer accepted',
    edit: (x) => Object.assign(x.properties.prefix, { type: 'string', default: '/api' }),
    expected: [
      b('prefix', 'a type was narrowed', 'string | null → string'),
      b('prefix', 'the default changed', 'null → "/api"'),
    ],
  },
  {
    change: 'list items widened',
    edit: (x) => (x.properties.headers.items.type = ['string', 'integer']),
    expected: [s('headers', 'a type was widened', 'array<string> → array<string> | array<integer>')],
  },
  {
    change: 'list items changed',
    edit: (x) => (x.properties.headers.items.type = 'integer'),
    expected: [
      b('headers', 'a type was narrowed', 'array<string> → array<integer>'),
      s('headers', 'a type was widened', 'array<string> → array<integer>'),
    ],
  },
  {
    change: 'enum values removed and added',
    edit: (x) => (x.properties.level.enum = ['info', 'error', 'warning']),
    expected: [
      b('level', 'a constraint was added or tightened', 'enum lost "debug"'),
      s('level', 'a constraint was removed or relaxed', 'enum gained "warning"'),
    ],
  },
  {
    change: 'bounds moved',
    edit: (x) => Object.assign(x.properties.port, { minimum: 1024, maximum: undefined }),
    expected: [
      b('port', 'a constraint was added or tightened', 'minimum 1 → 1024'),
      s('port', 'a constraint was removed or relaxed', 'maximum 65535 → none'),
    ],
  },
  {
    change: 'a pattern added',
    edit: (x) => (x.properties.host.pattern = '^[a-z.]+$'),
    expected: [b('host', 'a constraint was added or tightened', 'pattern none → "^[a-z.]+$"')],
  },
  {
    change: 'a default changed',
    edit: (x) => (x.properties.port.default = 9001),
    expected: [b('port', 'the default changed', '9000 → 9001')],
  },
  {
    change: "a secret's default changed",
    edit: (x) => (x.properties.password.default = 'other'),
    expected: [b('password', 'the default changed', '***** → *****')],
  },
  {
    change: 'a default removed',
    edit: (x) => delete x.properties.host.default,
    expected: [b('host', 'the default was removed', 'was "localhost"')],
  },
  {
    change: 'a default added',
    edit: (x) => (x.properties.token.default = 'abc'),
    expected: [s('token', 'a default was added', '"abc"')],
  },
  {
    change: 'mutable → immutable',
    edit: (x) => delete x.properties.level['x-mutable'],
    expected: [b('level', 'a key became immutable')],
  },
  {
    change: 'immutable → mutable',
    edit: (x) => (x.properties.port['x-mutable'] = true),
    expected: [s('port', 'a key became mutable')],
  },
  {
    change: 'an explicit env name',
    edit: (x) => (x.properties.host['x-env'] = 'WAZO_X_HOSTNAME'),
    expected: [b('host', 'the environment variable name changed', 'WAZO_X_HOST → WAZO_X_HOSTNAME')],
  },
  {
    change: 'a renamed key (a Consul key and env name change are the same key removed and added)',
    edit: (x) => ((x.properties.hostname = x.properties.host), delete x.properties.host),
    expected: [b('host', 'a key was removed', 'was string'), s('hostname', 'a key was added', 'default "localhost"')],
  },
  {
    change: 'the env prefix, reported once',
    edit: (x) => (x['x-service'].envPrefix = 'WX'),
    expected: [b('(service)', 'the environment prefix changed', 'WAZO_X_* → WX_*')],
  },
  {
    change: 'the Consul prefix, reported once',
    edit: (x) => (x['x-service'].consulPrefix = 'config/x'),
    expected: [b('(service)', 'the Consul prefix changed', 'config/wazo-x/ → config/x/')],
  },
  {
    change: 'the Consul prefix moved and one key renamed by x-env',
    edit: (x) => ((x['x-service'].consulPrefix = 'config/x'), (x.properties.port['x-env'] = 'PORT')),
    expected: [
      b('(service)', 'the Consul prefix changed', 'config/wazo-x/ → config/x/'),
      b('port', 'the environment variable name changed', 'WAZO_X_PORT → PORT'),
    ],
  },
  {
    change: 'the conf.d directory',
    edit: (x) => (x['x-service'].configDir = '/etc/x/conf.d'),
    expected: [b('(service)', 'the conf.d directory changed', '/etc/wazo-x/conf.d → /etc/x/conf.d')],
  },
  {
    change: 'a secret made public',
    edit: (x) => delete x.properties.password['x-secret'],
    expected: [b('password', 'a secret key is no longer secret')],
  },
  {
    change: 'a key made secret',
    edit: (x) => (x.properties.host['x-secret'] = true),
    expected: [s('host', 'a key became secret')],
  },
  {
    change: 'a key deprecated',
    edit: (x) => (x.properties.host.deprecated = true),
    expected: [s('host', 'a key was deprecated')],
  },
  {
    change: "an open map's values",
    edit: (x) => (x.properties.plugins.additionalProperties = { type: 'string' }),
    expected: [b('plugins', 'a validation keyword changed that compat cannot classify')],
  },
  {
    change: 'an enum added to a secret: its accepted values are secret too',
    edit: (x) => (x.properties.password.enum = ['guest', 's3cr3t']),
    expected: [b('password', 'a constraint was added or tightened', 'enum added: *****')],
  },
  {
    change: 'a const changed on a secret',
    edit: (x) => (x.properties.password.const = 'guest'),
    expected: [b('password', 'a constraint was added or tightened', 'const none → *****')],
  },
  {
    change: 'a group turned into an open map',
    edit: (x) => (x.properties.bus = { type: 'object', additionalProperties: true, default: {} }),
    expected: [
      b('bus.host', 'a key was removed', 'was string'),
      b('bus.port', 'a key was removed', 'was integer | string'),
      s('bus', 'a key was added', 'default {}'),
    ],
  },
];

async function findings(old: Schema, updated: Schema): Promise<Partial<Finding>[]> {
  const dir = writeFiles({ 'old.json': JSON.stringify(old), 'new.json': JSON.stringify(updated) });
  const report = compare(await modelOf(join(dir, 'old.json'), dir), await modelOf(join(dir, 'new.json'), dir));
  return [...report.breaking, ...report.safe].map(({ hint: _hint, ...f }) => f);
}

describe('compat rules', () => {
  for (const row of TABLE) {
    it(row.change, async () => {
      const updated = structuredClone(BASE);
      row.edit(updated);
      const order = (list: Partial<Finding>[]) =>
        [...list].sort((x, y) => (x.kind! < y.kind! ? -1 : x.kind! > y.kind! ? 1 : 0));
      assert.deepEqual(await findings(BASE, updated), order(row.expected));
    });
  }

  it('resolves $ref relative to each file, so a split schema compares equal to the same one inline', async () => {
    const dir = writeFiles({
      'old/wazo-x.schema.json': JSON.stringify({
        ...BASE,
        properties: { ...BASE.properties, port: { $ref: 'common.json#/$defs/port' } },
      }),
      'old/common.json': JSON.stringify({ $defs: { port: BASE.properties.port } }),
      'new.json': JSON.stringify(BASE),
    });
    const report = compare(
      await modelOf(join(dir, 'old/wazo-x.schema.json'), dir),
      await modelOf(join(dir, 'new.json'), dir),
    );
    assert.deepEqual(report, { service: 'wazo-x', breaking: [], safe: [] });
  });
});

describe('wazo-config compat', () => {
  const schema = join(REPO, 'schemas/wazo-auth.schema.json');

  it('exits 0 with no breaking change, 1 with one, and prints each with a hint', () => {
    const dir = writeFiles({});
    copyFileSync(schema, join(dir, 'old.json'));
    const same = cli(dir, ['compat', 'old.json', schema]);
    assert.equal(same.status, 0, same.stderr);
    assert.equal(same.stdout, `wazo-auth: 0 breaking changes, 0 safe changes (old.json → ${schema})\n`);

    const updated = structuredClone(BASE);
    Object.assign(updated.properties.bus.properties.port, { type: 'integer', default: 5673 });
    updated.properties.extra = { type: 'boolean', default: false };
    writeFiles({ 'old.json': JSON.stringify(BASE), 'new.json': JSON.stringify(updated) }, dir);
    const breaking = cli(dir, ['compat', 'old.json', 'new.json']);
    assert.equal(breaking.status, 1);
    assert.equal(
      breaking.stdout,
      [
        'wazo-x: 2 breaking changes, 1 safe change (old.json → new.json)',
        'breaking:',
        '  bus.port: a type was narrowed: integer | string → integer (hint: values of the removed types that deployments set now fail validation)',
        '  bus.port: the default changed: 5672 → 5673 (hint: deployments that rely on the old default change behaviour: announce it, or set the old value where it matters)',
        'safe:',
        '  extra: a key was added: default false',
        '',
      ].join('\n'),
    );

    const json = cli(dir, ['compat', 'old.json', 'new.json', '--json']);
    assert.equal(json.status, 1);
    const report = JSON.parse(json.stdout) as { service: string; breaking: Finding[]; safe: Finding[] };
    assert.deepEqual(
      report.breaking.map((f) => [f.key, f.rule, f.detail]),
      [
        ['bus.port', 'a type was narrowed', 'integer | string → integer'],
        ['bus.port', 'the default changed', '5672 → 5673'],
      ],
    );
    assert.equal(report.safe.length, 1);
  });

  it('fails with the schema problems of an invalid file', () => {
    const dir = writeFiles({
      'old.json': JSON.stringify(BASE),
      'new.json': JSON.stringify({ ...BASE, properties: { port: { type: 'integr' } } }),
    });
    const result = cli(dir, ['compat', 'old.json', 'new.json']);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr.match(/^new\.json#.*$/gm)?.join('\n'),
      "new.json#/properties/port/type: unknown type 'integr' (did you mean 'integer'?)",
    );
  });
});
