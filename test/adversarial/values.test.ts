/**
 * Hostile value text in env vars and Consul KV (the same codec reads both): JSON nested past the
 * limit, keys that reach a prototype, numbers JavaScript cannot hold. Each gives a clear error
 * naming the key and its source; nothing throws a RangeError or injects a hidden value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { service } from '../../generated/wazo-auth/config.ts';
import { decodeEntries } from '../../generator/runtime/consul/decode.ts';
import { indexOf } from '../../generator/runtime/settings-index.ts';
import { load, problemsOf } from './helpers.ts';

const deepJson = (levels: number) => `{"a": ${'['.repeat(levels)}${']'.repeat(levels)}}`;
const FORBIDDEN = 'no setting has this name; it would reach the prototype of JavaScript objects (remove it)';

describe('JSON values in env vars', () => {
  it('refuses 2,000 levels of JSON before parsing it (no structuredClone RangeError)', async () => {
    for (let n = 0; n < 3; n++) {
      assert.deepEqual(await problemsOf({ env: { WAZO_AUTH_ENABLED_BACKEND_PLUGINS: deepJson(2000) } }), [
        `enabled_backend_plugins (env WAZO_AUTH_ENABLED_BACKEND_PLUGINS): expected a value nested at most 64 levels deep, got "{\\"a\\": ${'['.repeat(68)}... (hint: a setting holds a few levels at most: check what wrote it)`,
      ]);
    }
  });

  it('counts brackets inside strings as text', async () => {
    const config = await load({ env: { WAZO_AUTH_ENABLED_BACKEND_PLUGINS: `{"${'['.repeat(500)}": true}` } });
    assert.deepEqual(Object.keys(config.enabled_backend_plugins), ['['.repeat(500)]);
  });

  for (const key of ['__proto__', 'constructor', 'prototype']) {
    it(`refuses ${key} inside a JSON map, at any depth`, async () => {
      for (const text of [`{"${key}": {"evil_plugin": true}}`, `{"ok": true, "${key}": true}`]) {
        const problems = await problemsOf({ env: { WAZO_AUTH_ENABLED_BACKEND_PLUGINS: text } });
        assert.equal(problems.length, 1);
        assert.ok(
          problems[0]!.startsWith(
            `enabled_backend_plugins (env WAZO_AUTH_ENABLED_BACKEND_PLUGINS): expected no key named ${key}, got `,
          ),
          problems[0],
        );
        assert.ok(problems[0]!.endsWith(`(hint: ${FORBIDDEN})`));
      }
    });
  }

  it('leaves no prototype polluted', () => assert.equal(({} as Record<string, unknown>).evil_plugin, undefined));

  it('refuses an integer beyond 2^53 for an integer setting', async () => {
    assert.deepEqual(await problemsOf({ env: { WAZO_AUTH_REST_API_PORT: '9007199254740993' } }), [
      'rest_api.port (env WAZO_AUTH_REST_API_PORT): expected an integer within ±9007199254740991 (2^53 - 1), got "9007199254740993" (hint: JavaScript would round it: quote it and make the setting a string)',
    ]);
  });

  it('says 1e309 is not a finite number instead of "got null"', async () => {
    assert.deepEqual(await problemsOf({ env: { WAZO_AUTH_TOKEN_CLEANUP_INTERVAL: '1e309' } }), [
      'token_cleanup_interval (env WAZO_AUTH_TOKEN_CLEANUP_INTERVAL): expected a finite number, got "1e309" (hint: JSON has no infinity: write a smaller number)',
    ]);
  });

  it('keeps a secret masked in these messages too', async () => {
    const problems = await problemsOf({ env: { WAZO_AUTH_DB_URI: '', WAZO_AUTH_REST_API_PORT: '1e309' } });
    assert.ok(problems.every((p) => !p.includes('postgresql')));
  });
});

describe('JSON values in Consul KV (decoded by the same codec)', () => {
  const index = indexOf(service);
  const entry = (key: string, value: string) => ({ key: `config/wazo-auth/${key}`, value, flags: 0, modifyIndex: 1 });

  it('refuses deep JSON and prototype keys, naming the Consul key', () => {
    const { invalid, layer } = decodeEntries(
      [
        entry('enabled_backend_plugins', deepJson(2000)),
        entry('consul/token', 'x'),
        entry('enabled_http_plugins', '{"__proto__": {"token": "T"}}'),
      ],
      index,
    );
    assert.deepEqual(
      invalid.map((p) => [p.key, p.source, p.message]),
      [
        [
          'enabled_backend_plugins',
          'consul config/wazo-auth/enabled_backend_plugins',
          'expected a value nested at most 64 levels deep',
        ],
        ['enabled_http_plugins', 'consul config/wazo-auth/enabled_http_plugins', 'expected no key named __proto__'],
      ],
    );
    assert.deepEqual(
      layer.values.map((v) => v.path.join('.')),
      ['consul.token'],
    );
  });
});
