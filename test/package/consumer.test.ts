/**
 * wazo-config as a service's own repository uses it: `npm pack`, the tarball checked by publint
 * and arethetypeswrong, installed into a fresh project outside this repository (offline: from the
 * tarball and npm's cache, through a lockfile made from ours), one schema there, the CLI run with
 * `npx`, the generated loader compiled by the project's own `tsc` (module nodenext) and run by
 * plain `node` against a YAML file, env vars and the Consul-compatible test server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { REPO } from '../helpers.ts';

const exec = promisify(execFile);
const BIN = join(REPO, 'node_modules', '.bin');

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** A command in `cwd`, with only PATH and HOME of this environment (no WAZO_* of the machine), npm offline. */
async function run(cwd: string, command: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extraEnv,
  };
  try {
    const { stdout, stderr } = await exec(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number | string; stdout?: string; stderr?: string; message: string };
    return { status: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

async function ok(cwd: string, command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const result = await run(cwd, command, args, env);
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  'x-service': { name: 'wazo-demo' },
  type: 'object',
  properties: {
    debug: { type: 'boolean', default: false, 'x-mutable': true, description: 'Log debug messages.' },
    rest_api: {
      type: 'object',
      properties: {
        listen: { type: 'string', default: '127.0.0.1', description: 'Address to listen on.' },
        port: { type: 'integer', minimum: 1, maximum: 65535, default: 9497, description: 'Port to listen on.' },
      },
    },
    bus: {
      type: 'object',
      properties: {
        host: { type: 'string', default: 'localhost', description: 'RabbitMQ host.' },
        password: { type: 'string', default: 'guest', 'x-secret': true, description: 'RabbitMQ password.' },
      },
    },
    enabled_plugins: {
      type: 'object',
      additionalProperties: { type: 'boolean' },
      default: { api: true },
      description: 'Plugins to load.',
    },
  },
};

const MAIN_TS = `import { resolveConfigWithSources, type Config } from './config/wazo-demo/config.js';

const { config, tree } = await resolveConfigWithSources({ configFile: process.argv[2]!, configDir: false });
const port: number = config.rest_api.port;
const typed: Config = config;
console.log(JSON.stringify({ config: typed, port, sources: { debug: tree.sourceOf(['debug']), port: tree.sourceOf(['rest_api', 'port']), host: tree.sourceOf(['bus', 'host']) } }));
`;

const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    target: 'es2022',
    strict: true,
    outDir: 'dist',
    rootDir: 'src',
    types: ['node'],
    skipLibCheck: false,
  },
  include: ['src'],
};

/**
 * The consumer's lockfile: wazo-config from the tarball, and every other package at the version
 * and integrity our own lockfile pins (its production closure, plus typescript and @types/node),
 * so that `npm ci --offline` installs from npm's cache, which `npm ci` of this repo filled.
 */
function consumerLock(tarball: string): { packageJson: object; lock: object } {
  const ours = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, Record<string, unknown>>;
  };
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  const tools = ['typescript', '@types/node', 'undici-types'];
  const file = `file:${tarball}`;
  const dependencies: Record<string, string> = {
    'wazo-config': file,
    typescript: String(ours.packages['node_modules/typescript']!.version),
    '@types/node': String(ours.packages['node_modules/@types/node']!.version),
  };
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies },
    'node_modules/wazo-config': {
      version: pkg.version,
      resolved: file,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      dependencies: pkg.dependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(ours.packages)) {
    if (path === '') continue;
    const top = path.replace(/^node_modules\//, '').split('/node_modules/')[0]!;
    if (entry.dev && !tools.includes(top)) continue;
    const { dev: _dev, devOptional: _devOptional, ...rest } = entry;
    packages[path] = rest;
  }
  return {
    packageJson: { name: 'consumer', private: true, type: 'module', dependencies },
    lock: { name: 'consumer', lockfileVersion: 3, requires: true, packages },
  };
}

describe('wazo-config installed from its tarball into a service repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'wazo-config-consumer-'));
  const app = join(work, 'wazo-demo');
  let tarball = '';
  let packed: string[] = [];
  let consul: ConsulTestServer;
  let consulEnv: Record<string, string>;

  before(async () => {
    consul = await startConsulServer();
    consulEnv = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(consul.port) };
    // prepack builds dist/ first.
    const pack = await ok(REPO, 'npm', ['pack', '--json', '--pack-destination', work]);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    tarball = join(work, info!.filename);
    packed = info!.files.map((f) => f.path).sort();
    mkdirSync(join(app, 'schemas'), { recursive: true });
    const { packageJson, lock } = consumerLock(tarball);
    writeFileSync(join(app, 'package.json'), JSON.stringify(packageJson, null, 2));
    writeFileSync(join(app, 'package-lock.json'), JSON.stringify(lock, null, 2));
    await ok(app, 'npm', ['ci', '--offline', '--ignore-scripts']);
    writeFileSync(join(app, 'schemas', 'wazo-demo.schema.json'), JSON.stringify(SCHEMA, null, 2));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    writeFileSync(join(app, 'config.yml'), 'debug: yes\nrest_api:\n  port: 1111\n');
  });
  after(async () => {
    await consul?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('packs only the compiled CLI and runtime (and its bundle), their declarations, the templates, README and LICENSE', () => {
    const allowed =
      /^(package\.json|README\.md|LICENSE|bin\/wazo-config\.js|dist\/generator\/.+\.(js|d\.ts)|dist\/runtime\/[\w-]+\.js(\.map)?|templates\/(deploy|docs)\/[^/]+)$/;
    assert.deepEqual(
      packed.filter((path) => !allowed.test(path)),
      [],
      'files a user does not need',
    );
    for (const needed of [
      'bin/wazo-config.js',
      'dist/generator/cli.js',
      'dist/generator/runtime/index.js',
      'dist/generator/runtime/index.d.ts',
      'dist/runtime/index.js',
      'dist/generator/runtime/ajv/ucs2length.js',
      'dist/generator/runtime/ajv/formats.js',
      'templates/docs/index.html',
      'templates/deploy/service.env',
      'LICENSE',
      'README.md',
    ]) {
      assert.ok(packed.includes(needed), `${needed} is packed`);
    }
  });

  it('passes publint and arethetypeswrong', async () => {
    await ok(work, join(BIN, 'publint'), ['run', tarball, '--strict']);
    await ok(work, join(BIN, 'attw'), [tarball, '--profile', 'esm-only']);
  });

  it('generates with npx, compiles with the service’s tsc and loads file < Consul < env under plain node', async () => {
    const generated = await ok(app, 'npx', [
      'wazo-config',
      'generate',
      '--schemas',
      'schemas/wazo-demo.schema.json',
      '--out',
      'src/config',
    ]);
    assert.match(generated.stdout, /written/);
    writeFileSync(join(app, 'src', 'main.ts'), MAIN_TS);
    await ok(app, 'npx', ['tsc', '-p', '.']);
    assert.ok(
      readdirSync(join(app, 'dist', 'config', 'wazo-demo')).includes('validate.js'),
      'the validator is compiled with the loader',
    );
    consul.kv.put('config/wazo-demo/rest_api/port', '2222');
    const loaded = await ok(app, 'node', ['dist/main.js', 'config.yml'], {
      ...consulEnv,
      WAZO_DEMO_BUS_HOST: 'rabbitmq',
    });
    const { config, sources } = JSON.parse(loaded.stdout) as {
      config: Record<string, Record<string, unknown>>;
      sources: Record<string, string>;
    };
    assert.equal(config.debug, true, 'YAML 1.1 yes');
    assert.deepEqual(config.rest_api, { listen: '127.0.0.1', port: 2222 });
    assert.deepEqual(config.bus, { host: 'rabbitmq', password: 'guest' });
    assert.deepEqual(sources, {
      debug: 'file config.yml',
      port: 'consul config/wazo-demo/rest_api/port',
      host: 'env WAZO_DEMO_BUS_HOST',
    });
    const invalid = await run(app, 'node', ['dist/main.js', 'config.yml'], { WAZO_DEMO_REST_API_PORT: '0' });
    assert.notEqual(invalid.status, 0);
    assert.match(invalid.stderr, /rest_api\.port \(env WAZO_DEMO_REST_API_PORT\): expected a value >= 1/);
  });

  it('runs validate, seed, diff and explain with npx, paths from wazo-config.json', async () => {
    writeFileSync(join(app, 'wazo-config.json'), JSON.stringify({ schemas: 'schemas', out: 'src/config' }));
    const valid = await ok(app, 'npx', ['wazo-config', 'validate', 'wazo-demo', 'config.yml']);
    assert.match(valid.stdout, /wazo-demo: 1 file, 0 errors, 0 warnings/);
    consul.kv.delete('config/wazo-demo/', { recurse: true });
    const seeded = await ok(
      app,
      'npx',
      ['wazo-config', 'seed', 'wazo-demo', '--defaults', '--config-file', 'none.yml', '--config-dir', 'none.d'],
      consulEnv,
    );
    assert.match(seeded.stdout, /wazo-demo: created 6, unchanged 0, kept 0/);
    assert.equal(consul.kv.value('config/wazo-demo/rest_api/port'), '9497');
    consul.kv.put('config/wazo-demo/rest_api/port', '2222');
    const diff = await ok(app, 'npx', ['wazo-config', 'diff', 'wazo-demo'], consulEnv);
    assert.match(diff.stdout, /changed {2}config\/wazo-demo\/rest_api\/port: 2222 \(default 9497\)/);
    const explained = await ok(
      app,
      'npx',
      ['wazo-config', 'explain', 'wazo-demo', '--config-file', 'config.yml', '--config-dir', 'conf.d', '--json'],
      consulEnv,
    );
    const rows = (JSON.parse(explained.stdout) as { settings: { key: string; value?: unknown; source: string }[] })
      .settings;
    assert.deepEqual(
      rows.find((r) => r.key === 'rest_api.port'),
      { key: 'rest_api.port', value: 2222, source: 'consul config/wazo-demo/rest_api/port' },
    );
    assert.deepEqual(
      rows.find((r) => r.key === 'bus.password'),
      { key: 'bus.password', value: '*****', source: 'consul config/wazo-demo/bus/password' },
    );
  });

  it('emits config.js + config.d.ts with --js, which plain node runs and tsc type-checks', async () => {
    await ok(app, 'npx', ['wazo-config', 'generate', '--js', '--out', 'lib/config']);
    const files = readdirSync(join(app, 'lib', 'config', 'wazo-demo'));
    for (const file of ['config.js', 'config.d.ts', 'validate.js', 'validate.d.ts'])
      assert.ok(files.includes(file), file);
    assert.ok(!files.includes('config.ts'));
    writeFileSync(
      join(app, 'lib', 'main.js'),
      "import { loadConfig } from './config/wazo-demo/config.js';\nconsole.log(JSON.stringify(await loadConfig({ configFile: 'config.yml', configDir: false })));\n",
    );
    const loaded = await ok(app, 'node', ['lib/main.js'], { WAZO_DEMO_BUS_HOST: 'rabbitmq' });
    assert.equal((JSON.parse(loaded.stdout) as { bus: { host: string } }).bus.host, 'rabbitmq');
    writeFileSync(
      join(app, 'lib', 'typed.ts'),
      "import { loadConfig } from './config/wazo-demo/config.js';\nconst port: number = (await loadConfig()).rest_api.port;\nexport { port };\n",
    );
    await ok(app, 'npx', [
      'tsc',
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      'lib/typed.ts',
    ]);
  });
});
