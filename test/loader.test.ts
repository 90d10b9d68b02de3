import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigError, encode, type LoadOptions, type Resolved, type ServiceSpec } from '../generator/runtime/index.ts';
import { memoryLogger, readJson, REPO, tempProject, tempRoot, type TempProject } from './helpers.ts';
import { settingKey, takenValue } from './arbitrary-keys.ts';

type Config = Record<string, unknown> & { bus: Record<string, unknown> };
interface Loader {
  loadConfig(options?: LoadOptions): Promise<Config>;
  resolveConfigWithSources(options?: LoadOptions): Promise<Resolved<Config>>;
  service: ServiceSpec;
}

let project: TempProject;
let sample: Loader;
const none = { configFile: false, configDir: false } as const;

before(async () => {
  project = await tempProject({ 'wazo-sample': readJson(join(REPO, 'test/fixtures/schemas/wazo-sample.schema.json')) });
  sample = await project.loader<Loader>('wazo-sample');
});
after(() => project.cleanup());

function files(entries: Record<string, string>): string {
  const dir = tempRoot();
  for (const [name, text] of Object.entries(entries)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function problemsOf(options: LoadOptions): Promise<string[]> {
  const error = await sample.loadConfig({ logger: memoryLogger(), ...options }).then(
    () => assert.fail('expected a ConfigError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, String(error));
  return error.message
    .split('\n')
    .slice(1)
    .map((line) => line.replace(/^ {2}- /, ''));
}

describe('loadConfig', () => {
  it('gives the schema defaults with nothing else set', async () => {
    const config = await sample.loadConfig({ ...none, env: {} });
    assert.equal(config.port, 9000);
    assert.equal(config.prefix, null);
    assert.equal(config.sysconfd_port, '8668');
    assert.deepEqual(config.plugins, { a: true });
    assert.deepEqual(config.bus, {
      host: 'localhost',
      password: 'guest',
      token: null,
      'queue-log': { 'app_amd.so': true },
      'a/b': 'slash',
    });
    assert.equal('extra' in config, false, 'a leaf without default stays absent');
  });

  it('names env vars and Consul keys as envconsul would', () => {
    const bySetting = Object.fromEntries(sample.service.settings.map((s) => [s.path.join('.'), [s.env, s.consulKey]]));
    assert.deepEqual(bySetting['bus.queue-log.app_amd.so'], [
      'WAZO_SAMPLE_BUS_QUEUE_LOG_APP_AMD_SO',
      'config/wazo-sample/bus/queue-log/app_amd.so',
    ]);
    assert.deepEqual(bySetting['bus.a/b'], ['WAZO_SAMPLE_BUS_A_2FB', 'config/wazo-sample/bus/a%2Fb']);
  });

  it('applies file < conf.d < env < overrides, and remembers every source', async () => {
    const dir = files({
      'config.yml': 'port: 1000\nname: from-file\nbus:\n  host: file-host\nplugins:\n  b: false\n',
      'conf.d/10-a.yml': 'port: 1010\n',
      'conf.d/20-b.yml': 'port: 1020\nratio: 2.5\n',
      'conf.d/.hidden.yml': 'port: 1\n',
      'conf.d/30-c.yaml': 'port: 2\n',
    });
    const { config, tree } = await sample.resolveConfigWithSources({
      configFile: join(dir, 'config.yml'),
      configDir: join(dir, 'conf.d'),
      env: { WAZO_SAMPLE_NAME: 'from-env', WAZO_SAMPLE_TAGS: 'a, b' },
      overrides: { bus: { host: 'from-cli' } },
    });
    assert.equal(config.port, 1010, "Wazo's order: the alphabetically first conf.d file wins");
    assert.equal(config.ratio, 2.5);
    assert.equal(config.name, 'from-env');
    assert.deepEqual(config.tags, ['a', 'b']);
    assert.deepEqual(config.plugins, { a: true, b: false }, 'maps from files are deep-merged');
    assert.equal(config.bus.host, 'from-cli');
    assert.equal(tree.sourceOf(['port']), `file ${join(dir, 'conf.d/10-a.yml')}`);
    assert.equal(tree.sourceOf(['name']), 'env WAZO_SAMPLE_NAME');
    assert.equal(tree.sourceOf(['bus', 'host']), 'override');
    assert.equal(tree.sourceOf(['bus', 'password']), 'default');
    const last = await sample.loadConfig({
      configFile: false,
      configDir: join(dir, 'conf.d'),
      confdOrder: 'last-wins',
      env: {},
    });
    assert.equal(last.port, 1020);
  });

  it('lets env replace a whole map or list, and null erase a value', async () => {
    const dir = files({ 'config.yml': 'prefix: /api\n' });
    const config = await sample.loadConfig({
      configFile: join(dir, 'config.yml'),
      configDir: false,
      env: { WAZO_SAMPLE_PLUGINS: '{"z":false}', WAZO_SAMPLE_PREFIX: 'null', WAZO_SAMPLE_IDS: '[]' },
    });
    assert.deepEqual(config.plugins, { z: false });
    assert.equal(config.prefix, null);
    assert.deepEqual(config.ids, []);
  });

  it('warns of unknown keys with a guess, and fails on them under strict', async () => {
    const dir = files({ 'config.yml': 'prot: 1\nbus:\n  hots: x\n' });
    const logger = memoryLogger();
    await sample.loadConfig({
      configFile: join(dir, 'config.yml'),
      configDir: false,
      env: { WAZO_SAMPLE_PROT: '1' },
      logger,
    });
    const file = `file ${join(dir, 'config.yml')}`;
    assert.deepEqual(logger.lines, [
      'warn: wazo-sample: unknown environment variable WAZO_SAMPLE_PROT (did you mean WAZO_SAMPLE_PORT?)',
      `warn: wazo-sample: unknown key prot (${file}): did you mean port?`,
      `warn: wazo-sample: unknown key bus.hots (${file}): did you mean bus.host?`,
    ]);
    const problems = await problemsOf({ configFile: join(dir, 'config.yml'), configDir: false, env: {}, strict: true });
    assert.deepEqual(problems, [
      `prot (${file}): unknown key (hint: did you mean port?)`,
      `bus.hots (${file}): unknown key (hint: did you mean bus.host?)`,
    ]);
  });

  it('round-trips every leaf type through an env var (property)', async () => {
    // Text from the whole of Unicode, integers up to 2^53 − 1 with their edges.
    const text = fc.string({ unit: 'binary' });
    const int = fc.oneof(fc.maxSafeInteger(), fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0));
    const leaves = {
      name: text,
      port: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom(1, 65535)),
      ratio: fc.double({ min: 0, max: 1e9, noNaN: true }).filter((n) => !Object.is(n, -0)),
      debug: fc.boolean(),
      prefix: fc.option(text, { nil: null }),
      level: fc.constantFrom('debug', 'info', 'warning'),
      sysconfd_port: fc.oneof(
        int.filter((n) => n >= 1),
        fc.stringMatching(/^[0-9]+$/),
      ),
      tags: fc.array(text),
      ids: fc.array(int),
      plugins: fc.dictionary(settingKey, fc.boolean(), { noNullPrototype: true }),
      extra: fc
        .jsonValue()
        .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
        .filter(takenValue), // JSON has no -0
    };
    const specs = new Map(sample.service.settings.map((s) => [s.path.join('.'), s]));
    await fc.assert(
      fc.asyncProperty(fc.record(leaves), async (values) => {
        const env = Object.fromEntries(
          Object.entries(values).map(([key, value]) => {
            const spec = specs.get(key)!;
            return [spec.env, encode(value as never, spec)];
          }),
        );
        const config = await sample.loadConfig({ ...none, env });
        for (const [key, value] of Object.entries(values)) assert.deepEqual(config[key], value, key);
      }),
      { numRuns: 150 },
    );
  });
});

describe('bad values: every problem at once, each with key, source, value (masked if secret) and hint', () => {
  const cases: [string, Record<string, string>, string][] = [
    [
      'a word for an integer',
      { WAZO_SAMPLE_PORT: 'http' },
      'port (env WAZO_SAMPLE_PORT): expected an integer, got "http" (hint: write a whole number such as 9000)',
    ],
    [
      'a decimal for an integer',
      { WAZO_SAMPLE_PORT: '80.5' },
      'port (env WAZO_SAMPLE_PORT): expected an integer, got "80.5" (hint: write a whole number such as 9000)',
    ],
    [
      'a port out of range',
      { WAZO_SAMPLE_PORT: '70000' },
      'port (env WAZO_SAMPLE_PORT): expected a value <= 65535, got 70000 (hint: use a value inside the allowed range)',
    ],
    [
      'zero port',
      { WAZO_SAMPLE_PORT: '0' },
      'port (env WAZO_SAMPLE_PORT): expected a value >= 1, got 0 (hint: use a value inside the allowed range)',
    ],
    [
      'a negative number below minimum',
      { WAZO_SAMPLE_RATIO: '-1' },
      'ratio (env WAZO_SAMPLE_RATIO): expected a value >= 0, got -1 (hint: use a value inside the allowed range)',
    ],
    [
      'not a number',
      { WAZO_SAMPLE_RATIO: 'half' },
      'ratio (env WAZO_SAMPLE_RATIO): expected a number, got "half" (hint: write a number such as 0.5)',
    ],
    [
      'not a boolean',
      { WAZO_SAMPLE_DEBUG: 'maybe' },
      'debug (env WAZO_SAMPLE_DEBUG): expected a boolean, got "maybe" (hint: write true or false (also 1/0, yes/no, on/off))',
    ],
    [
      'a value outside the enum',
      { WAZO_SAMPLE_LEVEL: 'verbose' },
      'level (env WAZO_SAMPLE_LEVEL): expected one of "debug", "info", "warning", got "verbose" (hint: use one of the listed values)',
    ],
    [
      'a union string failing its pattern',
      { WAZO_SAMPLE_SYSCONFD_PORT: 'abc' },
      'sysconfd_port (env WAZO_SAMPLE_SYSCONFD_PORT): expected text matching ^[0-9]+$, got "abc" (hint: see the settings reference for this key)',
    ],
    [
      'a list item of the wrong type',
      { WAZO_SAMPLE_IDS: '1,two' },
      'ids (env WAZO_SAMPLE_IDS): expected a list, got "1,two" (hint: write a JSON list such as ["a", "b"], or a comma-separated list such as a,b)',
    ],
    [
      'broken JSON for a map',
      { WAZO_SAMPLE_PLUGINS: '{"a":' },
      'plugins (env WAZO_SAMPLE_PLUGINS): expected a map, got "{\\"a\\":" (hint: write a JSON object such as {"name": true})',
    ],
    [
      'a map value of the wrong type',
      { WAZO_SAMPLE_PLUGINS: '{"a":"yes"}' },
      'plugins.a (env WAZO_SAMPLE_PLUGINS): expected boolean, got "yes" (hint: write a JSON object such as {"name": true})',
    ],
    [
      'a list for a map',
      { WAZO_SAMPLE_PLUGINS: '[true]' },
      'plugins (env WAZO_SAMPLE_PLUGINS): expected a map, got "[true]" (hint: write a JSON object such as {"name": true})',
    ],
    [
      'a secret is masked',
      { WAZO_SAMPLE_BUS_TOKEN: 'hunter2' },
      'bus.token (env WAZO_SAMPLE_BUS_TOKEN): expected at least 8 characters, got ***** (hint: see the settings reference for this key)',
    ],
  ];
  for (const [name, env, expected] of cases) {
    it(name, async () => assert.deepEqual(await problemsOf({ ...none, env }), [expected]));
  }

  it('a secret in a file is masked too, and the file is named', async () => {
    const dir = files({ 'config.yml': 'bus:\n  password: [hunter2]\n' });
    const problems = await problemsOf({ configFile: join(dir, 'config.yml'), configDir: false, env: {} });
    assert.deepEqual(problems, [
      `bus.password (file ${join(dir, 'config.yml')}): expected string, got ***** (hint: write any text)`,
    ]);
    assert.ok(!problems.join('').includes('hunter2'));
  });

  it('a wrong type in a file names the file', async () => {
    const dir = files({ 'config.yml': 'port: "9000"\n' });
    assert.deepEqual(await problemsOf({ configFile: join(dir, 'config.yml'), configDir: false, env: {} }), [
      `port (file ${join(dir, 'config.yml')}): expected integer, got "9000" (hint: '9000' is quoted, so it is a string; write 9000 without quotes)`,
    ]);
  });

  it("a quoted 'no' for a boolean in a file: the hint says it is quoted, not how to spell a boolean", async () => {
    const dir = files({ 'config.yml': "debug: 'no'\n" });
    assert.deepEqual(await problemsOf({ configFile: join(dir, 'config.yml'), configDir: false, env: {} }), [
      `debug (file ${join(dir, 'config.yml')}): expected boolean, got "no" (hint: 'no' is quoted, so it is a string; write no without quotes)`,
    ]);
  });

  it('a group given a scalar', async () => {
    const dir = files({ 'config.yml': 'bus: localhost\n' });
    assert.deepEqual(await problemsOf({ configFile: join(dir, 'config.yml'), configDir: false, env: {} }), [
      `bus (file ${join(dir, 'config.yml')}): expected object, got "localhost" (hint: see the settings reference for this key)`,
    ]);
  });

  it('broken YAML names the file and line', async () => {
    const dir = files({ 'conf.d/10-x.yml': 'port: 1\n  bad: [\n' });
    const [problem] = await problemsOf({ configFile: false, configDir: join(dir, 'conf.d'), env: {} });
    assert.match(
      problem!,
      new RegExp(
        `^${join(dir, 'conf.d/10-x.yml')}:\\d+:\\d+ \\(file .*10-x.yml\\): invalid YAML: .+ \\(hint: fix the YAML syntax at that line\\)$`,
      ),
    );
  });

  it('a file whose top is not a mapping', async () => {
    const dir = files({ 'config.yml': '- a\n- b\n' });
    assert.deepEqual(await problemsOf({ configFile: join(dir, 'config.yml'), configDir: false, env: {} }), [
      `${join(dir, 'config.yml')} (file ${join(dir, 'config.yml')}): expected a mapping at the top of the file (hint: write key: value lines)`,
    ]);
  });

  it('lists every problem at once', async () => {
    const problems = await problemsOf({
      ...none,
      env: { WAZO_SAMPLE_PORT: 'x', WAZO_SAMPLE_DEBUG: 'x', WAZO_SAMPLE_LEVEL: 'x', WAZO_SAMPLE_RATIO: '-5' },
    });
    assert.equal(problems.length, 4);
    assert.deepEqual(
      problems.map((p) => p.split(' ')[0]),
      ['port', 'debug', 'ratio', 'level'],
    );
  });
});

describe('behaviours a Wazo operator relies on, with the real wazo-auth loader', () => {
  const auth = () => import('../generated/wazo-auth/config.ts');

  it("YAML 1.1 booleans in a config file (PyYAML's, as Wazo reads them) load as booleans", async () => {
    const { loadConfig } = await auth();
    const dir = tempRoot();
    const file = join(dir, 'config.yml');
    for (const [text, expected] of [
      ['yes', true],
      ['Yes', true],
      ['YES', true],
      ['on', true],
      ['ON', true],
      ['True', true],
      ['TRUE', true],
      ['no', false],
      ['No', false],
      ['off', false],
      ['Off', false],
      ['False', false],
      ['FALSE', false],
    ] as const) {
      writeFileSync(file, `debug: ${text}\n`);
      const config = await loadConfig({
        env: {},
        configFile: file,
        configDir: false,
        consul: false,
        logger: memoryLogger(),
      });
      assert.equal(config.debug, expected, `debug: ${text}`);
    }
  });

  it("another service's variables under a longer prefix (WAZO_AUTH_KEYS_… beside WAZO_AUTH_…) draw no warning unless close to a setting's name", async () => {
    const { loadConfig } = await auth();
    const logger = memoryLogger();
    await loadConfig({
      env: {
        WAZO_AUTH_KEYS_PATH: '/var/lib/wazo-auth-keys',
        WAZO_AUTH_KEYS_FOO: '1',
        // Measured on the whole name, the shared prefix made these "close" to CONSUL_HOST, REST_API_PORT, CONSUL_TOKEN.
        WAZO_AUTH_KEYS_BUS_HOST: 'rabbitmq',
        WAZO_AUTH_KEYS_AUTH_PORT: '9497',
        WAZO_AUTH_CLI_TOKEN: 'x',
        WAZO_AUTH_DEBUGG: '1',
      },
      ...none,
      consul: false,
      logger,
    });
    assert.deepEqual(
      logger.lines,
      ['warn: wazo-auth: unknown environment variable WAZO_AUTH_DEBUGG (did you mean WAZO_AUTH_DEBUG?)'],
      'only the real typo',
    );
  });
});

describe('a config file that does not exist', () => {
  it('named by the configFile option: one info line, and the other sources still apply', async () => {
    const dir = files({ 'conf.d/10.yml': 'port: 9001\n' });
    const logger = memoryLogger();
    const missing = join(dir, 'config.yml');
    const config = await sample.loadConfig({
      configFile: missing,
      configDir: join(dir, 'conf.d'),
      consul: false,
      env: {},
      logger,
    });
    assert.equal(config.port, 9001);
    assert.deepEqual(
      logger.lines.filter((l) => !l.startsWith('debug:')),
      [`info: wazo-sample: no config file at ${missing} (the configFile option names it); reading the other sources`],
    );
  });

  it("at the schema's default path: nothing said", async () => {
    const logger = memoryLogger();
    await sample.loadConfig({ configDir: false, consul: false, env: {}, logger });
    assert.deepEqual(
      logger.lines.filter((l) => !l.startsWith('debug:')),
      [],
    );
  });
});
