/**
 * The loader's discovery options in-process, against the Consul test server: waiting for
 * dependencies (and its timeouts), `x-discover` values and their priority, PEM content to files.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Consul from 'consul';
import {
  ConfigError,
  pemFiles,
  watchDiscovery,
  type DiscoveryChange,
  type KeyChange,
  type LoadOptions,
  type WatchHandlers,
} from '../../generator/runtime/index.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { freePort, makeTls, type TlsMaterial } from '../consul/helpers.ts';
import { memoryLogger, tempRoot } from '../helpers.ts';
import { consulEnv, discoveryProject, type ConfigB, type DiscoveryProject } from './helpers.ts';

let project: DiscoveryProject;
const scratch: string[] = [];
/** A throw-away directory, removed after the tests. */
const scratchDir = () => (scratch.push(tempRoot()), scratch.at(-1)!);
before(async () => {
  project = await discoveryProject();
});
after(() => {
  project.cleanup();
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const noFiles = { configFile: false, configDir: false } as const;
const fast = { file: false, backoff: { initialMs: 50, maxMs: 200 } } as const;

async function failure(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  return assert.fail('expected a ConfigError');
}

/** A server and a client to register instances with, as a service would. */
async function consulWith(): Promise<{ server: ConsulTestServer; consul: Consul; close(): Promise<void> }> {
  const server = await startConsulServer();
  const consul = new Consul(server.clientOptions);
  return { server, consul, close: async () => (consul.destroy(), await server.close()) };
}

const register = (consul: Consul, id: string, extra: Record<string, unknown> = {}) =>
  consul.agent.service.register({ name: 'wazo-a', id, address: '10.0.0.5', port: 9497, ...extra });

describe('waiting for dependencies', () => {
  it('returns at once when A has a passing instance, and waits on a blocking query until it has one', async () => {
    const c = await consulWith();
    try {
      await c.consul.agent.service.register({
        name: 'wazo-a',
        id: 'a1',
        port: 1,
        check: { name: 'a1 ttl', ttl: '10s', timeout: '1s' },
      });
      const logger = memoryLogger();
      const loading = project.b.loadConfig({
        ...noFiles,
        env: consulEnv(c.server.port),
        logger,
        consul: fast,
        waitForDependencies: { timeoutMs: 10_000, blockMs: 5_000 },
      });
      await new Promise((r) => setTimeout(r, 400));
      await c.consul.agent.check.pass('service:a1'); // A's check passes: the blocking query answers
      const started = Date.now();
      const config = await loading;
      assert.ok(Date.now() - started < 4000, 'answered by the blocking query, not by its 5 s timeout');
      assert.equal(config.a.port, 1);
      const healthReads = c.server.requests.filter((r) => r.path === '/v1/health/service/wazo-a');
      assert.ok(
        healthReads.some(
          (r) => r.query.has('passing') && Number(r.query.get('index')) > 0 && r.query.get('wait') === '5000ms',
        ),
        'a blocking ?passing query',
      );
      assert.ok(healthReads.length <= 5, `${healthReads.length} reads`);
      assert.ok(
        logger.lines.some((l) =>
          /^info: wazo-b: waiting for wazo-a: no passing instance in Consul at http:\/\/127\.0\.0\.1:\d+ yet \(\d+\.\d s; waiting up to 10 s in all\)$/.test(
            l,
          ),
        ),
        logger.lines.join('\n'),
      );
    } finally {
      await c.close();
    }
  });

  it('fails with one clear error naming each missing dependency when the timeout passes', async () => {
    const c = await consulWith();
    try {
      const started = Date.now();
      const error = await failure(
        project.b.loadConfig({
          ...noFiles,
          env: consulEnv(c.server.port),
          logger: memoryLogger(),
          consul: fast,
          waitForDependencies: { timeoutMs: 1200, blockMs: 500 },
        }),
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 1200 && elapsed < 9000, `${elapsed} ms: the 1.2 s timeout, not the 60 s default`);
      assert.equal(
        error.message,
        'wazo-b: invalid configuration (1 problem):\n' +
          '  - dependency wazo-a (consul health/service/wazo-a?passing): no passing instance of wazo-a within 1.2 s ' +
          '(hint: start wazo-a with service_discovery.enabled: true so that it registers in Consul and its TTL check passes; waitForDependencies.timeoutMs sets how long to wait)',
      );
      // The same with the default timeout, from WAZO_CONSUL_WAIT_TIMEOUT.
      const again = await failure(
        project.b.loadConfig({
          ...noFiles,
          env: consulEnv(c.server.port, { WAZO_CONSUL_WAIT_TIMEOUT: '0.5' }),
          logger: memoryLogger(),
          consul: fast,
          waitForDependencies: true,
        }),
      );
      assert.match(again.message, /within 0\.5 s \(hint: .*; WAZO_CONSUL_WAIT_TIMEOUT sets how long to wait\)/);
    } finally {
      await c.close();
    }
  });

  it('waits for an unreachable Consul with the Consul contract, then says Consul did not answer', async () => {
    const port = await freePort();
    const logger = memoryLogger();
    const error = await failure(
      project.b.loadConfig({
        ...noFiles,
        env: consulEnv(port),
        logger,
        consul: fast,
        waitForDependencies: { timeoutMs: 800 },
      }),
    );
    assert.match(
      error.message,
      new RegExp(
        `consul http://127\\.0\\.0\\.1:${port} \\(located by env WAZO_CONSUL_HOST, WAZO_CONSUL_PORT; default scheme\\): Consul did not answer within 0\\.8 s \\(\\d+ attempts\\); last error: connect ECONNREFUSED`,
      ),
    );
    assert.ok(
      logger.lines.filter((l) => l.includes('is not reachable: connect ECONNREFUSED')).length >= 2,
      logger.lines.join('\n'),
    );
  });

  it('has nothing to wait on without Consul', async () => {
    const logger = memoryLogger();
    const config = await project.b.loadConfig({
      ...noFiles,
      env: {},
      logger,
      consul: { file: false },
      waitForDependencies: true,
    });
    assert.equal(config.a.host, 'localhost');
    assert.ok(
      logger.lines.includes(
        'debug: wazo-b: not waiting for wazo-a: nothing locates Consul (no WAZO_CONSUL_HOST or other WAZO_CONSUL_* variable)',
      ),
      logger.lines.join('\n'),
    );
  });

  it('says which ACL policy the token lacks', async () => {
    const server = await startConsulServer({
      acl: { tokens: { kv: { rules: { key_prefix: { '': 'read' } } }, root: 'management' } },
    });
    const admin = new Consul({ ...server.clientOptions, defaults: { token: 'root' } });
    try {
      await register(admin, 'a1'); // there, but hidden from the token
      const error = await failure(
        project.b.loadConfig({
          ...noFiles,
          env: consulEnv(server.port, { WAZO_CONSUL_TOKEN: 'kv' }),
          logger: memoryLogger(),
          consul: fast,
          waitForDependencies: { timeoutMs: 5000 },
        }),
      );
      assert.match(
        error.message,
        /Consul denied reading the health of wazo-a: instances of wazo-a were left out by ACL filtering .* \(hint: give the ACL token \(from env WAZO_CONSUL_TOKEN\) a policy with service "wazo-a" \{ policy = "read" \}/,
      );
    } finally {
      admin.destroy();
      await server.close();
    }
  });
});

describe('x-discover', () => {
  it('fills host, port, scheme and https from the instance, over files and Consul KV, under env and overrides', async () => {
    const c = await consulWith();
    try {
      await register(c.consul, 'a2', { meta: { scheme: 'https' } });
      await register(c.consul, 'a1', { address: '', port: 9498 }); // the first by ID; no address: the node's
      c.server.kv.put('config/wazo-b/a/host', 'from-consul-kv');
      const dir = scratchDir();
      const file = join(dir, 'config.yml');
      writeFileSync(file, 'a:\n  host: from-file\n  prefix: /api/a\n');
      const env = consulEnv(c.server.port);
      const { config, tree } = await project.b.resolveConfigWithSources({
        configFile: file,
        configDir: false,
        env,
        logger: memoryLogger(),
        consul: fast,
      });
      assert.deepEqual(config.a, { host: '127.0.0.1', port: 9498, scheme: 'http', https: false, prefix: '/api/a' });
      assert.deepEqual(
        ['host', 'port', 'scheme', 'prefix'].map((k) => tree.sourceOf(['a', k])),
        ['discovered wazo-a', 'discovered wazo-a', 'default', `file ${file}`],
      );

      await c.consul.agent.service.deregister('a1');
      const second = await project.b.resolveConfigWithSources({
        ...noFiles,
        env: { ...env, WAZO_B_A_PORT: '1234' },
        logger: memoryLogger(),
        consul: fast,
        overrides: { a: { https: false } },
      });
      assert.deepEqual(second.config.a, { host: '10.0.0.5', port: 1234, scheme: 'https', https: false, prefix: null });
      assert.deepEqual(
        ['port', 'https'].map((k) => second.tree.sourceOf(['a', k])),
        ['env WAZO_B_A_PORT', 'override'],
      );

      // discover: false, or consul: false: not asked.
      c.server.requests.length = 0;
      assert.equal(
        (await project.b.loadConfig({ ...noFiles, env, logger: memoryLogger(), consul: fast, discover: false })).a.host,
        'from-consul-kv',
      );
      await project.b.loadConfig({ ...noFiles, env, logger: memoryLogger(), consul: false });
      assert.ok(!c.server.requests.some((r) => r.path.startsWith('/v1/health/')));
    } finally {
      await c.close();
    }
  });

  it('keeps the other sources when nothing was ever discovered, and the last address seen once something was', async () => {
    const c = await consulWith();
    try {
      const options: LoadOptions<ConfigB> = { ...noFiles, env: consulEnv(c.server.port), consul: fast };
      const logger = memoryLogger();
      assert.equal((await project.b.loadConfig({ ...options, logger })).a.host, 'localhost');
      assert.match(
        logger.lines.join('\n'),
        /info: wazo-b: no passing instance of wazo-a in Consul at http:\/\/127\.0\.0\.1:\d+: a keeps the values of the other sources/,
      );
      await register(c.consul, 'a1');
      assert.equal((await project.b.loadConfig({ ...options, logger })).a.host, '10.0.0.5');
      await c.consul.agent.service.deregister('a1');
      const { config, tree } = await project.b.resolveConfigWithSources({ ...options, logger });
      assert.equal(config.a.host, '10.0.0.5');
      assert.equal(tree.sourceOf(['a', 'host']), 'discovered wazo-a');
      assert.match(logger.lines.at(-1)!, /a keeps the last address seen, 10\.0\.0\.5:9497$/);
    } finally {
      await c.close();
    }
  });

  it('reports a discovered value its leaf rejects, attributed to the discovery', async () => {
    const c = await consulWith();
    try {
      await register(c.consul, 'a1', { meta: { scheme: 'gopher' } });
      const error = await failure(
        project.b.loadConfig({ ...noFiles, env: consulEnv(c.server.port), logger: memoryLogger(), consul: fast }),
      );
      assert.match(error.message, /a\.scheme \(discovered wazo-a\): expected one of "http", "https", got "gopher"/);
    } finally {
      await c.close();
    }
  });

  it('watchDiscovery reports a new address, not a disappearance, and stops', async () => {
    const c = await consulWith();
    let watch: ReturnType<typeof watchDiscovery> | undefined;
    try {
      const changes: DiscoveryChange[] = [];
      const logger = memoryLogger();
      await register(c.consul, 'a1');
      watch = watchDiscovery(
        project.b.service,
        { consul: fast, env: consulEnv(c.server.port), logger, blockMs: 2000 },
        (change) => changes.push(change),
      );
      await watch.ready;
      await c.consul.agent.service.deregister('a1');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(changes, []);
      assert.ok(
        logger.lines.includes('info: wazo-b: wazo-a has no passing instance in Consul: a keeps 10.0.0.5:9497'),
        logger.lines.join('\n'),
      );
      await register(c.consul, 'a2', { port: 9500 });
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(changes, [{ service: 'wazo-a', keys: ['a'], before: '10.0.0.5:9497', after: '10.0.0.5:9500' }]);
    } finally {
      watch?.stop();
      await c.close();
    }
  });
});

describe('watching discovered addresses', () => {
  it('watchConfig reports a moved dependency as a restart, attributed to the discovery', async () => {
    const c = await consulWith();
    const { watchConfig } = (await import(project.configTs('wazo-b'))) as {
      watchConfig(
        config: ConfigB,
        handlers: WatchHandlers<ConfigB>,
        options: LoadOptions<ConfigB> & Record<string, unknown>,
      ): { ready: Promise<void>; close(): Promise<void> };
    };
    let watcher: { close(): Promise<void> } | undefined;
    try {
      await register(c.consul, 'a1');
      const options = { ...noFiles, consul: fast, env: consulEnv(c.server.port), logger: memoryLogger() };
      const config = await project.b.loadConfig(options);
      assert.equal(config.a.port, 9497);
      const restarts: KeyChange[][] = [];
      const w = watchConfig(
        config,
        { restartRequired: (event) => void restarts.push(event.changes) },
        { ...options, restart: 'emit', wait: { minMs: 0 }, blockingWaitMs: 2000, sighup: false },
      );
      watcher = w;
      await w.ready;
      await register(c.consul, 'a1', { port: 9600 });
      for (let i = 0; i < 40 && restarts.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        restarts[0]?.map((k) => [k.path.join('.'), k.oldValue, k.newValue, k.source]),
        [['a.port', 9497, 9600, 'discovered wazo-a']],
      );
    } finally {
      await watcher?.close();
      await c.close();
    }
  });
});

describe('PEM content to files', () => {
  let tls: TlsMaterial;
  before(async () => {
    tls = await makeTls();
  });
  after(() => tls.cleanup());

  it('writes env content to 0600 files in a 0700 directory, the same files on every load, and says where', async () => {
    const env = { WAZO_B_TLS_CERTIFICATE: tls.cert, WAZO_B_TLS_PRIVATE_KEY: tls.key };
    const first = await project.b.resolveConfigWithSources({ ...noFiles, env, logger: memoryLogger() });
    const files = first.pemFiles!;
    assert.deepEqual(Object.keys(files.paths), ['tls.certificate', 'tls.private_key']);
    assert.equal(statSync(files.dir).mode & 0o777, 0o700);
    for (const path of Object.values(files.paths)) assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(readFileSync(files.paths['tls.private_key']!, 'utf8'), tls.key);
    assert.equal(pemFiles(first.config), files);
    // A second load (a watcher's reload): the same paths; a value now unset loses its file.
    const second = await project.b.loadConfig({
      ...noFiles,
      env: { WAZO_B_TLS_CERTIFICATE: tls.cert },
      logger: memoryLogger(),
    });
    assert.deepEqual(pemFiles(second)!.paths, { 'tls.certificate': files.paths['tls.certificate'] });
    assert.throws(() => statSync(files.paths['tls.private_key']!), /ENOENT/);
    // Nothing PEM set, nothing written; pemFiles: false writes nothing.
    assert.equal(
      pemFiles(await project.b.loadConfig({ ...noFiles, env, logger: memoryLogger(), pemFiles: false })),
      undefined,
    );
  });

  it('refuses a path or an escaped one-line value, masking the key', async () => {
    const error = await failure(
      project.b.loadConfig({
        ...noFiles,
        env: { WAZO_B_TLS_CERTIFICATE: '/etc/ssl/cert.pem', WAZO_B_TLS_PRIVATE_KEY: tls.key.replaceAll('\n', '\\n') },
        logger: memoryLogger(),
      }),
    );
    assert.equal(error.problems.length, 2);
    assert.match(
      error.message,
      /tls\.certificate \(env WAZO_B_TLS_CERTIFICATE\): expected PEM text \(-----BEGIN …----- on its own line\), got "\/etc\/ssl\/cert\.pem" \(hint: this setting holds the certificate or key itself, not a file path/,
    );
    assert.match(
      error.message,
      /tls\.private_key \(env WAZO_B_TLS_PRIVATE_KEY\): expected PEM text .*, got \*\*\*\*\*/,
    );
    assert.ok(!error.message.includes('PRIVATE KEY-----'));
  });

  it('uses a directory the program chooses only when it is private', async () => {
    const dir = join(scratchDir(), 'pem');
    const env = { WAZO_B_TLS_CERTIFICATE: tls.cert };
    const { pemFiles: files } = await project.b.resolveConfigWithSources({
      ...noFiles,
      env,
      logger: memoryLogger(),
      pemFiles: { dir },
    });
    assert.equal(files!.paths['tls.certificate'], join(dir, 'tls.certificate.pem'));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const open = join(scratchDir(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    const error = await failure(
      project.b.loadConfig({ ...noFiles, env, logger: memoryLogger(), pemFiles: { dir: open } }),
    );
    assert.match(
      error.message,
      /pem files \(the program's options\): the directory .*\/open is not private: mode 755: others may read it \(hint: let the service own it with mode 0700 \(chmod 700 .*\/open\)\)/,
    );
  });
});
