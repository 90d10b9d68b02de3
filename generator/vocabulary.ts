/**
 * Our keywords (docs/design.md "Vocabulary"), each with the meta-schema its value must pass.
 * ajv gets them as annotation keywords, so strict mode accepts them and ignores them when validating.
 */
import { FORMATS } from './runtime/render/spec.ts';

/** "This property is present", in a form ajv's strict mode accepts inside oneOf. */
const requires = <K extends string>(key: K) => ({ required: [key], properties: { [key]: {} } }) as const;

/** A user or group as `chown` takes it: a name of Debian's `adduser` rules (lower case, ≤ 32), or a numeric id. */
const POSIX_OWNER = '^(?:[a-z_][a-z0-9_-]{0,31}|[0-9]+)$';

export const VOCABULARY = {
  'x-service': {
    type: 'object',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
      envPrefix: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' },
      consulPrefix: { type: 'string', pattern: '^[^/](.*[^/])?$' },
      configFile: { type: 'string', pattern: '^/' },
      configDir: { type: 'string', pattern: '^/' },
      dependsOn: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' } },
      /** For `wazo-config exec` (docs/exec.md): the files written for a daemon that knows nothing of Consul. */
      render: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          required: ['path'],
          additionalProperties: false,
          properties: {
            path: { type: 'string', pattern: '^/.*[^/]$' },
            format: { enum: [...FORMATS] },
            template: { type: 'string', pattern: '^[^/]' },
            mode: { type: 'string', pattern: '^0?[0-7]{3}$' },
            from: { type: 'string', pattern: '\\S' },
            omit: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '\\S' } },
          },
          oneOf: [requires('format'), requires('template')],
        },
      },
      /** How the daemon takes live changes: a signal (SIGHUP by default) or a command. */
      reload: {
        type: 'object',
        additionalProperties: false,
        maxProperties: 1,
        properties: {
          signal: { enum: ['SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGINT', 'SIGQUIT', 'SIGWINCH'] },
          command: { type: 'array', minItems: 1, items: { type: 'string', pattern: '\\S' } },
        },
      },
      /** How readiness is probed before registering (and kept while registered). */
      check: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          tcp: {
            type: 'object',
            required: ['host', 'port'],
            additionalProperties: false,
            properties: { host: { type: 'string', pattern: '\\S' }, port: { type: 'string', pattern: '\\S' } },
          },
          http: {
            type: 'object',
            required: ['url'],
            additionalProperties: false,
            properties: { url: { type: 'string', pattern: '^https?://' } },
          },
          command: { type: 'array', minItems: 1, items: { type: 'string', pattern: '\\S' } },
          timeout: { type: 'number', exclusiveMinimum: 0 },
        },
        oneOf: [requires('tcp'), requires('http'), requires('command')],
      },
    },
  },
  'x-mutable': { type: 'boolean' },
  'x-secret': { type: 'boolean' },
  'x-env': { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
  /**
   * On a group with host and port children: the Consul service whose passing instance fills them (docs/discovery.md).
   */
  'x-discover': { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
  /**
   * On a group with certificate, private key (and CA) path leaves: the service's TLS material comes from Consul's
   * Connect CA (docs/tls.md). `true` takes the leaves `certificate`, `private_key` and `ca_certificate`; an object
   * names them, and the `user` and `group` (names or ids) that own the files consul-template writes for the daemon.
   */
  'x-connect-tls': {
    type: ['boolean', 'object'],
    additionalProperties: false,
    minProperties: 1,
    properties: {
      certificate: { type: 'string', minLength: 1 },
      privateKey: { type: 'string', minLength: 1 },
      ca: { type: 'string', minLength: 1 },
      user: { type: 'string', pattern: POSIX_OWNER },
      group: { type: 'string', pattern: POSIX_OWNER },
    },
  },
} as const;

export type Vocabulary = typeof VOCABULARY;
