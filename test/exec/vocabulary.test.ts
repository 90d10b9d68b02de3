/**
 * `x-service.render`, `reload` and `check` (docs/exec.md): a bad one is refused at generate time
 * with the file and the JSON pointer; a good one reaches the model.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GenerateError, loadModels } from '../../generator/index.ts';
import { tempRoot } from '../helpers.ts';

const F = 'schemas/pg.schema.json';
const schema = (service: Record<string, unknown>) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  'x-service': { name: 'pg', ...service },
  properties: {
    port: { type: 'integer', default: 5432 },
    listen_addresses: { type: 'array', items: { type: 'string' }, default: ['localhost'] },
    password: { type: 'string', 'x-secret': true },
    service_discovery: { type: 'object', properties: { enabled: { type: 'boolean', default: true } } },
  },
});

async function load(service: Record<string, unknown>, templates: Record<string, string> = {}) {
  const root = tempRoot();
  try {
    mkdirSync(join(root, 'schemas'));
    writeFileSync(join(root, F), JSON.stringify(schema(service)));
    for (const [name, text] of Object.entries(templates)) writeFileSync(join(root, 'schemas', name), text);
    return await loadModels(root).then(
      (models) => models[0]!,
      (error: unknown) => {
        assert.ok(error instanceof GenerateError, String(error));
        return error.message.split('\n');
      },
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const HINT =
  '(x-service is { name, envPrefix?, consulPrefix?, configFile?, configDir?, dependsOn?, render?, reload?, check? } (render/reload/check: docs/exec.md))';
const TEMPLATE_HINT = '(templates use Nunjucks (Jinja2) syntax over the settings, e.g. {{ port }} (docs/exec.md))';

describe('x-service render / reload / check at generate time', () => {
  const cases: [string, Record<string, unknown>, Record<string, string>, string[]][] = [
    [
      'an unknown format',
      { render: [{ path: '/etc/pg.conf', format: 'toml' }] },
      {},
      [
        `${F}#/x-service/render/0/format: invalid x-service: must be equal to one of the allowed values: "postgresql", "ini", "kamailio", "yaml", "json", "env" ${HINT}`,
      ],
    ],
    [
      'both a format and a template',
      { render: [{ path: '/etc/pg.conf', format: 'json', template: 'pg.njk' }] },
      { 'pg.njk': '' },
      [`${F}#/x-service/render/0: invalid x-service: must match exactly one schema in oneOf ${HINT}`],
    ],
    [
      'a relative target path',
      { render: [{ path: 'pg.conf', format: 'json' }] },
      {},
      [`${F}#/x-service/render/0/path: invalid x-service: must match pattern "^/.*[^/]$" ${HINT}`],
    ],
    [
      'a mode that is not octal',
      { render: [{ path: '/etc/pg.conf', format: 'json', mode: '0999' }] },
      {},
      [`${F}#/x-service/render/0/mode: invalid x-service: must match pattern "^0?[0-7]{3}$" ${HINT}`],
    ],
    [
      'a missing template file',
      { render: [{ path: '/etc/pg.conf', template: 'missing.njk' }] },
      {},
      [
        `${F}#/x-service/render/0/template: template file {ROOT}/schemas/missing.njk does not exist (the path is relative to the schema file)`,
      ],
    ],
    [
      'a template naming an unknown setting',
      { render: [{ path: '/etc/pg.conf', template: 'pg.njk' }] },
      { 'pg.njk': 'port = {{ prot }}\n' },
      [
        `${F}#/x-service/render/0/template: the template does not render with the schema's defaults: template pg.njk: line 1, column 8: it outputs an undefined name (not a setting of this service, or a setting without a value) ${TEMPLATE_HINT}`,
      ],
    ],
    [
      'a template that does not parse',
      { render: [{ path: '/etc/pg.conf', template: 'pg.njk' }] },
      { 'pg.njk': '{% if port %}\n' },
      [
        `${F}#/x-service/render/0/template: the template does not render with the schema's defaults: template pg.njk: expected elif, else, or endif, got end of file ${TEMPLATE_HINT}`,
      ],
    ],
    [
      'from naming no group',
      { render: [{ path: '/etc/pg.conf', format: 'postgresql', from: 'server' }] },
      {},
      [`${F}#/x-service/render/0/from: from "server" names no group of settings (one of: service_discovery)`],
    ],
    [
      'omit naming no key',
      { render: [{ path: '/etc/pg.conf', format: 'postgresql', omit: ['service_discovry'] }] },
      {},
      [
        `${F}#/x-service/render/0/omit/0: omit "service_discovry" names no key under the root (name a key the rendered group has)`,
      ],
    ],
    [
      'two files with one name',
      {
        render: [
          { path: '/etc/a/pg.conf', format: 'json' },
          { path: '/etc/b/pg.conf', format: 'yaml' },
        ],
      },
      {},
      [
        `${F}#/x-service/render/1/path: two rendered files are both named pg.conf (also #/x-service/render/0/path) (give each rendered file its own name: --render-dir writes them side by side)`,
      ],
    ],
    [
      'an unknown reload signal',
      { reload: { signal: 'SIGHUPP' } },
      {},
      [
        `${F}#/x-service/reload/signal: invalid x-service: must be equal to one of the allowed values: "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGINT", "SIGQUIT", "SIGWINCH" ${HINT}`,
      ],
    ],
    [
      'a reload with both a signal and a command',
      { reload: { signal: 'SIGHUP', command: ['pg_ctl', 'reload'] } },
      {},
      [`${F}#/x-service/reload: invalid x-service: must NOT have more than 1 properties ${HINT}`],
    ],
    [
      'a reload command naming an unknown setting',
      { reload: { command: ['kamcmd', 'cfg.seti', 'core', 'debug', '{{ debug }}'] } },
      {},
      [
        `${F}#/x-service/reload/command/4: the template does not render with the schema's defaults: "{{ debug }}": line 1, column 1: it outputs an undefined name (not a setting of this service, or a setting without a value) ${TEMPLATE_HINT}`,
      ],
    ],
    [
      'a check of two kinds',
      { check: { tcp: { host: '127.0.0.1', port: '{{ port }}' }, command: ['true'] } },
      {},
      [
        `${F}#/x-service/check: invalid x-service: must have required property 'http' ${HINT}`,
        `${F}#/x-service/check: invalid x-service: must match exactly one schema in oneOf ${HINT}`,
      ],
    ],
    [
      'a TCP check whose port is not a number',
      { check: { tcp: { host: '{{ listen_addresses | probe_host }}', port: '{{ listen_addresses }}' } } },
      {},
      [
        `${F}#/x-service/check/tcp/port: the template does not render with the schema's defaults: renders to "localhost" with the defaults, not a port number ${TEMPLATE_HINT}`,
      ],
    ],
    [
      'an HTTP check without a scheme',
      { check: { http: { url: 'localhost/status' } } },
      {},
      [`${F}#/x-service/check/http/url: invalid x-service: must match pattern "^https?://" ${HINT}`],
    ],
  ];
  for (const [name, service, templates, expected] of cases) {
    it(name, async () => {
      const lines = await load(service, templates);
      assert.ok(Array.isArray(lines), 'expected problems');
      assert.deepEqual(
        lines.map((l) => l.replace(/\/\S*\/\.test-tmp\/project-\w+/, '{ROOT}')),
        expected,
      );
    });
  }

  it('a good one reaches the model', async () => {
    const model = await load(
      {
        render: [
          { path: '/etc/pg/pg.conf', format: 'postgresql', omit: ['service_discovery'] },
          { path: '/etc/pg/x.conf', template: 'x.njk' },
        ],
        reload: { signal: 'SIGHUP' },
        check: { tcp: { host: '{{ listen_addresses | probe_host }}', port: '{{ port }}' } },
      },
      { 'x.njk': 'port {{ port }}\n' },
    );
    assert.ok(!Array.isArray(model));
    assert.deepEqual(model.daemon, {
      schemaFile: F,
      render: [
        { path: '/etc/pg/pg.conf', format: 'postgresql', omit: ['service_discovery'] },
        { path: '/etc/pg/x.conf', template: 'x.njk' },
      ],
      reload: { signal: 'SIGHUP' },
      check: { tcp: { host: '{{ listen_addresses | probe_host }}', port: '{{ port }}' } },
    });
  });
});
