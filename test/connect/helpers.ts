/**
 * What the Connect tests share: the Consul test server with its Connect CA (8 s leaves renewed at
 * half their life, so that a renewal happens within a test), a token with service:write for each of
 * the two example services, and a project generated from their schemas (test/connect/fixtures).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { tempProject, type TempProject } from '../helpers.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface ConnectFixtures {
  consul: ConsulTestServer;
  project: TempProject;
  /** The environment that locates the test server, with the token `server` or `client`. */
  env(token: string): Record<string, string>;
  close(): Promise<void>;
}

/** `extra`: more services by name, each with its schema and a token of its name that has service:write on it. */
export async function connectFixtures(extra: Record<string, object> = {}): Promise<ConnectFixtures> {
  const extraTokens = Object.fromEntries(
    Object.keys(extra).map((name) => [name, { rules: { service: { [name]: 'write' as const } } }]),
  );
  const consul = await startConsulServer({
    connect: { leafTtlMs: 8000, renewAtFraction: 0.5 },
    blocking: { defaultQueryTime: 2000, maxQueryTime: 5000, jitterFraction: 0 },
    acl: {
      tokens: {
        server: { rules: { service: { 'wazo-tls-server': 'write' } } },
        client: { rules: { service: { 'wazo-tls-client': 'write' } } },
        ...extraTokens,
      },
    },
  });
  const schema = (name: string) => readFileSync(join(FIXTURES, `${name}.schema.json`), 'utf8');
  const project = await tempProject({
    'wazo-tls-server': schema('wazo-tls-server'),
    'wazo-tls-client': schema('wazo-tls-client'),
    ...extra,
  });
  return {
    consul,
    project,
    env: (token) => ({
      WAZO_CONSUL_HOST: '127.0.0.1',
      WAZO_CONSUL_PORT: String(consul.port),
      WAZO_CONSUL_TOKEN: token,
    }),
    close: async () => {
      await consul.close();
      project.cleanup();
    },
  };
}

/** openssl's word on a written certificate: it chains to the CA bundle for TLS serving, and carries the SPIFFE ID. */
export function assertConnectCertificate(certificate: string, ca: string, spiffeId: string): void {
  // At a moment inside the leaf's life: a short-lived leaf may expire before this check on a busy machine.
  const inside = Math.floor(new Date(new X509Certificate(readFileSync(certificate)).validFrom).getTime() / 1000) + 1;
  const args = ['verify', '-attime', String(inside), '-purpose', 'sslserver', '-CAfile', ca, certificate];
  const verified = spawnSync('openssl', args, {
    encoding: 'utf8',
  });
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  const san = execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', certificate], {
    encoding: 'utf8',
  });
  assert.ok(san.includes(`URI:${spiffeId}`), san);
}

/** `GET /` of an https server on 127.0.0.1 with these TLS options: status, body, serial of the server's certificate. */
export function httpsGet(port: number, tls: object): Promise<{ status: number; body: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false, ...tls }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerX509Certificate()!.serialNumber;
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body, serial }));
    });
    req.on('error', reject);
    req.end();
  });
}
