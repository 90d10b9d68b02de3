/**
 * The Consul source end to end: the generated wazo-auth loader (and a sample schema's) against the
 * Consul-compatible test server — priorities, typed values, unknown keys, waiting, ACL and TLS.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as auth from '../../generated/wazo-auth/config.ts';
import { ConfigError, type LoadOptions, type Resolved, type ServiceSpec } from '../../generator/runtime/index.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { memoryLogger, readJson, REPO, tempProject, tempRoot, type TempProject } from '../helpers.ts';
import { freePort, makeTls } from './helpers.ts';

const PREFIX = 'config/wazo-auth';
/** No config files, and never this machine's /etc/wazo-platform/consul. */
const noFiles = { configFile: false, configDir: false } as const;

function locatedAt(server: { port: number }, extra: Record<string, string> = {}): Record<string, string> {
  return { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port), ...extra };
}

function loadAuth(env: Record<string, string>, options: LoadOptions<auth.Config> = {}): Promise<Resolved<auth.Config>> {
  return auth.resolveConfigWithSources({
    ...noFiles,
    env,
    logger: memoryLogger(),
    ...options,
    consul: { file: false, ...(options.consul || {}) },
  });
}

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => assert.fail('expected a ConfigError'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ConfigError, String(error));
  return error;
}

const kvReads = (server: ConsulTestServer) => server.requests.filter((r) => r.path.startsWith('/v1/kv/'));

describe('the Consul source', () => {
  let server: ConsulTestServer;
  before(async () => {
    server = await startConsulServer();
  });
  after(() => server.close());
  beforeEach(() => {
    server.kv.delete('config/', { recurse: true });
    server.requests.length = 0;
  });

  it('overrides file values, is overridden by env, and attributes each value to its key', async () => {
    const dir = tempRoot();
    const file = join(dir, 'config.yml');
    writeFileSync(
      file,
      'debug: true\nrest_api:\n  port: 1111\n  listen: 10.0.0.1\namqp:\n  exchange_name: from-file\n',
    );
    server.kv.put(`${PREFIX}/rest_api/port`, '2222');
    server.kv.put(`${PREFIX}/amqp/exchange_name`, 'from-consul');
    const { config, tree } = await loadAuth(locatedAt(server, { WAZO_AUTH_AMQP_EXCHANGE_NAME: 'from-env' }), {
      configFile: file,
    });
    assert.equal(config.debug, true);
    assert.equal(tree.sourceOf(['debug']), `file ${file}`);
    assert.equal(config.rest_api.listen, '10.0.0.1');
    assert.equal(config.rest_api.port, 2222);
    assert.equal(tree.sourceOf(['rest_api', 'port']), `consul ${PREFIX}/rest_api/port`);
    assert.equal(config.amqp.exchange_name, 'from-env');
    assert.equal(tree.sourceOf(['amqp', 'exchange_name']), 'env WAZO_AUTH_AMQP_EXCHANGE_NAME');
    assert.equal(config.token_cleanup_interval, 60);
    assert.equal(tree.sourceOf(['token_cleanup_interval']), 'default');
    // ONE recursive query for the whole prefix.
    const reads = kvReads(server);
    assert.equal(reads.length, 1);
    assert.equal(reads[0]!.path, `/v1/kv/${PREFIX}/`);
    assert.ok(reads[0]!.query.has('recurse'));
  });

  it('decodes each value by its leaf: lists and maps typed, numbers, booleans and null', async () => {
    server.kv.put(`${PREFIX}/enabled_http_plugins`, '{"api": true, "idp": false}');
    server.kv.put(`${PREFIX}/rest_api/cors/allow_headers`, 'X-One, X-Two');
    server.kv.put(`${PREFIX}/microsoft/scope`, '["a", "b"]');
    server.kv.put(`${PREFIX}/rest_api/max_threads`, '25');
    server.kv.put(`${PREFIX}/rest_api/cors/enabled`, 'no');
    server.kv.put(`${PREFIX}/rest_api/certificate`, 'null');
    server.kv.put(`${PREFIX}/`, null); // a "folder" entry, as UIs create
    const { config } = await loadAuth(locatedAt(server));
    assert.deepEqual(config.enabled_http_plugins, { api: true, idp: false });
    assert.deepEqual(config.rest_api.cors.allow_headers, ['X-One', 'X-Two']);
    assert.deepEqual(config.microsoft.scope, ['a', 'b']);
    assert.equal(config.rest_api.max_threads, 25);
    assert.equal(config.rest_api.cors.enabled, false);
    assert.equal(config.rest_api.certificate, null);
  });

  it('reports unknown keys with a did-you-mean: a warning, or an error under strict', async () => {
    server.kv.put(`${PREFIX}/rest_api/prot`, '9497');
    server.kv.put(`${PREFIX}/rest_api`, '{"port": 1}');
    const logger = memoryLogger();
    const { config, warnings } = await auth.resolveConfigWithSources({
      ...noFiles,
      env: locatedAt(server),
      logger,
      consul: { file: false },
    });
    assert.equal(config.rest_api.port, 9497);
    assert.ok(
      warnings.includes(
        `unknown key rest_api.prot (consul ${PREFIX}/rest_api/prot): did you mean ${PREFIX}/rest_api/port?`,
      ),
      warnings.join('\n'),
    );
    assert.ok(
      warnings.some((w) => w.includes(`consul ${PREFIX}/rest_api)`) && w.includes('is a group')),
      warnings.join('\n'),
    );
    assert.ok(logger.lines.some((l) => l.startsWith('warn: wazo-auth: unknown key rest_api.prot')));
    const error = await failure(
      auth.loadConfig({
        ...noFiles,
        env: locatedAt(server),
        logger: memoryLogger(),
        strict: true,
        consul: { file: false },
      }),
    );
    assert.match(
      error.message,
      /rest_api\.prot \(consul config\/wazo-auth\/rest_api\/prot\): unknown key \(hint: did you mean config\/wazo-auth\/rest_api\/port\?\)/,
    );
  });

  it('names the key, the Consul source and the expected type of an invalid value', async () => {
    server.kv.put(`${PREFIX}/rest_api/port`, 'eighty');
    server.kv.put(`${PREFIX}/amqp/exchange_type`, 'sideways');
    const error = await failure(loadAuth(locatedAt(server)));
    assert.match(
      error.message,
      /rest_api\.port \(consul config\/wazo-auth\/rest_api\/port\): expected an integer, got "eighty" \(hint: write a whole number/,
    );
    assert.match(
      error.message,
      /amqp\.exchange_type \(consul config\/wazo-auth\/amqp\/exchange_type\): expected one of "direct", "fanout", "topic", "headers", got "sideways"/,
    );
  });

  it('makes no network attempt when disabled or not located', async () => {
    const logger = memoryLogger();
    await auth.loadConfig({ ...noFiles, env: locatedAt(server), consul: false, logger });
    await auth.loadConfig({
      ...noFiles,
      env: locatedAt(server, { WAZO_CONSUL_DISABLED: 'true' }),
      consul: { file: false },
      logger,
    });
    await auth.loadConfig({ ...noFiles, env: {}, consul: { file: false }, logger });
    // The default: env and /etc/wazo-platform/consul (absent here).
    await auth.loadConfig({ ...noFiles, env: {}, logger });
    assert.equal(server.requests.length, 0);
    assert.ok(
      logger.lines.includes('debug: wazo-auth: Consul not read: disabled by env WAZO_CONSUL_DISABLED'),
      logger.lines.join('\n'),
    );
    assert.equal(logger.lines.length, 1, 'not being located is the quiet default');
  });

  it('is located by the EnvironmentFile when no variable is set', async () => {
    const dir = tempRoot();
    const file = join(dir, 'consul');
    writeFileSync(file, `# written by the installer\nWAZO_CONSUL_HOST="127.0.0.1"\nWAZO_CONSUL_PORT=${server.port}\n`);
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    const { config } = await auth.resolveConfigWithSources({
      ...noFiles,
      env: {},
      logger: memoryLogger(),
      consul: { file },
    });
    assert.equal(config.log_level, 'debug');
    // The environment wins over the file, variable by variable.
    const error = await failure(
      auth.loadConfig({
        ...noFiles,
        env: { WAZO_CONSUL_PORT: '1', WAZO_CONSUL_WAIT_TIMEOUT: '0' },
        logger: memoryLogger(),
        consul: { file },
      }),
    );
    assert.match(
      error.message,
      /consul http:\/\/127\.0\.0\.1:1 \(located by file .*consul \(WAZO_CONSUL_HOST\); env WAZO_CONSUL_PORT; default scheme\): Consul did not answer \(one attempt, waiting is off\)/,
    );
  });
});

describe('a sample schema through Consul', () => {
  let project: TempProject;
  let sample: {
    loadConfig(o?: LoadOptions): Promise<Record<string, unknown> & { bus: Record<string, unknown> }>;
    service: ServiceSpec;
  };
  let server: ConsulTestServer;
  before(async () => {
    project = await tempProject({
      'wazo-sample': readJson(join(REPO, 'test/fixtures/schemas/wazo-sample.schema.json')),
    });
    sample = await project.loader('wazo-sample');
    server = await startConsulServer();
  });
  after(async () => {
    await server.close();
    project.cleanup();
  });

  it('reads percent-encoded segments, unions, comma lists, and masks secrets in problems', async () => {
    server.kv.put('config/wazo-sample/bus/a%2Fb', 'from consul');
    server.kv.put('config/wazo-sample/sysconfd_port', '"8669"');
    server.kv.put('config/wazo-sample/ids', '3,4');
    server.kv.put('config/wazo-sample/extra', '{"any": [1]}');
    const env = locatedAt(server);
    const config = await sample.loadConfig({ ...noFiles, env, logger: memoryLogger(), consul: { file: false } });
    assert.equal(config.bus['a/b'], 'from consul');
    assert.equal(config.sysconfd_port, '8669');
    assert.deepEqual(config.ids, [3, 4]);
    assert.deepEqual(config.extra, { any: [1] });
    server.kv.put('config/wazo-sample/bus/token', 'short');
    const error = await failure(
      sample.loadConfig({ ...noFiles, env, logger: memoryLogger(), consul: { file: false } }),
    );
    assert.match(error.message, /bus\.token \(consul config\/wazo-sample\/bus\/token\): .*got \*\*\*\*\*/);
    assert.ok(!error.message.includes('short'));
  });
});

describe('waiting for Consul', () => {
  it('waits for a Consul that starts 3 s after the service, then loads', async () => {
    const port = await freePort();
    const logger = memoryLogger();
    const started = Date.now();
    let server: ConsulTestServer | undefined;
    const timer = setTimeout(async () => {
      server = await startConsulServer({ port });
      server.kv.put(`${PREFIX}/log_level`, 'warning');
    }, 3000);
    try {
      const config = await auth.loadConfig({
        ...noFiles,
        env: locatedAt({ port }),
        logger,
        consul: { file: false, waitTimeoutMs: 20_000, backoff: { initialMs: 100, maxMs: 800 } },
      });
      assert.equal(config.log_level, 'warning');
      assert.ok(Date.now() - started >= 3000);
      const waits = logger.lines.filter((l) => l.includes('is not reachable'));
      assert.ok(waits.length >= 3 && waits.length <= 12, `${waits.length} log lines`);
      assert.match(
        waits[0]!,
        new RegExp(
          `^info: wazo-auth: Consul at http://127\\.0\\.0\\.1:${port} \\(located by env WAZO_CONSUL_HOST, WAZO_CONSUL_PORT; default scheme\\) is not reachable: connect ECONNREFUSED`,
        ),
      );
    } finally {
      clearTimeout(timer);
      await server?.close();
    }
  });

  it('fails with one clear error when Consul never starts', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await failure(
      auth.loadConfig({
        ...noFiles,
        env: locatedAt({ port }),
        logger: memoryLogger(),
        consul: { file: false, waitTimeoutMs: 1200, backoff: { initialMs: 100, maxMs: 400 } },
      }),
    );
    const elapsed = Date.now() - started;
    assert.ok(
      elapsed >= 1200 && elapsed < 30_000,
      `${elapsed} ms: the 1.2 s wait, then the error (the default wait would be 60 s)`,
    );
    assert.equal(error.problems.length, 1);
    assert.match(
      error.message,
      new RegExp(
        `consul http://127\\.0\\.0\\.1:${port} \\(located by env WAZO_CONSUL_HOST, WAZO_CONSUL_PORT; default scheme\\): ` +
          `Consul did not answer within 1\\.2 s \\(\\d+ attempts\\); last error: connect ECONNREFUSED .* \\(hint: start Consul or fix its address .*WAZO_CONSUL_WAIT_TIMEOUT.*WAZO_CONSUL_DISABLED=true`,
      ),
    );
  });

  it('waits through a leaderless Consul (500 No cluster leader)', async () => {
    const server = await startConsulServer();
    try {
      server.faults.failNext(2);
      server.kv.put(`${PREFIX}/debug`, 'true');
      const logger = memoryLogger();
      const config = await auth.loadConfig({
        ...noFiles,
        env: locatedAt(server),
        logger,
        consul: { file: false, backoff: { initialMs: 10, maxMs: 20 } },
      });
      assert.equal(config.debug, true);
      assert.equal(logger.lines.filter((l) => l.includes('is not reachable: 500 No cluster leader')).length, 2);
    } finally {
      await server.close();
    }
  });
});

describe('Consul with ACLs', () => {
  const TOKEN = 'b0a3c1e4-secret-token';
  let server: ConsulTestServer;
  before(async () => {
    server = await startConsulServer({
      acl: { tokens: { [TOKEN]: { rules: { key_prefix: { 'config/': 'read' } } } } },
    });
    server.kv.put(`${PREFIX}/log_level`, 'error');
  });
  after(() => server.close());

  it('loads with the token', async () => {
    const config = await auth.loadConfig({
      ...noFiles,
      env: locatedAt(server, { WAZO_CONSUL_TOKEN: TOKEN }),
      logger: memoryLogger(),
      consul: { file: false },
    });
    assert.equal(config.log_level, 'error');
    assert.equal(server.requests.at(-1)!.headers['x-consul-token'], TOKEN);
  });

  it('says to set WAZO_CONSUL_TOKEN when the request carried none (Consul masks the filtered header then: only the default policy tells)', async () => {
    const error = await failure(loadAuth(locatedAt(server)));
    assert.equal(server.requests.at(-1)!.headers['x-consul-token'], undefined);
    assert.match(
      error.message,
      /Consul denied reading config\/wazo-auth\/: ACLs deny by default and no token was given \(X-Consul-Default-Acl-Policy: deny\)/,
    );
    assert.match(error.message, /hint: the request carried no ACL token: set WAZO_CONSUL_TOKEN/);
  });

  it('says which keys a token could not read when Consul filtered some out', async () => {
    const partial = 'partial-reader-token';
    const acl = await startConsulServer({
      acl: { tokens: { [partial]: { rules: { key_prefix: { 'config/': 'read', [`${PREFIX}/log_level`]: 'deny' } } } } },
    });
    try {
      acl.kv.put(`${PREFIX}/log_level`, 'error');
      acl.kv.put(`${PREFIX}/debug`, 'true');
      const error = await failure(loadAuth(locatedAt(acl, { WAZO_CONSUL_TOKEN: partial })));
      assert.match(
        error.message,
        /keys under config\/wazo-auth\/ were left out by ACL filtering \(X-Consul-Results-Filtered-By-ACLs\)/,
      );
      assert.match(
        error.message,
        /hint: the ACL token from env WAZO_CONSUL_TOKEN is unknown to Consul or lacks key:read/,
      );
    } finally {
      await acl.close();
    }
  });

  it('says the token is unknown or lacks key:read, without printing it', async () => {
    const wrong = 'not-the-token-4711';
    const started = Date.now();
    const error = await failure(loadAuth(locatedAt(server, { WAZO_CONSUL_TOKEN: wrong })));
    assert.ok(Date.now() - started < 15_000, 'a 403 is not waited for (the wait for Consul is 60 s)');
    assert.match(
      error.message,
      /Consul denied reading config\/wazo-auth\/: 403 ACL not found \(hint: the ACL token from env WAZO_CONSUL_TOKEN is unknown to Consul or lacks key:read/,
    );
    assert.ok(!error.message.includes(wrong));
  });
});

describe('Consul over https', () => {
  let tls: Awaited<ReturnType<typeof makeTls>>;
  let server: ConsulTestServer;
  before(async () => {
    tls = await makeTls();
    server = await startConsulServer({ tls: { cert: tls.cert, key: tls.key } });
    server.kv.put(`${PREFIX}/log_level`, 'critical');
  });
  after(async () => {
    await server.close();
    tls.cleanup();
  });

  it('loads with the CA file', async () => {
    const env = locatedAt(server, { WAZO_CONSUL_SCHEME: 'https', WAZO_CONSUL_CACERT: tls.caFile });
    const config = await auth.loadConfig({ ...noFiles, env, logger: memoryLogger(), consul: { file: false } });
    assert.equal(config.log_level, 'critical');
  });

  it('says to set WAZO_CONSUL_CACERT when the certificate cannot be verified', async () => {
    const started = Date.now();
    const error = await failure(loadAuth(locatedAt(server, { WAZO_CONSUL_SCHEME: 'https' })));
    assert.ok(Date.now() - started < 15_000, 'a TLS failure is not waited for (the wait for Consul is 60 s)');
    assert.match(
      error.message,
      new RegExp(`TLS with https://127\\.0\\.0\\.1:${server.port} failed: .*(certificate|UNABLE_TO)`),
    );
    assert.match(
      error.message,
      /hint: set WAZO_CONSUL_CACERT to the PEM file of the CA that signed Consul's certificate/,
    );
  });

  it('names an unreadable CA file', async () => {
    const missing = join(tls.dir, 'nope.pem');
    const error = await failure(
      loadAuth(locatedAt(server, { WAZO_CONSUL_SCHEME: 'https', WAZO_CONSUL_CACERT: missing })),
    );
    assert.match(error.message, new RegExp(`cannot read the CA file ${missing} \\(ENOENT\\)`));
  });
});
