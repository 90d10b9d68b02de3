/**
 * docs/deployment.md: every snippet an operator copies is exercised where a real tool exists here —
 * systemd units by `systemd-analyze verify`, the compose file by docker-compose with the generated
 * env file, the Deployment against the generated ConfigMap and Secret names — and every path and
 * limit it states matches the generated files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  DOUBLE_QUOTE_RULES,
  ENV_FILE_RULES,
  ENV_VAR_RULES,
  MAX_ENV_STRING_BYTES,
  SINGLE_QUOTE_RULES,
} from '../../generator/syntax/env.ts';
import { REPO } from '../helpers.ts';
import { parseEnvironmentFile } from '../../generator/runtime/consul/environment-file.ts';
import { missingTool } from '../missing-tool.ts';
import { composeProject, generatedPath, loadFromEnv, readers } from './tools.ts';

const SERVICE = 'wazo-auth';
const DOC = readFileSync(join(REPO, 'docs', 'deployment.md'), 'utf8');
const snippets = (lang: string) =>
  [...DOC.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);

test('every file the docs name under /usr/share/wazo-config or generated/ is generated', () => {
  const named = [...DOC.matchAll(/(?:\/usr\/share\/wazo-config|generated)\/wazo-auth\/([\w.-]+)/g)].map((m) => m[1]!);
  assert.ok(new Set(named).size >= 4, named.join());
  for (const file of named) assert.ok(existsSync(generatedPath(SERVICE, file)), `docs/deployment.md names ${file}`);
  assert.ok(existsSync(join(REPO, 'generated', 'wazo-platform-consul.example')));
});

test(
  'the systemd units and drop-ins pass systemd-analyze verify',
  { skip: missingTool('systemd-analyze', ['--version'], 'systemd') },
  () => {
    const units = snippets('ini');
    assert.ok(units.length >= 3);
    for (const unit of units) {
      const path = /^# (\/etc\/systemd\/system\/\S+)\n/.exec(unit)?.[1];
      assert.ok(path, `a unit snippet starts with its path: ${unit.slice(0, 60)}`);
      const dir = mkdtempSync(join(tmpdir(), 'wazo-config-units-'));
      try {
        const dropIn = dirname(path).endsWith('.d');
        const name = dropIn ? basename(dirname(path)).slice(0, -2) : basename(path);
        if (dropIn) {
          writeFileSync(join(dir, name), '[Unit]\nDescription=the service\n\n[Service]\nExecStart=/bin/true\n');
          mkdirSync(join(dir, `${name}.d`));
        }
        writeFileSync(join(dir, dropIn ? `${name}.d/${basename(path)}` : name), unit);
        const run = spawnSync('systemd-analyze', ['verify', join(dir, name)], { encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stderr.trim(), '', `${path}: ${run.stderr}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      for (const env of unit.matchAll(/^EnvironmentFile=-?(\S+)$/gm)) {
        assert.ok(['/etc/wazo-platform/consul', `/etc/${SERVICE}/${SERVICE}.env`].includes(env[1]!), env[1]);
      }
    }
  },
);

test(
  'the compose snippet reads the generated env file: the service gets the schema defaults',
  { skip: missingTool('docker-compose', ['version'], 'docker-compose') },
  async () => {
    const compose = snippets('yaml').find((s) => s.startsWith('services:'));
    assert.ok(compose);
    const dir = mkdtempSync(join(tmpdir(), 'wazo-config-compose-doc-'));
    try {
      writeFileSync(join(dir, 'docker-compose.yml'), compose);
      copyFileSync(generatedPath(SERVICE, `${SERVICE}.env`), join(dir, `${SERVICE}.env`));
      const env = composeProject(dir)[SERVICE];
      assert.ok(env);
      assert.deepEqual(await loadFromEnv(SERVICE, env), await loadFromEnv(SERVICE, {}));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("the Deployment snippet takes the generated ConfigMap's and Secret's names", () => {
  const deployment = snippets('yaml')
    .map(
      (s) =>
        parseYaml(s) as {
          kind?: string;
          spec?: { template: { spec: { containers: { envFrom: Record<string, { name: string }>[] }[] } } };
        },
    )
    .find((d) => d.kind === 'Deployment');
  assert.ok(deployment?.spec);
  const refs = deployment.spec.template.spec.containers[0]!.envFrom;
  const names = (text: string) => /^ {2}name: "(.*)"$/m.exec(text)?.[1];
  assert.equal(
    refs[0]!.configMapRef!.name,
    names(readFileSync(generatedPath(SERVICE, 'configmap.yaml.ctmpl'), 'utf8')),
  );
  assert.equal(refs[1]!.secretRef!.name, names(readFileSync(generatedPath(SERVICE, 'secret.yaml.ctmpl'), 'utf8')));
});

test('the list of what an env file cannot carry covers every rule', () => {
  const flat = DOC.replace(/`/g, '').replace(/\s+/g, ' ');
  for (const rule of [...ENV_VAR_RULES, ...ENV_FILE_RULES, ...SINGLE_QUOTE_RULES, ...DOUBLE_QUOTE_RULES]) {
    const why = /\(([^()]*)\)$/.exec(rule.reason)?.[1] ?? rule.reason;
    assert.ok(flat.includes(why), `docs/deployment.md does not explain: ${rule.reason}`);
  }
  assert.ok(flat.includes(String(MAX_ENV_STRING_BYTES)));
});

test('the example /etc/wazo-platform/consul reads as the built-in defaults everywhere', () => {
  const text = readFileSync(join(REPO, 'generated', 'wazo-platform-consul.example'), 'utf8');
  const expected = { WAZO_CONSUL_HOST: 'consul', WAZO_CONSUL_PORT: '8500', WAZO_CONSUL_SCHEME: 'http' };
  for (const [reader, parse] of Object.entries(readers)) assert.deepEqual(parse(text), expected, reader);
  assert.deepEqual(Object.fromEntries(parseEnvironmentFile(text)), expected, "the loader's reader");
});
