/**
 * The file source's Wazo compatibility (LoadOptions.wazoCompat), off by default: `!exec` files run
 * with real commands, and wazo-auth's accumulating list merge (SEMANTICS.md §1–2).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import {
  chainMap,
  ConfigError,
  resolveConfig,
  type LoadOptions,
  type Resolved,
  type ServiceSpec,
} from '../../generator/runtime/index.ts';
import { CORPUS, memoryLogger, REPO } from '../helpers.ts';
import { specOf, writeFiles } from './helpers.ts';

const strings = { type: 'array', items: { type: 'string' } };
const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'wazo-compat' },
  properties: {
    key: { type: ['array', 'null'], items: { type: 'string' }, default: ['from-default'] },
    rest_api: {
      type: 'object',
      properties: { port: { type: 'integer', default: 9000 }, authorized_subnets: { ...strings, default: [] } },
    },
    general: { type: 'object', properties: { advertised_http_url: { type: ['string', 'null'], default: null } } },
    policies: {
      type: 'object',
      default: {},
      additionalProperties: { type: 'object', properties: { description: { type: 'string' }, acl: strings } },
    },
  },
};

let spec: ServiceSpec;
before(async () => {
  spec = await specOf(SCHEMA);
});

const load = (dir: string, options: LoadOptions = {}) =>
  resolveConfig<Record<string, unknown>>(spec, {
    configFile: join(dir, 'config.yml'),
    configDir: join(dir, 'conf.d'),
    consul: false,
    env: {},
    logger: memoryLogger(),
    ...options,
  });

async function problemsOf(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => assert.fail('expected a ConfigError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, String(error));
  return error.problems.map((p) => `${p.key}: ${p.message}`);
}

/** A script that prints YAML built from its arguments, as `wazo-confgen` prints config for `!exec`. */
const PRINTER = `#!/bin/sh
printf 'general:\\n  advertised_http_url: "http://%s"\\nrest_api:\\n  authorized_subnets: [10.0.0.0/8]\\n  port: %s\\n' "$1" "$#"
`;
const FAILING = `#!/bin/sh
echo 'connecting to the database' >&2
echo 'database unreachable' >&2
exit 3
`;

describe('!exec files (wazoCompat.exec)', () => {
  it('runs the command, split on single spaces with no shell, and reads its output as YAML', async () => {
    const dir = writeFiles({ 'print.sh': PRINTER, 'config.yml': 'rest_api:\n  port: 1\n' });
    writeFiles({ 'conf.d/50-network.yml': `!exec\ncommand: ${join(dir, 'print.sh')} $HOME:8667  two\n` }, dir);
    const { config, tree } = await load(dir, { wazoCompat: { exec: true } });
    assert.deepEqual(config.general, { advertised_http_url: 'http://$HOME:8667' }, 'no shell: $HOME is not expanded');
    assert.deepEqual(
      config.rest_api,
      { port: 3, authorized_subnets: ['10.0.0.0/8'] },
      "'a  b'.split(' ') is three arguments, the middle one empty",
    );
    assert.equal(tree.sourceOf(['rest_api', 'port']), `file ${join(dir, 'conf.d/50-network.yml')}`);
  });

  it('works in the main config file and on a nested node', async () => {
    const dir = writeFiles({ 'print.sh': PRINTER });
    writeFiles({ 'config.yml': `rest_api:\n  port: 7\npolicies: !exec\n  command: ${join(dir, 'print.sh')} x\n` }, dir);
    const { config } = await load(dir, { wazoCompat: { exec: true } });
    assert.equal((config.rest_api as { port: number }).port, 7);
    // Under a key the output stands for that key's value, as PyYAML's constructor makes it.
    assert.deepEqual(config.policies, {
      general: { advertised_http_url: 'http://x' },
      rest_api: { authorized_subnets: ['10.0.0.0/8'], port: 1 },
    });
  });

  it('is off by default: an !exec file is a problem that names the file and the command', async () => {
    const dir = writeFiles({ 'conf.d/50-authorized-subnets.yml': '!exec\ncommand: wazo-confgen phoned/config.yml\n' });
    assert.deepEqual(await problemsOf(load(dir)), [
      `${join(dir, 'conf.d/50-authorized-subnets.yml')}:2: !exec command "wazo-confgen phoned/config.yml" not run: running commands is off`,
    ]);
  });

  it('reports a failing command with its exit status and last line of stderr, a missing one, and bad output', async () => {
    const dir = writeFiles({ 'fail.sh': FAILING, 'bad.sh': '#!/bin/sh\necho "a: [unclosed"\n' });
    writeFiles(
      {
        'conf.d/10-fail.yml': `# generated\n!exec\ncommand: ${join(dir, 'fail.sh')} phoned/config.yml\n`,
        'conf.d/20-missing.yml': '!exec\ncommand: no-such-wazo-command x\n',
        'conf.d/30-bad.yml': `!exec\ncommand: ${join(dir, 'bad.sh')}\n`,
      },
      dir,
    );
    const [failing, missing, bad, ...more] = (await problemsOf(load(dir, { wazoCompat: { exec: true } }))).sort();
    assert.equal(
      failing,
      `${join(dir, 'conf.d/10-fail.yml')}:3: !exec command "${join(dir, 'fail.sh')} phoned/config.yml" failed: exited with status 3: database unreachable`,
    );
    assert.equal(
      missing,
      `${join(dir, 'conf.d/20-missing.yml')}:2: !exec command "no-such-wazo-command x" failed: command not found: "no-such-wazo-command"`,
    );
    assert.ok(
      bad!.startsWith(
        `${join(dir, 'conf.d/30-bad.yml')}:2: !exec command "${join(dir, 'bad.sh')}" printed invalid YAML: deficient indentation at line 2`,
      ),
      bad,
    );
    assert.deepEqual(more, []);
  });

  it('reads an !exec mapping without command as nothing, as Wazo does', async () => {
    const dir = writeFiles({ 'conf.d/10-empty.yml': '!exec\nother: 1\n' });
    const { config } = await load(dir, { wazoCompat: { exec: true } });
    assert.deepEqual(config.rest_api, { port: 9000, authorized_subnets: [] });
  });
});

describe('accumulating lists (wazoCompat.accumulateLists)', () => {
  it("SEMANTICS.md's example: ALChainMap(one_item, two_items)['key'] == ['item', 'items', 'items']", () => {
    const { merged } = chainMap([{ key: ['item'] }, { key: ['items', 'items'] }], { accumulateLists: true });
    assert.deepEqual(merged.key, ['item', 'items', 'items']);
    assert.deepEqual(
      chainMap([{ key: ['item'] }, { key: ['items', 'items'] }]).merged.key,
      ['item'],
      'plain ChainMap: the first list wins',
    );
    assert.equal(
      chainMap([{ key: null }, { key: { subkey: 'value' } }]).merged.key,
      null,
      'test_overriding_none_with_dict_gives_none',
    );
  });

  it('concatenates conf.d and config.yml lists, higher priority first, in either conf.d order', async () => {
    const dir = writeFiles({
      'config.yml': 'key: [items, items]\n',
      'conf.d/10-a.yml': 'key: [item]\n',
      'conf.d/20-b.yml': 'key: [b]\n',
    });
    const first = await load(dir, { wazoCompat: { accumulateLists: true } });
    assert.deepEqual(first.config.key, ['item', 'b', 'items', 'items']);
    assert.equal(
      first.tree.sourceOf(['key']),
      ['conf.d/10-a.yml', 'conf.d/20-b.yml', 'config.yml'].map((f) => `file ${join(dir, f)}`).join(' + '),
    );
    const last = await load(dir, { wazoCompat: { accumulateLists: true }, confdOrder: 'last-wins' });
    assert.deepEqual(last.config.key, ['b', 'item', 'items', 'items']);
    const off = await load(dir);
    assert.deepEqual(off.config.key, ['item'], 'off by default: the first conf.d file wins');
  });

  it("still replaces the defaults' lists, and a null in between does not stop the accumulation (as in Python)", async () => {
    const confdOnly = writeFiles({ 'conf.d/10-a.yml': 'key: [a]\n' });
    assert.deepEqual((await load(confdOnly, { wazoCompat: { accumulateLists: true } })).config.key, ['a']);
    const withNull = writeFiles({
      'config.yml': 'key: [c]\n',
      'conf.d/10-a.yml': 'key: [a]\n',
      'conf.d/20-b.yml': 'key: null\n',
    });
    assert.deepEqual((await load(withNull, { wazoCompat: { accumulateLists: true } })).config.key, ['a', 'c']);
  });

  it("accumulates wazo-auth's ACLs across its conf.d files (wazo-auth-keys' shipped file) and config.yml", async () => {
    type Auth = {
      default_policies: Record<string, { acl: string[]; description: string }>;
      rest_api: { cors: { allow_headers: string[] } };
    };
    const auth = (await import(join(REPO, 'generated/wazo-auth/config.ts'))) as {
      resolveConfigWithSources(o: LoadOptions): Promise<Resolved<Auth>>;
    };
    const shipped = readFileSync(
      join(CORPUS, 'wazo-auth-keys/shipped-into-wazo-auth-conf.d/50-wazo-default.yml'),
      'utf8',
    );
    const dir = writeFiles({
      'conf.d/50-wazo-default.yml': shipped,
      'conf.d/40-site.yml':
        'default_policies:\n  wazo_default_user_policy:\n    acl: [site.extra.read]\nrest_api:\n  cors:\n    allow_headers: [X-Site]\n',
    });
    const options = {
      configFile: join(CORPUS, 'wazo-auth/config.yml'),
      configDir: join(dir, 'conf.d'),
      consul: false as const,
      env: {},
      logger: memoryLogger(),
    };
    const shippedAcl = (/acl:\n((?: {6}- .*\n)+)/.exec(shipped)![1]!.match(/'[^']*'/g) ?? []).map((s) =>
      s.slice(1, -1),
    );
    const policy = (config: Auth) => config.default_policies.wazo_default_user_policy!;

    const on = (await auth.resolveConfigWithSources({ ...options, wazoCompat: { accumulateLists: true } })).config;
    assert.deepEqual(policy(on).acl, ['site.extra.read', ...shippedAcl]);
    assert.equal(policy(on).description, 'Default Wazo policy for user');
    assert.deepEqual(on.rest_api.cors.allow_headers, [
      'X-Site',
      'Content-Type',
      'Authorization',
      'X-Auth-Token',
      'Wazo-Tenant',
      'Wazo-Session-Type',
    ]);

    const off = (await auth.resolveConfigWithSources(options)).config;
    assert.deepEqual(policy(off).acl, ['site.extra.read']);
  });
});
