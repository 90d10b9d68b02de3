/**
 * Hostile values through every path, byte for byte: the env file (rendered, then read by dotenv,
 * Node, systemd's reader, godotenv and docker-compose), the ConfigMap, the Secret and envconsul.
 * The table pins, for each value, how the env file quotes it or why it is refused, and whether an
 * environment variable can hold it at all: a change in what is refused fails here. Where a path
 * cannot carry a value, it says so with the setting's name; nothing arrives changed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { LeafSetting, ServiceModel } from '../../generator/model.ts';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { envFileValue } from '../../generator/syntax/env.ts';
import { CORPUS, tempProject, type TempProject } from '../helpers.ts';
import { envconsulEnvironment, podEnvironment } from './paths.ts';
import { missingTool } from '../missing-tool.ts';
import {
  composeEnvironments,
  generatedPath,
  kvOf,
  loadFromEnv,
  modelOf,
  readers,
  rendered,
  runBatch,
} from './tools.ts';

const SERVICE = 'wazo-auth';
const agidTemplate = (
  JSON.parse(readFileSync(join(CORPUS, 'wazo-agid', 'default_config.json'), 'utf8')) as {
    call_recording: { filename_template: string };
  }
).call_recording.filename_template;

/** How the env file writes a value: in single quotes, in double quotes, or refused with this reason. */
type EnvFileExpectation = "'" | '"' | { refused: string };

const NUL = 'contains a NUL character, which no environment variable can hold';
const TOO_LONG = 'is longer than {MAX} bytes, the most Linux passes to a program as {NAME}=…';
const CR = 'contains a carriage return, which docker-compose, dotenv and Node read as a line break';
const NONCHARACTER =
  'contains a Unicode noncharacter (U+FFFE, U+FFFF, U+FDD0–U+FDEF…), which systemd refuses as invalid UTF-8, dropping the whole file';
const SINGLE = {
  quote: "in single quotes: contains ' (systemd ends the value there)",
  twoBackslashes: 'in single quotes: contains \\\\ (docker-compose 1.x reads it as one backslash)',
  endBackslash:
    "in single quotes: ends with \\ (docker-compose and dotenv read \\' as a quote that does not end the value)",
  braces: 'in single quotes: contains ${…} (docker-compose 1.x substitutes it even inside single quotes)',
};
const DOUBLE = {
  quote: 'in double quotes: contains " (dotenv and Node keep the escaping backslash)',
  backslash: 'in double quotes: contains \\ (systemd and docker-compose unescape it, dotenv and Node do not)',
  dollar: 'in double quotes: contains $ (docker-compose substitutes variables there)',
};
const refused = (...reasons: string[]): EnvFileExpectation => ({ refused: reasons.join('; ') });

/** [label, value, env file, what no environment variable can hold (ConfigMap, Secret, envconsul)]. */
const HOSTILE: [string, string, EnvFileExpectation, string?][] = [
  ["a '", "it's", '"'],
  ['a "', '"quoted"', "'"],
  ['both \' and "', `it's "both"`, refused(SINGLE.quote, DOUBLE.quote)],
  ['a backslash', 'back\\slash', "'"],
  ['a trailing backslash', 'C:\\dir\\', refused(SINGLE.endBackslash, DOUBLE.backslash)],
  ['two backslashes', 'a\\\\b', refused(SINGLE.twoBackslashes, DOUBLE.backslash)],
  ['a newline', 'line1\nline2', "'"],
  ['only a newline', '\n', "'"],
  ['a leading #', '# not a comment', "'"],
  ['an inner #', 'a #b', "'"],
  ['$VAR', 'cost $VAR', "'"],
  ['${VAR}', 'https://${HOST}/x', refused(SINGLE.braces, DOUBLE.dollar)],
  ['${VAR:-default}', '${VAR:-x}', refused(SINGLE.braces, DOUBLE.dollar)],
  ['$$', '$$', "'"],
  ['{{ }}', '{{ }}', "'"],
  ["wazo-agid's filename_template", agidTemplate, "'"],
  ["wazo-auth's acs_url_template", 'https://{{STACK_URL}}/api/auth/0.1/saml/acs', "'"],
  ['leading and trailing spaces', '  lead and trail  ', "'"],
  ['the empty string', '', "'"],
  ['unicode', 'é😀\u2028\u2029\u0085\u007f\u00a0\ufeff\ufffd\u{10fffd}', "'"],
  ['U+FFFF', 'x\uffffy', refused(NONCHARACTER)],
  ['U+FFFE', '\ufffe', refused(NONCHARACTER)],
  ['U+FDD0', 'a\ufdd0', refused(NONCHARACTER)],
  ['U+1FFFF', '\u{1ffff}', refused(NONCHARACTER)],
  ['=', '=', "'"],
  ['a=b=c', 'a=b=c', "'"],
  ['<>&', '<>&', "'"],
  ['100 KB', 'x'.repeat(100 * 1024), "'"],
  ['a tab', 'tab\tx', "'"],
  ['a carriage return', 'cr\r\nlf', refused(CR)],
  ['NUL', 'nul\u0000x', refused(NUL), NUL],
  ['200 KB', 'y'.repeat(200 * 1024), refused(TOO_LONG), TOO_LONG],
];

/** Linux's MAX_ARG_STRLEN (32 pages) for `NAME=value` and its NUL. */
const fill = (text: string, name: string) =>
  text.replace('{NAME}', name).replace('{MAX}', String(131072 - name.length - 2));

/** A plain string leaf (no format, no length), secret or not. */
function stringLeaf(model: ServiceModel, secret: boolean): LeafSetting {
  const leaf = model.leaves.find(
    (l) =>
      l.secret === secret &&
      l.types.length === 1 &&
      l.types[0] === 'string' &&
      !l.enum &&
      !l.format &&
      !('minLength' in l.schema) &&
      !('pattern' in l.schema),
  );
  if (!leaf) throw new Error('no plain string leaf');
  return leaf;
}

function withValue(config: JsonValue, leaf: LeafSetting, value: string): JsonValue {
  const copy = structuredClone(config) as Record<string, JsonValue>;
  let node = copy;
  leaf.path.slice(0, -1).forEach((segment) => (node = (node[segment] ??= {}) as Record<string, JsonValue>));
  node[leaf.path.at(-1)!] = value;
  return copy;
}

describe('the pinned table of hostile values', () => {
  test('every value is quoted, or refused with its reason, as pinned', () => {
    for (const [label, value, expected] of HOSTILE) {
      const want =
        typeof expected === 'string'
          ? { ok: true, text: `${expected}${value}${expected}` }
          : { ok: false, reason: fill(expected.refused, 'WAZO_AUTH_X') };
      assert.deepEqual(envFileValue('WAZO_AUTH_X', value), want, label);
    }
  });
});

describe('hostile values, every path', async () => {
  const model = await modelOf(SERVICE);
  const defaults = await loadFromEnv(SERVICE, {});
  const plain = stringLeaf(model, false);
  const secret = stringLeaf(model, true);
  const cases = HOSTILE.map(([label, value, envFile, envVar]) => ({
    label,
    value,
    envFile,
    envVar,
    config: withValue(withValue(defaults, plain, value), secret, value),
  }));
  const envRenders = runBatch(
    cases.map(({ config }) => ({ template: generatedPath(SERVICE, `${SERVICE}.env.ctmpl`), kv: kvOf(model, config) })),
  );

  for (const [i, { label, value, envFile, envVar, config }] of cases.entries()) {
    test(`${label}: the env file carries it exactly, quoted as pinned, or the render refuses it by name`, async () => {
      const result = envRenders[i]!;
      if (typeof envFile !== 'string') {
        assert.ok('error' in result, 'the render should fail');
        const why = `${plain.envName} (Consul ${plain.consulKey}) cannot be written to an env file: ${fill(envFile.refused, plain.envName)}`;
        assert.ok(result.error.includes(why), `${result.error}\nshould include: ${why}`);
        return;
      }
      const text = rendered(result);
      for (const leaf of [plain, secret])
        assert.ok(
          text.includes(`\n${leaf.envName}=${envFile}${value}${envFile}\n`),
          `${leaf.envName} in ${envFile}…${envFile}`,
        );
      for (const [reader, parse] of Object.entries(readers))
        assert.deepEqual(await loadFromEnv(SERVICE, parse(text)), config, reader);
    });

    test(`${label}: the ConfigMap, the Secret and envconsul carry it exactly, or say why not by name`, async () => {
      const kv = kvOf(model, config);
      if (envVar === undefined) {
        assert.deepEqual(await loadFromEnv(SERVICE, podEnvironment(model, kv)), config, 'ConfigMap + Secret');
        assert.deepEqual(await loadFromEnv(SERVICE, envconsulEnvironment(SERVICE, kv)), config, 'envconsul');
        return;
      }
      const why = `${plain.envName} (Consul ${plain.consulKey}) cannot be passed as an environment variable: ${fill(envVar, plain.envName)}`;
      assert.throws(
        () => podEnvironment(model, kv),
        (error: Error) => error.message.includes(why),
        why,
      );
      // envconsul has no hook to refuse a value: the program it runs does not start (execve refuses).
      assert.throws(() => envconsulEnvironment(SERVICE, kv), /envconsul: .*the program does not start/);
    });
  }

  const composable = cases.flatMap((c, i) =>
    'output' in envRenders[i]! ? [{ ...c, text: envRenders[i].output }] : [],
  );
  test(
    'docker-compose reads every rendered env file as the same config',
    { skip: missingTool('docker-compose', ['version'], 'docker-compose') },
    async () => {
      assert.equal(composable.length, HOSTILE.filter(([, , envFile]) => typeof envFile === 'string').length);
      const composed = composeEnvironments(composable.map((c) => c.text));
      for (const [i, { label, config }] of composable.entries())
        assert.deepEqual(await loadFromEnv(SERVICE, composed[i]!), config, label);
    },
  );
});

describe('a default an env file cannot carry', () => {
  let project: TempProject | undefined;
  after(() => project?.cleanup());

  test('is left out of the .env with a note, and generate warns naming the setting', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: string) => warnings.push(message);
    try {
      project = await tempProject({
        demo: {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          'x-service': { name: 'demo' },
          type: 'object',
          properties: {
            greeting: { type: 'string', default: `it's "x"`, description: 'A greeting.' },
            port: { type: 'integer', default: 1, description: 'A port.' },
          },
        },
      });
    } finally {
      console.warn = warn;
    }
    const env = readFileSync(join(project.root, 'generated', 'demo', 'demo.env'), 'utf8');
    assert.match(env, /^# DEMO_GREETING=$/m);
    assert.match(env, /The default cannot be written in an env file \(in single quotes: contains '/);
    assert.ok(
      warnings.some((w) => w.includes('DEMO_GREETING') && w.includes('demo.env')),
      warnings.join('\n'),
    );
    const loader = await project.loader<{ loadConfig: (o: object) => Promise<{ greeting: string }> }>('demo');
    const config = await loader.loadConfig({
      env: readers.dotenv!(env),
      configFile: false,
      configDir: false,
      consul: false,
    });
    assert.equal(config.greeting, `it's "x"`);
  });
});
