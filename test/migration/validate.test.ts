/** `wazo-config validate`: the loader's messages, each with the file, line and column of its key. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cli } from '../helpers.ts';
import { writeFiles } from './helpers.ts';

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'wazo-x' },
  properties: {
    rest_api: {
      type: 'object',
      properties: {
        listen: { type: 'string', default: '0.0.0.0' },
        port: { type: 'integer', minimum: 1, default: 9000 },
      },
    },
    bus: {
      type: 'object',
      properties: {
        host: { type: 'string', default: 'localhost' },
        port: { type: 'integer', minimum: 1, default: 5672 },
      },
    },
    enabled_asterisk_modules: { type: 'object', additionalProperties: { type: 'boolean' }, default: {} },
    tags: { type: 'array', items: { type: 'string' }, default: [] },
    password: { type: 'string', 'x-secret': true, default: 'guest' },
  },
};

const FILES = {
  'schemas/wazo-x.schema.json': JSON.stringify(SCHEMA),
  'config.yml': [
    '# The REST API',
    'rest_api:',
    '  listen: 127.0.0.1',
    '  port: "95x"',
    'bus:',
    '  host: localhost',
    '  prot: 5672',
    'enabled_asterisk_modules:',
    '  app_amd.so: maybe',
    '',
  ].join('\n'),
  'conf.d/10-a.yml': 'bus:\n  port: -1\ntags: [a, 3]\n',
  'conf.d/20-b.yml': 'password: 1234\n',
};

describe('wazo-config validate', () => {
  it('prints every problem with its file, line and column, warnings apart, and exits 1', () => {
    const dir = writeFiles(FILES);
    // conf.d files are named in any order: the loader's order is by name.
    const result = cli(dir, ['validate', 'wazo-x', 'config.yml', 'conf.d/20-b.yml', 'conf.d/10-a.yml']);
    assert.equal(result.status, 1, result.stderr);
    assert.deepEqual(result.stdout.split('\n'), [
      'config.yml:7:3: warning: bus.prot (file config.yml): unknown key (hint: did you mean bus.port?)',
      'config.yml:4:3: error: rest_api.port (file config.yml): expected integer, got "95x" (hint: write a whole number such as 9000)',
      'conf.d/10-a.yml:2:3: error: bus.port (file conf.d/10-a.yml): expected a value >= 1, got -1 (hint: use a value inside the allowed range)',
      'config.yml:9:3: error: enabled_asterisk_modules.app_amd.so (file config.yml): expected boolean, got "maybe" (hint: write a JSON object such as {"name": true})',
      'conf.d/10-a.yml:3:11: error: tags.1 (file conf.d/10-a.yml): expected string, got 3 (hint: write a JSON list such as ["a", "b"], or a comma-separated list such as a,b)',
      'conf.d/20-b.yml:1:1: error: password (file conf.d/20-b.yml): expected string, got ***** (hint: write any text)',
      'wazo-x: 3 files, 5 errors, 1 warning',
      '',
    ]);
  });

  it('gives the same as JSON, and treats unknown keys as errors under --strict', () => {
    const dir = writeFiles({ ...FILES, 'config.yml': 'bus:\n  prot: 5672\n' });
    const result = cli(dir, ['validate', 'wazo-x', 'config.yml', '--strict', '--json']);
    assert.equal(result.status, 1);
    assert.deepEqual(JSON.parse(result.stdout), {
      service: 'wazo-x',
      files: ['config.yml'],
      valid: false,
      problems: [
        {
          key: 'bus.prot',
          source: 'file config.yml',
          message: 'unknown key',
          hint: 'did you mean bus.port?',
          severity: 'error',
          file: 'config.yml',
          line: 2,
          column: 3,
        },
      ],
    });
    const lenient = cli(dir, ['validate', 'wazo-x', 'config.yml']);
    assert.equal(lenient.status, 0, 'an unknown key alone is a warning');
    assert.equal(
      lenient.stdout,
      'config.yml:2:3: warning: bus.prot (file config.yml): unknown key (hint: did you mean bus.port?)\nwazo-x: 1 file, 0 errors, 1 warning\n',
    );
  });

  it('places YAML syntax errors and !exec files at their line, and runs !exec with --exec', () => {
    const dir = writeFiles({
      'schemas/wazo-x.schema.json': JSON.stringify(SCHEMA),
      'config.yml': 'rest_api:\n  port: 1\n   listen: x\n',
      'conf.d/50-exec.yml': '# made by wazo-confgen\n!exec\ncommand: "echo {bus: {port: 0}}"\n',
    });
    const result = cli(dir, ['validate', 'wazo-x', 'config.yml', 'conf.d/50-exec.yml']);
    assert.equal(result.status, 1);
    const lines = result.stdout.split('\n');
    // Where PyYAML places it too ("mapping values are not allowed here", line 3, column 10), said
    // once: not again as the key or the source.
    assert.match(
      lines[0]!,
      /^config\.yml:3:10: error: invalid YAML: bad indentation of a mapping entry[^]* \(hint: [^)]*\)$/,
    );
    assert.doesNotMatch(lines[0]!, /config\.yml:3:10 /);
    assert.equal(
      lines[1],
      'conf.d/50-exec.yml:3:1: error: !exec command "echo {bus: {port: 0}}" not run: running commands is off (hint: load with wazoCompat: { exec: true } to run it as Wazo does, or write its output into the file)',
    );

    const ran = cli(dir, ['validate', 'wazo-x', 'conf.d/50-exec.yml', '--exec']);
    assert.equal(
      ran.stdout.split('\n')[0],
      'conf.d/50-exec.yml: error: bus.port (file conf.d/50-exec.yml): expected a value >= 1, got 0 (hint: use a value inside the allowed range)',
    );
  });

  it('a named file that does not exist is an error', () => {
    const dir = writeFiles({ 'schemas/wazo-x.schema.json': JSON.stringify(SCHEMA), 'conf.d/10.yml': 'tags: [b]\n' });
    const result = cli(dir, ['validate', 'wazo-x', 'config.yml', 'conf.d/10.yml']);
    // A file named on the command line that is not there is a usage mistake: one line, exit 2.
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^wazo-config: no config file at \/\S*\/config\.yml\n$/);
  });

  it('says so when every file is valid, with --accumulate-lists as wazo-auth merges', () => {
    const dir = writeFiles({
      'schemas/wazo-x.schema.json': JSON.stringify(SCHEMA),
      'config.yml': 'tags: [a]\n',
      'conf.d/10.yml': 'tags: [b]\n',
    });
    const result = cli(dir, ['validate', 'wazo-x', 'config.yml', 'conf.d/10.yml', '--accumulate-lists']);
    assert.equal(result.status, 0, result.stdout);
    assert.equal(result.stdout, 'wazo-x: 2 files, 0 errors, 0 warnings\n');
  });
});
