/**
 * Internal TLS from Consul Connect, end to end against the test server's Connect CA: the loader
 * writes each service's leaf, key and roots and puts their paths in the config; a server serves
 * https with its leaf and asks Consul who may call it; a client calls it with its own leaf; the
 * server's leaf renews and rotates without a restart. Every certificate written is checked with
 * openssl.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import {
  connectAuthorizer,
  connectClientOptions,
  connectTlsOptions,
  reloadSecureContext,
  type ChangeEvent,
  type LoadOptions,
  type Resolved,
  type ServiceSpec,
  type Watcher,
  type WatchErrorEvent,
  type WatchHandlers,
  type WatchOptions,
} from '../../generator/runtime/index.ts';
import type { ConsulTestServer } from '../consul-server/server.ts';
import { memoryLogger } from '../helpers.ts';
import { missingTool } from '../missing-tool.ts';
import { assertConnectCertificate, connectFixtures, httpsGet, type ConnectFixtures } from './helpers.ts';

const skip = missingTool('openssl', ['version'], 'openssl');

interface ServerConfig {
  rest_api: { port: number; certificate: string | null; private_key: string | null; ca_certificate: string | null };
}
interface ClientConfig {
  server: { cert_file: string | null; key_file: string | null; verify_certificate: boolean | string };
}
interface Loader<C> {
  service: ServiceSpec;
  loadConfig(options?: LoadOptions<C>): Promise<C>;
  resolveConfigWithSources(options?: LoadOptions<C>): Promise<Resolved<C>>;
  watchConfig(config: C, handlers?: WatchHandlers<C>, options?: WatchOptions<C>): Watcher<C>;
}

function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() - start > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 50);
    };
    poll();
  });
}

describe('Connect TLS end to end', { skip }, () => {
  let fixtures: ConnectFixtures;
  let consul: ConsulTestServer;
  let serverLoader: Loader<ServerConfig>;
  let clientLoader: Loader<ClientConfig>;
  const env = (token: string) => fixtures.env(token);
  const closers: (() => unknown)[] = [];

  before(async () => {
    fixtures = await connectFixtures();
    consul = fixtures.consul;
    serverLoader = await fixtures.project.loader('wazo-tls-server');
    clientLoader = await fixtures.project.loader('wazo-tls-client');
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await fixtures?.close();
  });

  it('loads the paths of the leaf, its key (0600) and the roots, attributed consul connect, openssl-verified', async () => {
    const { config, tree } = await serverLoader.resolveConfigWithSources({
      env: env('server'),
      logger: memoryLogger(),
    });
    const { certificate, private_key, ca_certificate } = config.rest_api;
    assert.equal(tree.sourceOf(['rest_api', 'certificate']), 'consul connect');
    assert.equal(tree.sourceOf(['rest_api', 'ca_certificate']), 'consul connect');
    assert.equal(statSync(private_key!).mode & 0o777, 0o600);
    assert.equal(statSync(certificate!).mode & 0o777, 0o600);
    assertConnectCertificate(certificate!, ca_certificate!, consul.connect!.serviceUri('wazo-tls-server'));
  });

  it('without service:write on the service, loading fails with the policy to give, and no key anywhere', async () => {
    const logger = memoryLogger();
    await assert.rejects(serverLoader.loadConfig({ env: env('client'), logger }), (error: Error) => {
      assert.match(
        error.message,
        /rest_api \(consul connect\): Consul denied the Connect leaf certificate of wazo-tls-server/,
      );
      assert.match(error.message, /service "wazo-tls-server" \{ policy = "write" \}/);
      assert.doesNotMatch(error.message + logger.lines.join('\n'), /PRIVATE KEY/);
      return true;
    });
  });

  it('an expired leaf is never written: loading fails with the reason', async () => {
    consul.connect!.expireLeaf('wazo-tls-client');
    try {
      await assert.rejects(clientLoader.loadConfig({ env: env('client'), logger: memoryLogger() }), (error: Error) => {
        assert.match(
          error.message,
          /server \(consul connect\): the Connect leaf certificate of wazo-tls-client \(serial [0-9a-f:]+\) expired at /,
        );
        assert.doesNotMatch(error.message, /PRIVATE KEY/);
        return true;
      });
    } finally {
      consul.connect!.renew('wazo-tls-client');
    }
  });

  it('mutual TLS: the client calls with its leaf, the server renews and rotates live, intentions refuse a caller', async () => {
    const serverLog = memoryLogger();
    const serverConfig = await serverLoader.loadConfig({ env: env('server'), logger: serverLog });
    const clientConfig = await clientLoader.loadConfig({ env: env('client'), logger: memoryLogger() });
    const authorizer = connectAuthorizer('wazo-tls-server', { env: env('server') });
    closers.push(() => authorizer.close());
    consul.connect!.setIntention('wazo-tls-client', 'wazo-tls-server', 'allow');
    consul.connect!.setIntention('*', 'wazo-tls-server', 'deny');

    const server: Server = createServer(
      { ...connectTlsOptions(serverLoader.service, serverConfig), requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        void authorizer.authorize(req.socket as TLSSocket).then((answer) => {
          res.writeHead(answer.allowed ? 200 : 403, { 'content-type': 'text/plain' });
          res.end(answer.allowed ? `hello ${answer.caller}` : answer.reason);
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const port = (server.address() as AddressInfo).port;

    const changes: ChangeEvent<ServerConfig>[] = [];
    const errors: WatchErrorEvent[] = [];
    const watcher = serverLoader.watchConfig(
      serverConfig,
      {
        change: (event) => {
          changes.push(event);
          reloadSecureContext(server, serverLoader.service, serverConfig);
        },
        error: (event) => void errors.push(event),
      },
      {
        env: env('server'),
        logger: serverLog,
        restart: 'emit',
        sighup: false,
        wait: { minMs: 100, maxMs: 1000 },
        blockingWaitMs: 2000,
      },
    );
    closers.push(() => watcher.close());
    const clientWatcher = clientLoader.watchConfig(
      clientConfig,
      {},
      {
        env: env('client'),
        logger: memoryLogger(),
        restart: 'emit',
        sighup: false,
        wait: { minMs: 100, maxMs: 1000 },
        blockingWaitMs: 2000,
      },
    );
    closers.push(() => clientWatcher.close());
    await Promise.all([watcher.ready, clientWatcher.ready]);

    const call = (tls = connectClientOptions(clientLoader.service, clientConfig, 'wazo-tls-server')) =>
      httpsGet(port, tls);

    const first = await call();
    assert.equal(first.status, 200, first.body);
    assert.equal(first.body, `hello ${consul.connect!.serviceUri('wazo-tls-client')}`);

    // A caller with a valid leaf of another service: the TLS handshake succeeds, the intentions refuse it.
    const intruder = consul.connect!.leaf('intruder');
    const refused = await call({
      ...connectClientOptions(clientLoader.service, clientConfig, 'wazo-tls-server'),
      cert: Buffer.from(intruder.certPem),
      key: Buffer.from(intruder.privateKeyPem),
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body, 'Matched L4 intention: * => wazo-tls-server (deny)');

    // The agent renews the server's leaf at half its 8 s life: same server, new certificate.
    await until('the renewal of the server leaf', () => changes.some((c) => /leaf .* → /.test(String(c.changes[0]))));
    const renewed = await call();
    assert.equal(renewed.status, 200, renewed.body);
    assert.notEqual(renewed.serial, first.serial, 'the client sees the new serial');
    const change = changes.find((c) => /leaf/.test(String(c.changes[0])))!;
    assert.deepEqual(
      change.changes.map((c) => c.key),
      ['rest_api.certificate', 'rest_api.private_key', 'rest_api.ca_certificate'],
    );
    assert.match(
      String(change.changes[0]),
      /^rest_api\.certificate: ".*" → ".*" \(consul connect: leaf [0-9a-f:]+ → [0-9a-f:]+\)$/,
    );

    // Roots rotate: both rewrite their bundle and leaf, and keep talking.
    const before = changes.length;
    consul.connect!.rotateRoots();
    await until('the rotation at the server', () =>
      changes.slice(before).some((c) => /roots rotated/.test(String(c.changes[0]))),
    );
    await until('the new leaves', () => changes.slice(before).some((c) => /leaf/.test(String(c.changes[0]))));
    await new Promise((r) => setTimeout(r, 1500)); // the client's watcher, on its own queries
    const rotated = await call();
    assert.equal(rotated.status, 200, rotated.body);
    assert.notEqual(rotated.serial, renewed.serial);
    const ca = readFileSync(serverConfig.rest_api.ca_certificate!, 'utf8');
    assert.equal(ca.match(/BEGIN CERTIFICATE/g)?.length, 2, 'the bundle holds the new root and the old one');

    assert.deepEqual(errors, []);
    assert.doesNotMatch(serverLog.lines.join('\n'), /PRIVATE KEY/);
  });
});
