/**
 * Helpers of the Consul tests: the CLI run asynchronously (the test server lives in this process), free ports, TLS
 * material.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from '../helpers.ts';

const run = promisify(execFile);

/** The environment of a CLI or loader run: nothing of this machine's WAZO_CONSUL_* leaks in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, WAZO_CONFIG_ROOT: REPO };
  return { ...env, ...extra };
}

/** `wazo-config …` from the sources, without blocking the event loop. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--conditions=wazo-config-source', '--import', 'tsx', join(REPO, 'generator/cli.ts'), ...args],
      {
        cwd: REPO,
        env,
        encoding: 'utf8',
      },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface TlsMaterial {
  dir: string;
  /** The CA's certificate file (PEM). */
  caFile: string;
  /** The server's certificate and key, signed by the CA, for 127.0.0.1 and localhost. */
  cert: string;
  key: string;
  cleanup(): void;
}

/** A throw-away CA and a server certificate it signed, made with openssl. */
export async function makeTls(): Promise<TlsMaterial> {
  const dir = mkdtempSync(join(tmpdir(), 'wazo-config-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=wazo-config test CA',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    at('server.key'),
    '-out',
    at('server.csr'),
  );
  writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('ext.cnf'),
    '-out',
    at('server.pem'),
  );
  return {
    dir,
    caFile: at('ca.pem'),
    cert: readFileSync(at('server.pem'), 'utf8'),
    key: readFileSync(at('server.key'), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
