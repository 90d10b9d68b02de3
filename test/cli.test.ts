/**
 * The command line anywhere: run where nothing is configured, every command says in one line what
 * it looked for and exits 2; `--schemas` (a folder or one file), `--out` and `wazo-config.json`
 * point it at a project laid out as a service's own repository would be.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, tempRoot } from './helpers.ts';

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  'x-service': { name: 'wazo-x' },
  type: 'object',
  properties: {
    bus: { type: 'object', properties: { port: { type: 'integer', default: 5672, description: 'Bus port.' } } },
  },
};

const env = { ...process.env, WAZO_CONFIG_ROOT: undefined };
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(files: Record<string, string> = {}): string {
  const dir = tempRoot();
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function oneLineUsage(result: { status: number; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line, got:\n${result.stderr}`);
  assert.match(result.stderr, /^wazo-config: /);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at |Options:/, 'no stack trace, no usage text');
}

describe('wazo-config from an empty folder', () => {
  const empty = folder();
  const commands: [string[], RegExp][] = [
    [[], /no command given; one of: generate, seed, diff, explain, validate, infer, compat/],
    [['generate'], /no schemas at .*\/schemas \(from the default <root>\/schemas\); point to them with --schemas/],
    [['generate', '--check'], /no schemas at/],
    [['seed', 'wazo-auth'], /no schemas at/],
    [['diff', 'wazo-auth'], /no schemas at/],
    [['explain', 'wazo-auth'], /no schemas at/],
    [['validate', 'wazo-auth', 'config.yml'], /no config file at .*\/config\.yml/],
    [['infer', 'config.yml', '--service', 'wazo-x'], /no config file at .*\/config\.yml/],
    [['compat', 'old.json', 'new.json'], /no schema file at .*\/old\.json, .*\/new\.json/],
    [['generate', '--schemas', 'nowhere'], /no schemas at .*\/nowhere \(from --schemas\)/],
    [['seed'], /Not enough non-option arguments/],
    [['generate', '--bogus'], /Unknown argument: bogus/],
  ];
  for (const [args, pattern] of commands) {
    it(`wazo-config ${args.join(' ')}: one line, exit 2`, () => oneLineUsage(cli(empty, args, env), pattern));
  }
});

describe('wazo-config pointed at a project', () => {
  it('generates from one schema file into --out, with no index across services, and --check agrees', () => {
    const dir = folder({ 'config/wazo-x.schema.json': JSON.stringify(SCHEMA) });
    const result = cli(dir, ['generate', '--schemas', 'config/wazo-x.schema.json', '--out', 'src/config'], env);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(existsSync(join(dir, 'src/config/wazo-x/config.ts')));
    assert.deepEqual(readdirSync(join(dir, 'src/config')), ['wazo-x'], 'a single schema writes only its own folder');
    assert.match(readFileSync(join(dir, 'src/config/wazo-x/config.ts'), 'utf8'), /from config\/wazo-x\.schema\.json/);
    const check = cli(
      dir,
      ['generate', '--check', '--schemas', 'config/wazo-x.schema.json', '--out', 'src/config'],
      env,
    );
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^src\/config\/ is up to date/);
  });

  it('reads its paths from wazo-config.json in the working directory; flags win', () => {
    const dir = folder({
      'wazo-config.json': JSON.stringify({ schemas: 'config', out: 'generated-config' }),
      'config/wazo-x.schema.json': JSON.stringify(SCHEMA),
      'config.yml': 'bus:\n  port: nope\n',
    });
    assert.equal(cli(dir, ['generate'], env).status, 0);
    assert.ok(existsSync(join(dir, 'generated-config/wazo-x/consul-seed.json')));
    const validate = cli(dir, ['validate', 'wazo-x', 'config.yml'], env);
    assert.equal(validate.status, 1);
    assert.match(validate.stdout, /^config\.yml:2:3: error: bus\.port \(file config\.yml\): expected integer/m);
    assert.equal(cli(dir, ['generate', '--out', 'elsewhere'], env).status, 0);
    assert.ok(existsSync(join(dir, 'elsewhere/wazo-x/config.ts')));
  });

  it('names what is wrong in a wazo-config.json, in one line', () => {
    oneLineUsage(
      cli(folder({ 'wazo-config.json': '{"schema": "config"}' }), ['generate'], env),
      /wazo-config\.json: unexpected schema; the keys are root, schemas, out/,
    );
    oneLineUsage(cli(folder({ 'wazo-config.json': '{' }), ['generate'], env), /wazo-config\.json: not valid JSON/);
  });
});
