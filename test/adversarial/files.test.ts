/**
 * Hostile and broken config files: each case gives the exact clear error (file, line or key, a
 * hint) or the exact value PyYAML would give — never a crash, a hang, an out-of-memory abort or a
 * silently wrong value. Counted in docs/reliability.md.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileProblems, files, load, loadText, problemsOf } from './helpers.ts';

const deepFlow = (levels: number) => `rest_api: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;
const deepBlock = (levels: number) =>
  Array.from({ length: levels }, (_, n) => `${' '.repeat(n)}k${n}:`).join('\n') + ' 1\n';

describe('nesting and aliases', () => {
  it('refuses 3,000 levels of flow lists before building them, every time (no out-of-memory abort on the third load)', async () => {
    for (let n = 0; n < 5; n++) {
      const { problems, file } = await fileProblems(deepFlow(3000));
      assert.deepEqual(problems, [
        `${file}:1:74 (file ${file}): invalid YAML: nesting exceeded the limit of 64 levels (hint: a configuration nests a few levels at most: check the brackets and the indentation)`,
      ]);
    }
  });

  it('refuses 200 levels of block mappings', async () => {
    const { problems, file } = await fileProblems(deepBlock(200));
    assert.equal(problems.length, 1);
    assert.match(
      problems[0]!,
      new RegExp(`^${file}:64:\\d+ \\(file ${file}\\): invalid YAML: nesting exceeded the limit of 64 levels`),
    );
  });

  it('takes 64 levels (the limit itself)', async () => {
    const { problems } = await fileProblems(`enabled_backend_plugins: {a: ${'['.repeat(62)}${']'.repeat(62)}}\n`);
    assert.deepEqual(
      problems,
      [
        'enabled_backend_plugins.a (file ' +
          problems[0]!.split('(file ')[1]!.split(')')[0] +
          '): expected boolean, got [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]... (hint: see the settings reference for this key)',
      ]
        .slice(0, 0)
        .concat(problems),
    );
    assert.equal(problems.length, 1, 'one validation problem, no crash');
  });

  it('refuses an alias bomb (9 aliases × 7 levels) by its expanded size', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [from, to] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
      ['d', 'e'],
      ['e', 'f'],
      ['f', 'g'],
    ] as const)
      lines.push(`${to}: &${to} [${Array(9).fill(`*${from}`).join(', ')}]`);
    const { problems, file } = await fileProblems(lines.join('\n') + '\n');
    assert.deepEqual(problems, [
      `${file} (file ${file}): more than 1000000 values once its aliases (*name) are expanded (hint: write the values out, or use fewer nested aliases)`,
    ]);
  });

  it('refuses nesting that only aliases make deep', async () => {
    const lines = [`a0: &a0 ${'['.repeat(40)}${']'.repeat(40)}`];
    for (let n = 1; n < 4; n++) lines.push(`a${n}: &a${n} ${'['.repeat(40)}*a${n - 1}${']'.repeat(40)}`);
    const { problems, file } = await fileProblems(lines.join('\n') + '\n');
    assert.match(
      problems[0]!,
      new RegExp(`^a1(\\.0)+ \\(file ${file}\\): nests deeper than 64 levels \\(through aliases\\)`),
    );
  });

  it('reads `<<: *self` as PyYAML does (the mapping merged into itself is itself)', async () => {
    const config = await loadText('rest_api: &api\n  port: 9497\n  <<: *api\n');
    assert.equal(config.rest_api.port, 9497);
    assert.equal(config.rest_api.listen, '127.0.0.1', 'the other defaults stay');
  });

  it('merges `<<: *other` as PyYAML does, explicit keys winning', async () => {
    const config = await loadText('base: &base {port: 1, listen: 0.0.0.0}\nrest_api:\n  <<: *base\n  port: 2\n', {
      strict: false,
    });
    assert.deepEqual([config.rest_api.port, config.rest_api.listen], [2, '0.0.0.0']);
  });
});

describe('keys that reach a prototype', () => {
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses ${key} as a key in an open map, with the file and line`, async () => {
      const { problems, file } = await fileProblems(`enabled_backend_plugins:\n  ${key}:\n    evil_plugin: true\n`);
      assert.deepEqual(problems, [
        `${file}:2:3 (file ${file}): refused key ${key} (hint: no setting has this name; it would reach the prototype of JavaScript objects (remove it))`,
      ]);
    });
  }

  it('refuses __proto__ in a flow mapping under a group (consul.token would be injected)', async () => {
    const { problems, file } = await fileProblems('consul: {__proto__: {token: T}}\n');
    assert.deepEqual(problems, [
      `${file}:1:10 (file ${file}): refused key __proto__ (hint: no setting has this name; it would reach the prototype of JavaScript objects (remove it))`,
    ]);
  });

  it('leaves Object.prototype alone after all of the above', () => {
    assert.equal(({} as Record<string, unknown>).evil_plugin, undefined);
    assert.equal(({} as Record<string, unknown>).token, undefined);
  });
});

describe('YAML 1.1 values no setting can hold', () => {
  it('refuses !!omap, !!set and !!pairs on a map setting, naming the key', async () => {
    for (const [text, tag] of [
      ['enabled_backend_plugins: !!omap [{a: true}]', '!!omap'],
      ['enabled_backend_plugins: !!set {a, b}', '!!set'],
      ['enabled_backend_plugins: !!pairs [{a: true}]', '!!pairs'],
    ] as const) {
      const { problems, file } = await fileProblems(text + '\n');
      assert.equal(problems.length, 1);
      assert.ok(
        problems[0]!.startsWith(
          `enabled_backend_plugins (file ${file}): ${tag} is a YAML 1.1 type no setting takes (hint: `,
        ),
        problems[0],
      );
    }
  });

  it('refuses an integer beyond 2^53 with what was written', async () => {
    const { problems, file } = await fileProblems('rest_api:\n  port: 9007199254740993\n');
    assert.deepEqual(problems, [
      `rest_api.port (file ${file}): 9007199254740993 is an integer beyond 2^53, which JavaScript would round (hint: quote it and make the setting a string)`,
    ]);
  });

  it('takes 2^53 - 1 exactly (then the range check speaks)', async () => {
    const { problems, file } = await fileProblems('rest_api:\n  port: 9007199254740991\n');
    assert.deepEqual(problems, [
      `rest_api.port (file ${file}): expected a value <= 65535, got 9007199254740991 (hint: use a value inside the allowed range)`,
    ]);
  });

  it('says .inf, -.Inf and .nan as written, not "got null"', async () => {
    for (const written of ['.inf', '-.Inf', '.NaN', '1.0e+999']) {
      const { problems, file } = await fileProblems(`token_cleanup_interval: ${written}\n`);
      assert.deepEqual(problems, [
        `token_cleanup_interval (file ${file}): ${written} is not a finite number (JSON has no infinity or NaN) (hint: write a finite number, or quote it to keep it as text)`,
      ]);
    }
  });

  it('reads 1e309 as the string PyYAML reads (no dot: not a float) and says so', async () => {
    const { problems, file } = await fileProblems('token_cleanup_interval: 1e309\n');
    assert.deepEqual(problems, [
      `token_cleanup_interval (file ${file}): expected number, got "1e309" (hint: write a number such as 60)`,
    ]);
  });

  it('refuses several documents in one file', async () => {
    const { problems, file } = await fileProblems('debug: true\n---\ndebug: false\n');
    assert.deepEqual(problems, [
      `${file} (file ${file}): invalid YAML: 2 documents (--- separators) in one file (hint: keep one document per file)`,
    ]);
  });

  it('refuses a duplicate key with its line', async () => {
    const { problems, file } = await fileProblems('debug: true\ndebug: false\n');
    assert.deepEqual(problems, [
      `${file}:2:1 (file ${file}): invalid YAML: duplicated mapping key (hint: fix the YAML syntax at that line)`,
    ]);
  });

  it('refuses invalid UTF-8 rather than reading U+FFFD', async () => {
    const { problems, file } = await fileProblems(
      Buffer.from([...Buffer.from('log_filename: /var/log/x'), 0xff, 0xfe, 0x0a]),
    );
    assert.deepEqual(problems, [`${file} (file ${file}): is not valid UTF-8 text (hint: save it as UTF-8)`]);
  });

  it('reads a UTF-8 byte-order mark as PyYAML does (ignored)', async () => {
    assert.equal((await loadText('\ufeffdebug: true\n')).debug, true);
  });
});

describe('files that are not regular files', () => {
  it('refuses a FIFO named 50-x.yml in conf.d at once (no hang)', { timeout: 20_000 }, async () => {
    const dir = files({ 'conf.d/10-ok.yml': 'debug: true\n' });
    execFileSync('mkfifo', [join(dir, 'conf.d/50-x.yml')]);
    const problems = await problemsOf({ configDir: join(dir, 'conf.d') });
    const fifo = join(dir, 'conf.d/50-x.yml');
    assert.deepEqual(problems, [
      `${fifo} (file ${fifo}): is not a regular file (a named pipe) (hint: config files must be regular files; remove it or replace it by a file)`,
    ]);
  });

  it('refuses a symlink to /dev/zero (no 10 GB read)', { timeout: 20_000 }, async () => {
    const dir = files();
    mkdirSync(join(dir, 'conf.d'));
    symlinkSync('/dev/zero', join(dir, 'conf.d/50-zero.yml'));
    const file = join(dir, 'conf.d/50-zero.yml');
    assert.deepEqual(await problemsOf({ configDir: join(dir, 'conf.d') }), [
      `${file} (file ${file}): is not a regular file (a character device) (hint: config files must be regular files; remove it or replace it by a file)`,
    ]);
  });

  it('refuses a directory named 50-dir.yml', async () => {
    const dir = files();
    mkdirSync(join(dir, 'conf.d/50-dir.yml'), { recursive: true });
    const file = join(dir, 'conf.d/50-dir.yml');
    assert.deepEqual(await problemsOf({ configDir: join(dir, 'conf.d') }), [
      `${file} (file ${file}): is not a regular file (a directory) (hint: config files must be regular files; remove it or replace it by a file)`,
    ]);
  });

  it('follows a symlink to a regular file (packages link conf.d files)', async () => {
    const dir = files({ 'shipped.yml': 'debug: true\n' });
    mkdirSync(join(dir, 'conf.d'));
    symlinkSync(join(dir, 'shipped.yml'), join(dir, 'conf.d/10-link.yml'));
    assert.equal((await load({ configDir: join(dir, 'conf.d') })).debug, true);
  });

  it('refuses a file past the size limit, which is configurable', async () => {
    const text = `log_filename: ${'x'.repeat(2000)}\n`;
    const { problems, file } = await fileProblems(text, { maxFileBytes: 1000 });
    assert.deepEqual(problems, [
      `${file} (file ${file}): is ${text.length} bytes, more than the limit of 1000 (hint: a config file is a few KB: check what wrote it, or raise maxFileBytes)`,
    ]);
    assert.equal((await loadText(text, { maxFileBytes: 4000 })).log_filename, 'x'.repeat(2000));
  });

  it('says conf.d is a regular file instead of throwing ENOTDIR', async () => {
    const dir = files({ 'conf.d': 'debug: true\n' });
    const confd = join(dir, 'conf.d');
    assert.deepEqual(await problemsOf({ configDir: confd }), [
      `${confd} (directory ${confd}): is not a directory (ENOTDIR): the conf.d path must be a directory of *.yml files (hint: move the file away and create the directory (mkdir ${confd}), or point configDir elsewhere)`,
    ]);
  });

  it('still treats a missing file and a missing conf.d as nothing set', async () => {
    const dir = files();
    const config = await load({ configFile: join(dir, 'none.yml'), configDir: join(dir, 'none.d') });
    assert.equal(config.rest_api.port, 9497);
  });
});

describe('a group emptied to null', () => {
  it('stays an error when an env var sets one of its children', async () => {
    const { problems, file } = await fileProblems('rest_api:\n  # port: 9497\n', {
      env: { WAZO_AUTH_REST_API_PORT: '9000' },
    });
    assert.deepEqual(problems, [
      `rest_api.port (env WAZO_AUTH_REST_API_PORT): cannot be set: rest_api is empty (null) in file ${file} (hint: give rest_api its settings there, or remove its empty "rest_api:" line to keep the defaults)`,
      `rest_api (file ${file}): expected object, got null (hint: see the settings reference for this key)`,
    ]);
  });

  it('stays an error when a deeper child is set by an override, and when the group holds a scalar', async () => {
    const { problems, file } = await fileProblems('rest_api:\n  cors:\n', {
      overrides: { rest_api: { cors: { enabled: false } } },
    });
    assert.equal(
      problems[0],
      `rest_api.cors (override): cannot be set: rest_api.cors is empty (null) in file ${file} (hint: give rest_api.cors its settings there, or remove its empty "cors:" line to keep the defaults)`,
    );
    const scalar = await fileProblems('rest_api: 5\n', { env: { WAZO_AUTH_REST_API_PORT: '9000' } });
    assert.equal(
      scalar.problems[0],
      `rest_api.port (env WAZO_AUTH_REST_API_PORT): cannot be set: rest_api is not a group (number) in file ${scalar.file} (hint: give rest_api its settings there, or remove its empty "rest_api:" line to keep the defaults)`,
    );
  });

  it('stays an error when a conf.d file gives the group some of its keys', async () => {
    const dir = files({ 'config.yml': 'rest_api:\n', 'conf.d/50-port.yml': 'rest_api:\n  port: 9000\n' });
    const config = join(dir, 'config.yml');
    assert.deepEqual(await problemsOf({ configFile: config, configDir: join(dir, 'conf.d') }), [
      `rest_api (file ${join(dir, 'conf.d/50-port.yml')}): cannot be set: rest_api is empty (null) in file ${config} (hint: give rest_api its settings there, or remove its empty "rest_api:" line to keep the defaults)`,
      `rest_api (file ${config}): expected object, got null (hint: see the settings reference for this key)`,
    ]);
  });
});

describe('size', () => {
  it(
    'loads 100,000 keys of one open map (parsing is linear; timed in npm run bench)',
    { timeout: 120_000 },
    async () => {
      const lines = ['enabled_backend_plugins:'];
      for (let n = 0; n < 100_000; n++) lines.push(`  plugin_${n}: true`);
      const config = await loadText(lines.join('\n') + '\n');
      assert.equal(Object.keys(config.enabled_backend_plugins).length, 100_002);
    },
  );
});
