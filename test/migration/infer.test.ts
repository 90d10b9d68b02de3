/** `infer`'s parts (comments, secrets, types, name collisions) and the command. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, parseDocument, type Node, type Scalar } from 'yaml';
import { commentedExamples, descriptionOf } from '../../generator/infer/comments.ts';
import { inferSchema } from '../../generator/infer/index.ts';
import { readInputs } from '../../generator/infer/inputs.ts';
import { secretReason } from '../../generator/infer/secrets.ts';
import { typeOf } from '../../generator/infer/shape.ts';
import { cli, REPO } from '../helpers.ts';
import { writeFiles } from './helpers.ts';

/** The comment the yaml library keeps above the first key of `text`. */
const commentAbove = (text: string) =>
  (parseDocument(text).contents as { items: { key: { commentBefore?: string } }[] }).items[0]!.key.commentBefore;

describe('descriptions from comments', () => {
  for (const [text, expected] of [
    ['# Port to listen on\nport: 1\n', 'Port to listen on'],
    ['# Maximum of threads. This many\n# are kept ready.\nport: 1\n', 'Maximum of threads. This many are kept ready.'],
    ['# First paragraph.\n#\n# Second paragraph.\nport: 1\n', 'First paragraph.\n\nSecond paragraph.'],
    ['# File header\n\n# Directory of overrides\nport: 1\n', 'Directory of overrides'],
    [
      '# Pool size.\n# null: defaults to rest_api.max_threads\nport: 1\n',
      'Pool size. null: defaults to rest_api.max_threads',
    ],
    ['# Example:\n#\n# consul:\n#   host: consul.example.com\nport: 1\n', undefined],
    ['# consul:\n#   host: x\n#\n# Port to listen on\nport: 1\n', 'Port to listen on'],
  ] as const) {
    it(JSON.stringify(text), () => assert.equal(descriptionOf(commentAbove(text)), expected));
  }

  it("takes a file's opening comment for its header, not for its first key's description", () => {
    const dir = writeFiles({
      'a.yml':
        '# RENDERED from wazo_x/config.py _DEFAULT_CONFIG\n# (ast-evaluated)\nuser: wazo-x\n# The log level\nlevel: info\n',
      'b.yml': '# File header\n\n# The group\ngroup: x\n',
    });
    const { inputs } = readInputs([join(dir, 'a.yml'), join(dir, 'b.yml')]);
    const { properties } = inferSchema(inputs, { service: 'wazo-x' }).schema as {
      properties: Record<string, { description?: string }>;
    };
    assert.equal(properties.user!.description, undefined);
    assert.equal(properties.level!.description, 'The log level');
    assert.equal(properties.group!.description, 'The group', 'under a blank line, a comment is directly above its key');
  });

  it('finds commented-out settings, with the prose and comments inside them', () => {
    const comment = commentAbove(
      '# Necessary to use service discovery\n# consul:\n#   host: consul.example.com\n#\n# # In seconds\n# service_discovery:\n#   # Whether to register\n#   enabled: true\n#\n#   retry_interval: 2\nkey: 1\n',
    );
    const docs = commentedExamples(comment).map((doc) => ({ value: doc.toJS() as unknown, comments: doc.toString() }));
    assert.deepEqual(
      docs.map((d) => d.value),
      [{ consul: { host: 'consul.example.com' } }, { service_discovery: { enabled: true, retry_interval: 2 } }],
    );
    assert.match(docs[0]!.comments, /^# Necessary to use service discovery\nconsul:/);
    assert.match(docs[1]!.comments, /# Whether to register\n {2}enabled: true/);
  });
});

/** infer's note on a secret whose plaintext value it left out of the schema. */
const LEFT_OUT = "no default: the file's value is a secret, left out (set it in Consul, the environment or conf.d)";

describe('types and secrets', () => {
  it("leaves a plaintext secret's value out of the default, and says so; a key file's path keeps its default", () => {
    const dir = writeFiles({
      'config.yml': [
        'db_uri: postgresql://asterisk:proformatique@localhost/asterisk',
        'auth:',
        '  password: hunter2',
        '  token: ""',
        '  key_file: /var/lib/wazo-auth-keys/wazo-calld-key.yml',
        '  private_key: "-----BEGIN PRIVATE KEY-----\\nMIIB\\n-----END PRIVATE KEY-----\\n"',
        '',
      ].join('\n'),
    });
    const { inputs } = readInputs([join(dir, 'config.yml')]);
    const { schema, notes } = inferSchema(inputs, { service: 'wazo-x' });
    const props = schema.properties as Record<string, Record<string, unknown>>;
    const auth = props.auth!.properties as Record<string, Record<string, unknown>>;
    for (const node of [props.db_uri!, auth.password!, auth.private_key!]) {
      assert.equal(node['x-secret'], true);
      assert.equal(node.default, undefined);
      assert.match(node.$comment as string, new RegExp(LEFT_OUT.replace(/[()]/g, '\\$&')));
    }
    assert.equal(auth.key_file!.default, '/var/lib/wazo-auth-keys/wazo-calld-key.yml');
    assert.equal(auth.token!.default, '', 'an empty value holds no secret');
    assert.doesNotMatch(JSON.stringify({ schema, notes }), /hunter2|proformatique|MIIB/);
  });

  it('tells integer from number by the text, as PyYAML would', () => {
    const doc = parseDocument('a: 60.0\nb: 10\nc: 0x1e\nd: 1.5e3\ne: .inf\nf: "10"\ng: ~\nh: yes\n', {
      version: '1.1',
    });
    assert.ok(isMap(doc.contents));
    const types = Object.fromEntries(
      doc.contents.items.map((p) => [String((p.key as Scalar).value), typeOf({ node: p.value as Node, doc })]),
    );
    assert.deepEqual(types, {
      a: 'number',
      b: 'integer',
      c: 'integer',
      d: 'number',
      e: 'number',
      f: 'string',
      g: 'null',
      h: 'boolean',
    });
  });

  for (const [key, value, expected] of [
    ['password', 'guest', 'a password'],
    ['bootstrap_user_password', null, 'a password'],
    ['password_reset_expiration', 172800, undefined],
    ['token', 'the_one_ring', 'a token'],
    ['default_token_lifetime', 7200, undefined],
    ['token_url', 'https://www.googleapis.com/oauth2/v4/token', undefined],
    ['service_key', null, 'a key'],
    ['key_file', '/var/lib/wazo-auth-keys/wazo-calld-key.yml', 'a key file'],
    ['ssl_keyfile', null, 'a key file'],
    ['private_key', null, 'a key file'],
    ['certificate', '/usr/share/wazo-certs/server.crt', undefined],
    ['db_uri', 'postgresql://asterisk:proformatique@localhost/asterisk', 'a URI with credentials'],
    ['broker', 'amqp://guest:guest@localhost:5672', 'a URI with credentials'],
    ['base_url', 'http://localhost:5039', undefined],
    ['redirect_uri', 'https://oauth.wazo.io/google/authorize', undefined],
  ] as const) {
    it(`${key}: ${expected ?? 'not secret'}`, () => assert.equal(secretReason(key, [value]), expected));
  }
});

describe('name collisions', () => {
  it('keeps the object that holds a colliding name as an open map, or gives an explicit x-env', () => {
    const dir = writeFiles({
      'config.yml':
        'bus_host: a\nbus:\n  host: b\n  port: 1\ncall-logd:\n  host: x\ncall_logd:\n  port: 2\na-b: 1\na_b: 2\n',
    });
    const { inputs } = readInputs([join(dir, 'config.yml')]);
    const { schema, notes, problems } = inferSchema(inputs, { service: 'wazo-x' });
    assert.deepEqual(problems, []);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    assert.deepEqual(properties.bus, {
      type: 'object',
      default: { host: 'b', port: 1 },
      additionalProperties: { type: ['string', 'integer'] },
      $comment: 'review: one open map, not a group: names below it collide with other keys',
    });
    assert.equal(properties['call-logd']!.properties !== undefined, true);
    assert.equal(properties.call_logd!.properties, undefined, 'CallLogd would name two TypeScript types');
    assert.equal(properties.a_b!['x-env'], 'WAZO_X_A_B_2');
    assert.deepEqual(
      notes.map((n) => n.path.join('.')),
      ['bus', 'call_logd', 'a_b'],
    );
  });
});

describe('wazo-config infer', () => {
  it('prints the draft, the notes to review with file and line, and the load-back', () => {
    const dir = writeFiles({
      'config.yml':
        '# The file header\n\n# Event bus\nbus:\n  # Where it listens\n  host: localhost\n  password: guest\n  port: 5672\nenabled_plugins:\n  calls: true\n',
      'defaults.json':
        '{"bus": {"host": "localhost", "port": 5672, "password": "guest", "timeout": 1.0}, "enabled_plugins": {"api": true}}',
    });
    // The notes go to stderr, which cli() keeps only on failure.
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=wazo-config-source',
        '--import',
        'tsx',
        join(REPO, 'generator/cli.ts'),
        'infer',
        'config.yml',
        '--defaults',
        'defaults.json',
        '--service',
        'wazo-x',
        '--out',
        'x.schema.json',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    const schema = JSON.parse(readFileSync(join(dir, 'x.schema.json'), 'utf8')) as {
      properties: Record<string, Record<string, unknown>>;
    };
    assert.deepEqual(schema.properties.bus, {
      type: 'object',
      description: 'Event bus',
      properties: {
        host: { type: 'string', description: 'Where it listens', default: 'localhost' },
        // A plaintext password is not copied into the schema: no default, and the note says so.
        password: {
          type: 'string',
          'x-secret': true,
          $comment: `review: x-secret suggested: a password; ${LEFT_OUT}`,
        },
        port: { type: 'integer', default: 5672 },
        timeout: { type: 'number', default: 1 },
      },
    });
    assert.deepEqual(schema.properties.enabled_plugins, {
      type: 'object',
      default: { api: true },
      additionalProperties: { type: 'boolean' },
    });
    assert.equal(
      result.stderr,
      [
        'wazo-x: draft schema from 2 files; 1 note to review:',
        `  config.yml:7: bus.password: x-secret suggested: a password; ${LEFT_OUT}`,
        '  load-back config.yml: same object',
        '  load-back defaults.json: same object',
        '',
      ].join('\n'),
    );
  });

  it('reports every input it cannot read, with the line of a YAML error', () => {
    const dir = writeFiles({ 'config.yml': 'a: [1\n' });
    const result = cli(dir, ['infer', 'config.yml', 'missing.yml', '--service', 'wazo-x']);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^config\.yml:2:1: invalid YAML: Flow sequence/);
    assert.match(result.stderr, /^missing\.yml: cannot read the file \(ENOENT\)$/m);
  });
});
