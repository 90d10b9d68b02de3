/**
 * The built-in writers of x-service.render: every value escaped for its format, so that no value
 * starts a line or adds a setting; what a format cannot carry refused with the key and the reason;
 * and what they write read back by the real readers (JSON.parse, the yaml package, Python's
 * configparser, Node's util.parseEnv).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { CONTROL, WRITERS, type Entry } from '../../generator/runtime/render/formats.ts';
import { probeHost } from '../../generator/runtime/render/templates.ts';
import type { JsonValue, SettingSpec, ValueType } from '../../generator/runtime/types.ts';

const INJECTION = "x'\nshared_preload_libraries = 'evil";

function entry(
  path: string[],
  value: JsonValue,
  types: ValueType[] = [typeof value === 'string' ? 'string' : 'integer'],
  secret = false,
): Entry {
  const setting: SettingSpec = {
    path,
    env: `PG_${path.join('_').toUpperCase()}`,
    consulKey: `config/pg/${path.join('/')}`,
    types,
    mutable: false,
    secret,
  };
  return { setting, rel: path, value };
}

describe('postgresql writer', () => {
  it('writes name = value with PostgreSQL quoting', () => {
    const written = WRITERS.postgresql([
      entry(['max_connections'], 100),
      entry(['log_line_prefix'], "%t it's \\ here "),
      entry(['ssl'], true, ['boolean']),
      entry(['listen_addresses'], ['127.0.0.1', '::1'], ['array']),
      entry(['unset'], null, ['string', 'null']),
      entry(['auto_explain', 'log_min_duration'], '5s'),
    ]);
    assert.deepEqual(written.refusals, []);
    assert.equal(
      written.text,
      "max_connections = 100\nlog_line_prefix = '%t it''s \\\\ here '\nssl = on\nlisten_addresses = '127.0.0.1, ::1'\nauto_explain.log_min_duration = '5s'\n",
    );
  });

  it('refuses the injection attempt and every control character, naming the key', () => {
    const written = WRITERS.postgresql([
      entry(['log_line_prefix'], INJECTION),
      entry(['application_name'], 'a\u0000b'),
      entry(['cluster_name'], 'a\rb'),
      entry(['search_path'], 'ok\tstill ok'),
    ]);
    assert.deepEqual(
      written.refusals.map((r) => r.key),
      ['log_line_prefix', 'application_name', 'cluster_name'],
    );
    assert.match(written.refusals[0]!.reason, /control character .* could start another setting/);
    assert.equal(written.text, "search_path = 'ok\tstill ok'\n", 'only the good line is written');
  });

  it('refuses list items holding a comma and maps', () => {
    const written = WRITERS.postgresql([
      entry(['listen_addresses'], ['a,b'], ['array']),
      entry(['m'], { a: 1 }, ['map']),
    ]);
    assert.deepEqual(
      written.refusals.map((r) => r.key),
      ['listen_addresses', 'm'],
    );
  });

  it('property: no string becomes more than one line, and every quote is doubled', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const written = WRITERS.postgresql([entry(['log_line_prefix'], value)]);
        if (written.refusals.length > 0) return CONTROL.test(value);
        const line = written.text.slice(0, -1);
        if (line.includes('\n')) return false;
        const body = line.slice("log_line_prefix = '".length, -1);
        // Unquoting as PostgreSQL's lexer does gives the value back.
        return body.replace(/''|\\\\/g, (m) => m[0]!) === value && !/(^|[^'])'([^']|$)/.test(body.replace(/''/g, ''));
      }),
    );
  });
});

describe('kamailio writer', () => {
  it('writes #!define and #!substdef lines, longer names first', () => {
    const written = WRITERS.kamailio([
      entry(['listen'], 'udp:127.0.0.1:5060'),
      entry(['listen_xhttp'], 'tcp:127.0.0.1:8000'),
      entry(['http_api_timeout'], 2000),
      entry(['with_dmq'], true, ['boolean']),
      entry(['with_nat'], false, ['boolean']),
      entry(['router_auth_secret'], null, ['string', 'null']),
      entry(['log_prefix'], 'a ! b'),
    ]);
    assert.deepEqual(written.refusals, []);
    assert.equal(
      written.text,
      '#!define HTTP_API_TIMEOUT 2000\n#!substdef "!LISTEN_XHTTP!tcp:127.0.0.1:8000!"\n#!substdef "#LOG_PREFIX#a ! b#"\n#!define WITH_DMQ\n#!substdef "!LISTEN!udp:127.0.0.1:5060!"\n',
    );
  });

  it('refuses line breaks, quotes, backslashes, fractions and lists', () => {
    const written = WRITERS.kamailio([
      entry(['a'], 'x\nloadmodule "evil.so"'),
      entry(['b'], 'say "hi"'),
      entry(['c'], 'a\\b'),
      entry(['d'], 1.5, ['number']),
      entry(['e'], ['x'], ['array']),
    ]);
    assert.deepEqual(
      written.refusals.map((r) => r.key),
      ['a', 'b', 'c', 'd', 'e'],
    );
    assert.equal(written.text, '');
  });
});

describe('ini writer', () => {
  it('writes sections read back by Python configparser', () => {
    const entries = [
      entry(['interface'], 'eth0'),
      entry(['rtpengine', 'port-min'], 30000),
      entry(['rtpengine', 'log-facility'], 'local0; not a comment'),
      entry(['rtpengine', 'flags'], ['a', 'b'], ['array']),
    ];
    const written = WRITERS.ini(entries.slice(1));
    assert.deepEqual(written.refusals, []);
    const script =
      'import configparser,sys,json\nc=configparser.ConfigParser(interpolation=None)\nc.read_string(sys.stdin.read())\nprint(json.dumps({s:dict(c[s]) for s in c.sections()}))';
    const read = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: written.text, encoding: 'utf8' }),
    );
    assert.deepEqual(read, {
      rtpengine: { 'port-min': '30000', 'log-facility': 'local0; not a comment', flags: '["a","b"]' },
    });
    assert.deepEqual(
      WRITERS.ini([entry(['a'], ' padded'), entry(['b'], 'x\n[evil]')]).refusals.map((r) => r.key),
      ['a', 'b'],
    );
  });
});

describe('yaml, json and env writers', () => {
  const hostile = [
    'it\'s "quoted"',
    'line\nbreak',
    '# not a comment',
    '{{ x }}',
    'key: value',
    '- item',
    '\u00e9\u{1F600}',
  ];
  it('yaml and json carry any value back', () => {
    const entries = hostile.map((v, i) => entry(['group', `k${i}`], v));
    const expected = { group: Object.fromEntries(hostile.map((v, i) => [`k${i}`, v])) };
    assert.deepEqual(parseYaml(WRITERS.yaml(entries).text), expected);
    assert.deepEqual(JSON.parse(WRITERS.json(entries).text), expected);
  });

  it('env lines read back by util.parseEnv; what an env file cannot carry is refused', () => {
    const ok = hostile.filter((v) => !v.includes("'") || !v.includes('"'));
    const written = WRITERS.env(ok.map((v, i) => entry([`k${i}`], v)));
    assert.deepEqual(written.refusals, []);
    assert.deepEqual(parseEnv(written.text), Object.fromEntries(ok.map((v, i) => [`PG_K${i}`, v])));
    assert.deepEqual(
      WRITERS.env([entry(['cr'], 'a\rb')]).refusals.map((r) => r.key),
      ['cr'],
    );
  });
});

it('probe_host picks an address to connect to from a listen list', () => {
  assert.equal(probeHost('*'), '127.0.0.1');
  assert.equal(probeHost(['0.0.0.0', '::']), '127.0.0.1');
  assert.equal(probeHost('::'), '::1');
  assert.equal(probeHost('10.0.0.5, 127.0.0.1'), '10.0.0.5');
  assert.equal(probeHost(''), '127.0.0.1');
});
