/**
 * Hostile values through every path, byte for byte: the env file (rendered, then read by dotenv,
 * Node, systemd's reader and docker-compose), the ConfigMap, the Secret and envconsul. Where a path
 * cannot carry a value, the render (or the documented check, envVarProblems) says so with the
 * setting's name; nothing arrives changed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { LeafSetting, ServiceModel } from '../../generator/model.ts';
import type { JsonValue } from '../../generator/runtime/types.ts';
import { REFUSALS, envFileValue, envVarProblems, sprintf } from '../../generator/syntax/env.ts';
import { CORPUS, tempProject, type TempProject } from '../helpers.ts';
import { envconsulEnvironment, podEnvironment } from './paths.ts';
import { composeEnvironments, generatedPath, hasDockerCompose, kvOf, loadFromEnv, modelOf, readers, rendered, runBatch } from './tools.ts';

const SERVICE = 'wazo-auth';
const agidTemplate = (JSON.parse(readFileSync(join(CORPUS, 'wazo-agid', 'default_config.json'), 'utf8')) as { call_recording: { filename_template: string } })
  .call_recording.filename_template;

const HOSTILE: Record<string, string> = {
  "a '": "it's",
  'a "': '"quoted"',
  "both ' and \"": `it's "both"`,
  'a backslash': 'back\\slash',
  'a trailing backslash': 'C:\\dir\\',
  'two backslashes': 'a\\\\b',
  'a newline': 'line1\nline2',
  'only a newline': '\n',
  'a leading #': '# not a comment',
  'an inner #': 'a #b',
  $VAR: 'cost $VAR',
  '${VAR}': 'https://${HOST}/x',
  '${VAR:-default}': '${VAR:-x}',
  $$: '$$',
  '{{ }}': '{{ }}',
  "wazo-agid's filename_template": agidTemplate,
  "wazo-auth's acs_url_template": 'https://{{STACK_URL}}/api/auth/0.1/saml/acs',
  'leading and trailing spaces': '  lead and trail  ',
  'the empty string': '',
  unicode: 'é😀\u2028\u0085\u007f\u00a0\ufeff\uffff',
  '=': '=',
  'a=b=c': 'a=b=c',
  '<>&': '<>&',
  '100 KB': 'x'.repeat(100 * 1024),
  'a tab': 'tab\tx',
  'a carriage return': 'cr\r\nlf',
  NUL: 'nul\u0000x',
  '200 KB': 'y'.repeat(200 * 1024),
};

/** A plain string leaf (no format, no length), secret or not. */
function stringLeaf(model: ServiceModel, secret: boolean): LeafSetting {
  const leaf = model.leaves.find((l) => l.secret === secret && l.types.length === 1 && l.types[0] === 'string' && !l.enum && !l.format && !('minLength' in l.schema) && !('pattern' in l.schema));
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

describe('hostile values, every path', async () => {
  const model = await modelOf(SERVICE);
  const defaults = await loadFromEnv(SERVICE, {});
  const plain = stringLeaf(model, false);
  const secret = stringLeaf(model, true);
  const cases = Object.entries(HOSTILE).map(([label, value]) => ({ label, value, config: withValue(withValue(defaults, plain, value), secret, value) }));
  const envRenders = runBatch(cases.map(({ config }) => ({ template: generatedPath(SERVICE, `${SERVICE}.env.ctmpl`), kv: kvOf(model, config) })));
  const composable = cases.flatMap((c, i) => ('output' in envRenders[i]! ? [{ ...c, text: envRenders[i].output }] : []));
  const composed = hasDockerCompose() ? composeEnvironments(composable.map((c) => c.text)) : [];

  for (const [i, { label, value, config }] of cases.entries()) {
    test(`${label}: the env file carries it exactly, or the render refuses it by name`, async () => {
      const quoted = [plain, secret].map((leaf) => ({ leaf, quoted: envFileValue(leaf.envName, value) }));
      const result = envRenders[i]!;
      const refusal = quoted.find((q) => !q.quoted.ok);
      if (refusal && !refusal.quoted.ok) {
        assert.ok('error' in result, 'the render should fail');
        assert.ok(result.error.includes(sprintf(REFUSALS.envFile, refusal.leaf.envName, refusal.leaf.consulKey, refusal.quoted.reason)), result.error);
        return;
      }
      const text = rendered(result);
      for (const [reader, parse] of Object.entries(readers)) assert.deepEqual(await loadFromEnv(SERVICE, parse(text)), config, reader);
      const at = composable.findIndex((c) => c.label === label);
      if (composed[at]) assert.deepEqual(await loadFromEnv(SERVICE, composed[at]), config, 'docker-compose');
    });

    test(`${label}: the ConfigMap, the Secret and envconsul carry it exactly, or say why not by name`, async () => {
      const problems = envVarProblems(plain.envName, value);
      const kv = kvOf(model, config);
      if (problems.length === 0) {
        assert.deepEqual(await loadFromEnv(SERVICE, podEnvironment(model, kv)), config, 'ConfigMap + Secret');
        assert.deepEqual(await loadFromEnv(SERVICE, envconsulEnvironment(SERVICE, kv)), config, 'envconsul');
        return;
      }
      assert.throws(() => podEnvironment(model, kv), (error: Error) => error.message.includes(sprintf(REFUSALS.envVar, plain.envName, plain.consulKey, problems.join('; '))));
      // envconsul has no hook to refuse a value: the documented check is envVarProblems.
      assert.ok(problems.length > 0);
    });
  }
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
          properties: { greeting: { type: 'string', default: `it's "x"`, description: 'A greeting.' }, port: { type: 'integer', default: 1, description: 'A port.' } },
        },
      });
    } finally {
      console.warn = warn;
    }
    const env = readFileSync(join(project.root, 'generated', 'demo', 'demo.env'), 'utf8');
    assert.match(env, /^# DEMO_GREETING=$/m);
    assert.match(env, /The default cannot be written in an env file \(in single quotes: contains '/);
    assert.ok(warnings.some((w) => w.includes('DEMO_GREETING') && w.includes('demo.env')), warnings.join('\n'));
    const loader = await project.loader<{ loadConfig: (o: object) => Promise<{ greeting: string }> }>('demo');
    const config = await loader.loadConfig({ env: readers.dotenv!(env), configFile: false, configDir: false, consul: false });
    assert.equal(config.greeting, `it's "x"`);
  });
});
