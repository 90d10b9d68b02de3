/**
 * Required settings without a default (a database URI, a service key), at any depth: generate
 * accepts them, the types say they are present, loading fails naming every place that can set
 * them, the docs and the env file mark them, and compat judges the schema as generate does.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compare, modelOf } from '../generator/compat/index.ts';
import { ConfigError, type LoadOptions } from '../generator/runtime/index.ts';
import { cli, memoryLogger, tempProject, tempRoot, type TempProject } from './helpers.ts';

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'wazo-req' },
  required: ['db_uri'],
  properties: {
    db_uri: { type: 'string', description: 'Database URI.' },
    debug: { type: 'boolean', default: false },
    database: { type: 'object', required: ['uri'], properties: { uri: { type: 'string' } } },
    auth: {
      type: 'object',
      required: ['key'],
      properties: { key: { type: 'string', 'x-secret': true }, port: { type: 'integer', default: 9497 } },
    },
  },
};

/** Every setting required: nothing can serve as the docs' example from a default. */
const ALL_REQUIRED = {
  type: 'object',
  'x-service': { name: 'wazo-all-required' },
  required: ['uri', 'token'],
  properties: { uri: { type: 'string', format: 'uri' }, token: { type: 'string', 'x-secret': true } },
};

interface Loader {
  loadConfig(options?: LoadOptions): Promise<Record<string, unknown>>;
}

let project: TempProject;
let loader: Loader;
before(async () => {
  project = await tempProject({ 'wazo-req': SCHEMA, 'wazo-all-required': ALL_REQUIRED });
  loader = await project.loader<Loader>('wazo-req');
});
after(() => project.cleanup());

const options = (extra: LoadOptions = {}): LoadOptions => ({
  configFile: false,
  configDir: false,
  consul: false,
  env: {},
  logger: memoryLogger(),
  ...extra,
});

describe('required settings without a default', () => {
  it('fail the load, each with the env variable, the Consul key and the file that can set it', async () => {
    const error = await loader.loadConfig(options({ configFile: '/etc/wazo-req/config.yml' })).then(
      () => assert.fail('expected a ConfigError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.message.split('\n'), [
      'wazo-req: invalid configuration (3 problems):',
      '  - db_uri (nothing): required, not set (hint: set WAZO_REQ_DB_URI, or Consul config/wazo-req/db_uri, or db_uri in /etc/wazo-req/config.yml)',
      // The whole group is absent: the validator alone would say nothing.
      '  - database.uri (nothing): required, not set (hint: set WAZO_REQ_DATABASE_URI, or Consul config/wazo-req/database/uri, or database.uri in /etc/wazo-req/config.yml)',
      '  - auth.key (nothing): required, not set (hint: set WAZO_REQ_AUTH_KEY, or Consul config/wazo-req/auth/key, or auth.key in /etc/wazo-req/config.yml)',
    ]);
  });

  it('load once every source sets them, and are then present', async () => {
    const file = join(project.root, 'config.yml');
    writeFileSync(file, 'database:\n  uri: postgresql://db/asterisk\n');
    const config = await loader.loadConfig(
      options({ configFile: file, env: { WAZO_REQ_DB_URI: 'postgresql://db/x', WAZO_REQ_AUTH_KEY: 's3cret' } }),
    );
    assert.deepEqual(config, {
      db_uri: 'postgresql://db/x',
      debug: false,
      database: { uri: 'postgresql://db/asterisk' },
      auth: { key: 's3cret', port: 9497 },
    });
  });

  it('are typed as present, at any depth', () => {
    const types = readFileSync(join(project.root, 'generated/wazo-req/config.ts'), 'utf8');
    assert.match(types, /^ {2}db_uri: string;$/m);
    assert.match(types, /^ {2}database: Database;$/m);
    assert.match(types, /^ {2}uri: string;$/m);
    assert.match(types, /^ {2}key: string;$/m);
  });

  it('are marked required in the README, the env file and the docs index', () => {
    const readme = readFileSync(join(project.root, 'generated/wazo-req/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('#### `db_uri`'), readme.indexOf('#### `debug`'));
    assert.match(section, /^- Default: none — \*\*required\*\*: every deployment sets it/m);
    const env = readFileSync(join(project.root, 'generated/wazo-req/wazo-req.env'), 'utf8');
    assert.match(env, /^# db_uri · a string · REQUIRED: no default, the service does not start until it is set/m);
    assert.match(env, /^# WAZO_REQ_DB_URI=$/m, 'commented out: an empty value would set the empty string');
    assert.match(env, /^# debug · a boolean · default false/m);
    const index = readFileSync(join(project.root, 'generated/docs/index.html'), 'utf8');
    assert.match(index, /"key": "db_uri",(?:(?!"anchor")[\s\S])*"required": true/);
    assert.doesNotMatch(index, /"key": "debug",(?:(?!"anchor")[\s\S])*"required"/);
  });

  it('a schema whose settings are all required generates, its docs example set to a value of its type', () => {
    const readme = readFileSync(join(project.root, 'generated/wazo-all-required/README.md'), 'utf8');
    assert.match(readme, /consul kv put config\/wazo-all-required\/uri https:\/\/example\.com/);
  });

  it('compat accepts the schema generate accepts, and flags a newly required key', async () => {
    const path = join(project.root, 'schemas/wazo-req.schema.json');
    const old = join(project.root, 'old.schema.json');
    writeFileSync(
      old,
      JSON.stringify({
        ...SCHEMA,
        required: [],
        properties: { ...SCHEMA.properties, database: { type: 'object', properties: { uri: { type: 'string' } } } },
      }),
    );
    const report = compare(await modelOf(old, project.root), await modelOf(path, project.root));
    assert.deepEqual(
      report.breaking.map((f) => `${f.key}: ${f.rule}`),
      ['db_uri: a key became required and has no default', 'database.uri: a key became required and has no default'],
    );
    const result = cli(project.root, ['compat', old, path], { ...process.env, WAZO_CONFIG_ROOT: project.root });
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr, '');
  });
});

describe('generate never throws past the CLI', () => {
  it('a property named "" or ".." is refused with its pointer', async () => {
    const broken = { root: tempRoot(), cleanup: () => {} };
    broken.cleanup = () => rmSync(broken.root, { recursive: true, force: true });
    mkdirSync(join(broken.root, 'schemas'));
    try {
      const schema = {
        type: 'object',
        'x-service': { name: 'wazo-x' },
        properties: {
          '': { type: 'string', default: 'a' },
          g: { type: 'object', properties: { '..': { type: 'integer', default: 1 } } },
        },
      };
      writeFileSync(join(broken.root, 'schemas/wazo-x.schema.json'), JSON.stringify(schema));
      const result = cli(broken.root, ['generate'], { ...process.env, WAZO_CONFIG_ROOT: broken.root });
      assert.equal(result.status, 1);
      assert.deepEqual(result.stderr.trim().split('\n'), [
        'schemas/wazo-x.schema.json#/properties/: a property name cannot be empty (name it: the name is the key in config files, a segment of the Consul key and part of the env name)',
        'schemas/wazo-x.schema.json#/properties/g/properties/..: a property name cannot be "." or ".." (rename it: as a Consul key segment, HTTP clients resolve it like a directory in the URL and read another key)',
        '2 problems; nothing was written.',
      ]);
    } finally {
      broken.cleanup();
    }
  });

  it('an internal failure is one line naming the schema, with neither usage text nor stack', async () => {
    const broken = await tempProject({
      'wazo-x': {
        type: 'object',
        'x-service': { name: 'wazo-x' },
        properties: { a: { type: 'string', default: 'a' } },
      },
    });
    try {
      // A project template the README emitter cannot fill: a failure no schema check foresees.
      mkdirSync(join(broken.root, 'templates/docs'), { recursive: true });
      writeFileSync(join(broken.root, 'templates/docs/service-readme.md'), '# {{title}} {{nothingFillsThis}}\n');
      const result = cli(broken.root, ['generate'], { ...process.env, WAZO_CONFIG_ROOT: broken.root });
      assert.equal(result.status, 70, result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(
        lines[0]!,
        /^internal error: schemas\/wazo-x\.schema\.json: the [\w-]+ output could not be generated: .+ \(WAZO_CONFIG_DEBUG=1 prints the stack\)$/,
      );
      assert.doesNotMatch(result.stderr, /Commands:|--help|at /);
    } finally {
      broken.cleanup();
    }
  });
});
