/**
 * The Python runtime's Connect TLS (python/wazo_config/connect/) against the test server's Connect
 * CA, with the loaders generated from test/connect/fixtures: the same paths, sources and messages as
 * the TypeScript loader; a Python `ssl` server serving with its leaf, called with mutual TLS by a
 * Node client and by a Python client, each with its own leaf; the server's leaf renewing and the
 * roots rotating while it keeps serving (seen by its watcher, reloaded with `reload_ssl_context`); a
 * caller the intentions deny refused by the authorize helper. Every written certificate is checked
 * with openssl. Each scenario is one Python process (test/python/connect_scenario.py).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  connectClientOptions,
  ConfigError,
  type LoadOptions,
  type ServiceSpec,
  type Watcher,
  type WatchHandlers,
  type WatchOptions,
} from '../../generator/runtime/index.ts';
import type { ConsulTestServer } from '../consul-server/server.ts';
import { assertConnectCertificate, connectFixtures, httpsGet, type ConnectFixtures } from '../connect/helpers.ts';
import { memoryLogger, REPO, type TempProject } from '../helpers.ts';
import { missingTool } from '../missing-tool.ts';
import { until } from '../watch/helpers.ts';
import { PYTHON } from './harness.ts';
import { result, scenario } from './scenario.ts';

const skip = missingTool('openssl', ['version'], 'openssl');
const SCRIPT = 'connect_scenario.py';
const schema = (name: string) =>
  readFileSync(join(import.meta.dirname, '../connect/fixtures', `${name}.schema.json`), 'utf8');

interface ClientConfig {
  server: { cert_file: string | null; key_file: string | null; verify_certificate: boolean | string };
}
interface Loader<C> {
  service: ServiceSpec;
  loadConfig(options?: LoadOptions<C>): Promise<C>;
  watchConfig(config: C, handlers?: WatchHandlers<C>, options?: WatchOptions<C>): Watcher<C>;
}

/** The server's schema as a service that cannot swap its certificate live: its group is not x-mutable. */
function fixedSchema(): object {
  const fixed = JSON.parse(schema('wazo-tls-server')) as {
    'x-service': Record<string, string>;
    properties: { rest_api: Record<string, unknown> };
  };
  fixed['x-service'] = {
    name: 'wazo-tls-fixed',
    configFile: '/nonexistent/fixed.yml',
    configDir: '/nonexistent/fixed.d',
  };
  delete fixed.properties.rest_api['x-mutable'];
  return fixed;
}

/** Every line a scenario printed, as text: what must never hold a key. */
const printed = (lines: Record<string, unknown>[]) => lines.map((l) => JSON.stringify(l)).join('\n');

describe('the Python runtime with Consul Connect', { skip }, () => {
  let fixtures: ConnectFixtures;
  let consul: ConsulTestServer;
  let project: TempProject;
  const env = (token: string) => fixtures.env(token);
  const configPy = (service: string) => join(project.root, 'generated', service, 'config.py');

  before(async () => {
    fixtures = await connectFixtures({ 'wazo-tls-fixed': fixedSchema() });
    ({ consul, project } = fixtures);
  });
  after(async () => {
    await fixtures?.close();
  });

  it('loads the paths of the leaf, its key (0600) and the roots, attributed consul connect, openssl-verified', async () => {
    const pemDir = join(project.root, 'pem-load');
    const py = await result(
      { scenario: 'load', module: configPy('wazo-tls-server'), env: env('server'), pem_files: { dir: pemDir } },
      SCRIPT,
    );
    assert.equal(py.result, 'config', JSON.stringify(py.lines));
    const config = py.config as { rest_api: Record<string, string> };
    const { certificate, private_key, ca_certificate } = config.rest_api;
    assert.deepEqual(py.sources, {
      'rest_api.certificate': 'consul connect',
      'rest_api.private_key': 'consul connect',
      'rest_api.ca_certificate': 'consul connect',
    });
    assert.deepEqual(Object.values(py.modes as object), ['0o600', '0o600', '0o600']);
    assert.match(certificate!, /connect-leaf\.crt$/);
    assertConnectCertificate(certificate!, ca_certificate!, consul.connect!.serviceUri('wazo-tls-server'));
    const key = spawnSync('openssl', ['pkey', '-in', private_key!, '-pubout'], { encoding: 'utf8' });
    const fromCert = spawnSync('openssl', ['x509', '-in', certificate!, '-noout', '-pubkey'], { encoding: 'utf8' });
    assert.equal(key.stdout, fromCert.stdout, 'the key file holds the certificate key');
    assert.doesNotMatch(printed(py.lines), /PRIVATE KEY/);
  });

  it('refuses a denied leaf and an expired one with the messages of the TypeScript loader, and no key anywhere', async () => {
    const denied = await result({ scenario: 'load', module: configPy('wazo-tls-server'), env: env('client') }, SCRIPT);
    assert.equal(denied.result, 'problems', JSON.stringify(denied.lines));
    assert.match(
      String(denied.message),
      /rest_api \(consul connect\): Consul denied the Connect leaf certificate of wazo-tls-server: 403 .*\(hint: the token from env WAZO_CONSUL_TOKEN needs service:write on wazo-tls-server: service "wazo-tls-server" \{ policy = "write" \}\)/,
    );
    assert.doesNotMatch(printed(denied.lines), /PRIVATE KEY/);

    const clientLoader = (await project.loader('wazo-tls-client')) as Loader<ClientConfig>;
    consul.connect!.expireLeaf('wazo-tls-client');
    try {
      const expired = await result(
        { scenario: 'load', module: configPy('wazo-tls-client'), env: env('client') },
        SCRIPT,
      );
      assert.equal(expired.result, 'problems', JSON.stringify(expired.lines));
      const [problem] = expired.problems as { key: string; source: string; message: string; hint: string }[];
      assert.match(
        problem!.message,
        /^the Connect leaf certificate of wazo-tls-client \(serial [0-9a-f:]+\) expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/,
      );
      assert.match(problem!.hint, /^nothing was written/);
      const typescript = await clientLoader.loadConfig({ env: env('client'), logger: memoryLogger() }).then(
        () => assert.fail('the TypeScript loader took an expired leaf'),
        (error: unknown) => (error as ConfigError).problems[0]!,
      );
      assert.deepEqual(
        [problem!.key, problem!.source, problem!.message],
        [typescript.key, typescript.source, typescript.message],
      );
      assert.doesNotMatch(printed(expired.lines), /PRIVATE KEY/);
    } finally {
      consul.connect!.renew('wazo-tls-client');
    }
  });

  it('serves mutual TLS with its leaf: callers authorized by the intentions, renewal and rotation reloaded live', async () => {
    consul.connect!.setIntention('wazo-tls-client', 'wazo-tls-server', 'allow');
    consul.connect!.setIntention('*', 'wazo-tls-server', 'deny');
    const clientLoader = (await project.loader('wazo-tls-client')) as Loader<ClientConfig>;
    const clientConfig = await clientLoader.loadConfig({ env: env('client'), logger: memoryLogger() });
    // The client's leaf lives 8 s too: its watcher keeps its files current (connectClientOptions reads them per call).
    const clientWatcher = clientLoader.watchConfig(
      clientConfig,
      {},
      { env: env('client'), logger: memoryLogger(), restart: 'emit', sighup: false, blockingWaitMs: 2000 },
    );
    const server = scenario(
      {
        scenario: 'serve',
        server: configPy('wazo-tls-server'),
        client: configPy('wazo-tls-client'),
        env: env('server'),
        client_env: env('client'),
      },
      SCRIPT,
    );
    try {
      await until('the Python server', () => server.lines.some((l) => l.result === 'ready' || l.stderr), 20_000);
      const ready = server.lines.find((l) => l.result === 'ready');
      assert.ok(ready, JSON.stringify(server.lines));
      const port = ready.port as number;

      /** A Node client with the client service's own leaf (or another's), wanting the server's SPIFFE ID. */
      const nodeCall = (leaf?: { certPem: string; privateKeyPem: string }) =>
        httpsGet(port, {
          ...connectClientOptions(clientLoader.service, clientConfig, 'wazo-tls-server'),
          ...(leaf ? { cert: Buffer.from(leaf.certPem), key: Buffer.from(leaf.privateKeyPem) } : {}),
        });
      /** The Python client of the scenario, with the client service's leaf. */
      const pythonCall = async (command = 'call') => {
        const before = server.lines.length;
        server.send(command);
        await until(
          'the Python call',
          () => server.lines.slice(before).some((l) => l.result || l.stderr),
          10_000,
        ).catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(server.lines.slice(before))}`));
        return server.lines.slice(before).find((l) => l.result || l.stderr)!;
      };

      const first = await nodeCall();
      assert.equal(first.status, 200, first.body);
      assert.equal(first.body, `hello ${consul.connect!.serviceUri('wazo-tls-client')}`);
      const fromPython = await pythonCall();
      assert.equal(fromPython.result, 'called', JSON.stringify(fromPython));
      assert.equal(fromPython.status, 200, JSON.stringify(fromPython));
      assert.equal(fromPython.body, `hello ${consul.connect!.serviceUri('wazo-tls-client')}`);
      // The Python client wants the server's identity: a server that is not the one asked for is refused.
      const wrongServer = await pythonCall('call-as wazo-other');
      assert.equal(wrongServer.result, 'refused', JSON.stringify(wrongServer));
      assert.match(
        String(wrongServer.error),
        new RegExp(`the server is ${consul.connect!.serviceUri('wazo-tls-server')}, not .*/svc/wazo-other`),
      );

      // A caller with a valid leaf of another service: the handshake succeeds, the intentions refuse it.
      const refused = await nodeCall(consul.connect!.leaf('intruder'));
      assert.equal(refused.status, 403);
      assert.equal(refused.body, 'Matched L4 intention: * => wazo-tls-server (deny)');

      // The agent renews the server's leaf at half its 8 s life: same process, new certificate.
      const changes = () => server.lines.filter((l) => l.event === 'change');
      await until(
        'the renewal of the server leaf',
        () => changes().some((c) => /leaf .* → /.test(String(c.detail))),
        20_000,
      );
      const change = changes().find((c) => /leaf/.test(String(c.detail)))!;
      assert.deepEqual(change.keys, ['rest_api.certificate', 'rest_api.private_key', 'rest_api.ca_certificate']);
      assert.match(
        String(change.detail),
        /^rest_api\.certificate: ".*" → ".*" \(consul connect: leaf [0-9a-f:]+ → [0-9a-f:]+\);/,
      );
      const renewed = await nodeCall();
      assert.equal(renewed.status, 200, renewed.body);
      assert.notEqual(renewed.serial, first.serial, 'the client sees the new serial');

      // Roots rotate: the server rewrites its bundle and leaf, and keeps serving.
      const seen = changes().length;
      consul.connect!.rotateRoots();
      await until(
        'the rotation at the server',
        () =>
          changes()
            .slice(seen)
            .some((c) => /roots rotated/.test(String(c.detail))),
        20_000,
      );
      await until(
        'the new leaf',
        () =>
          changes()
            .slice(seen)
            .some((c) => /leaf/.test(String(c.detail))),
        20_000,
      );
      const rotated = await nodeCall();
      assert.equal(rotated.status, 200, rotated.body);
      assert.notEqual(rotated.serial, renewed.serial);
      const afterRotation = await pythonCall();
      assert.equal(afterRotation.status, 200, JSON.stringify(afterRotation));
      const ca = readFileSync(String(ready.ca), 'utf8');
      assert.equal(ca.match(/BEGIN CERTIFICATE/g)?.length, 2, 'the bundle holds the new root and the old one');

      assert.deepEqual(
        server.lines.filter((l) =>
          ['error', 'client-error', 'server-error', 'restart_required'].includes(String(l.event)),
        ),
        [],
      );
      server.send('stop');
      assert.equal(await server.exited, 0, JSON.stringify(server.lines.slice(-5)));
      assert.doesNotMatch(printed(server.lines), /PRIVATE KEY/);
    } finally {
      server.kill();
      clientWatcher.close();
    }
  });

  it('a watcher whose Connect follower is slow to build starts on the Connect files: no cycle runs without them', async () => {
    const watching = scenario(
      { scenario: 'follow', module: configPy('wazo-tls-server'), env: env('server'), slow_follower_ms: 1500 },
      SCRIPT,
    );
    try {
      await until('the watcher', () => watching.lines.some((l) => l.result === 'ready' || l.stderr), 20_000);
      const ready = watching.lines.find((l) => l.result === 'ready');
      assert.ok(ready, JSON.stringify(watching.lines));
      // Its first cycle has run (ready): a cycle without the follower would have set the group's paths to null, live.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(
        watching.lines.filter((l) => l.event),
        [],
        'no event at start: the Connect keys keep their files',
      );
      const { certificate } = (ready.config as { rest_api: Record<string, string | null> }).rest_api;
      assert.match(String(certificate), /connect-leaf\.crt$/);
      watching.send('stop');
      assert.equal(await watching.exited, 0);
    } finally {
      watching.kill();
    }
  });

  it('a group without x-mutable: a renewal asks for a restart; an expired leaf is refused and the last good files stay', async () => {
    const watching = scenario(
      { scenario: 'follow', module: configPy('wazo-tls-fixed'), env: env('wazo-tls-fixed') },
      SCRIPT,
    );
    try {
      await until('the watcher', () => watching.lines.some((l) => l.result === 'ready' || l.stderr), 20_000);
      const ready = watching.lines.find((l) => l.result === 'ready');
      assert.ok(ready, JSON.stringify(watching.lines));
      const { certificate, private_key } = (ready.config as { rest_api: Record<string, string> }).rest_api;
      const good = consul.connect!.peekLeaf('wazo-tls-fixed')!;
      const written = () => [readFileSync(certificate!, 'utf8'), readFileSync(private_key!, 'utf8')];
      const before = written();
      assert.ok(before[0]!.startsWith(good.certPem.slice(0, 200)), 'the good leaf is written');

      const expired = consul.connect!.expireLeaf('wazo-tls-fixed');
      const servedExpiry = new Date(Math.floor(expired.validBefore.getTime() / 1000) * 1000); // Consul's whole seconds
      const events = (name: string) => watching.lines.filter((l) => l.event === name);
      await until('the refusal', () => events('error').length > 0, 20_000);
      assert.equal(
        events('error')[0]!.detail,
        `wazo-tls-fixed: the Connect leaf certificate of wazo-tls-fixed (serial ${expired.serialNumber}) expired at ` +
          `${servedExpiry.toISOString()}; keeping the last good one (serial ${good.serialNumber})`,
      );
      assert.deepEqual(written(), before, 'the expired leaf is not written');

      const renewed = consul.connect!.renew('wazo-tls-fixed');
      await until('the restart asked for', () => events('restart_required').length > 0, 20_000);
      const [restart] = events('restart_required');
      assert.deepEqual(restart!.keys, ['rest_api.certificate', 'rest_api.private_key', 'rest_api.ca_certificate']);
      assert.match(
        String(restart!.detail),
        new RegExp(`\\(consul connect: leaf ${good.serialNumber} → ${renewed.serialNumber}\\)`),
      );
      assert.deepEqual(events('change'), []);
      assert.notDeepEqual(written(), before, 'the renewed leaf is written');
      assert.doesNotMatch(printed(watching.lines), /PRIVATE KEY/);
      watching.send('stop');
      assert.equal(await watching.exited, 0);
    } finally {
      watching.kill();
    }
  });

  it('the config.py of a service with a marked group passes mypy --strict', () => {
    const done = spawnSync(
      PYTHON,
      [
        '-m',
        'mypy',
        '--strict',
        '--no-error-summary',
        '--cache-dir',
        join(REPO, '.test-tmp', 'mypy-cache'),
        configPy('wazo-tls-server'),
      ],
      { cwd: REPO, encoding: 'utf8', env: { ...process.env, MYPYPATH: join(REPO, 'python') } },
    );
    assert.equal(done.status, 0, done.stdout + done.stderr);
    assert.match(readFileSync(configPy('wazo-tls-server'), 'utf8'), /connect_tls=ConnectTlsSpec\(\("rest_api",\), /);
  });
});
