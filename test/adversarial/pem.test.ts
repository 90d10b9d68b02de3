/**
 * PEM files (runtime/pem-files.ts) against a hostile local user: symbolic links pre-created at the
 * directory or at a file are refused or replaced, never followed; the temporary key directory is
 * removed on SIGTERM and SIGINT; `-----BEGIN` must start a line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../generator/runtime/index.ts';
import { resolveConfig } from '../../generator/runtime/load.ts';
import { REPO, tempRoot } from '../helpers.ts';
import { PEM, pemService } from './pem-service.ts';

const loadPem = (value: string, dir: string) =>
  resolveConfig(pemService, { env: { WAZO_PEM_TLS_CERTIFICATE: value }, consul: false, pemFiles: { dir } });

describe('PEM files', () => {
  it('refuses a symbolic link pre-created at the PEM directory', async () => {
    const root = tempRoot();
    mkdirSync(join(root, 'elsewhere'), { mode: 0o700 });
    symlinkSync(join(root, 'elsewhere'), join(root, 'pem'));
    const error = await loadPem(PEM, join(root, 'pem')).then(
      () => assert.fail('expected a ConfigError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigError);
    assert.match(
      error.message,
      new RegExp(
        `pem files \\(the program's options\\): the directory ${join(root, 'pem')} is not private: it is a symbolic link`,
      ),
    );
    assert.equal(existsSync(join(root, 'elsewhere/tls.certificate.pem')), false, 'nothing written through the link');
  });

  it('replaces a symbolic link pre-created at the file, leaving its target alone', async () => {
    const root = tempRoot();
    mkdirSync(join(root, 'pem'), { mode: 0o700 });
    writeFileSync(join(root, 'target'), 'precious\n', { mode: 0o644 });
    symlinkSync(join(root, 'target'), join(root, 'pem/tls.certificate.pem'));
    const { pemFiles } = await loadPem(PEM, join(root, 'pem'));
    const file = pemFiles!.paths['tls.certificate']!;
    assert.equal(lstatSync(file).isSymbolicLink(), false);
    assert.equal(lstatSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8'), PEM);
    assert.equal(readFileSync(join(root, 'target'), 'utf8'), 'precious\n');
    assert.equal(lstatSync(join(root, 'target')).mode & 0o777, 0o644, 'the target was not chmod-ed');
  });

  it('refuses -----BEGIN that does not start a line', async () => {
    const root = tempRoot();
    const error = await loadPem(`x-----BEGIN CERTIFICATE-----\nabc\n`, join(root, 'pem')).then(
      () => assert.fail('expected a ConfigError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigError);
    assert.match(
      error.message,
      /tls\.certificate \(env WAZO_PEM_TLS_CERTIFICATE\): expected PEM text \(-----BEGIN …----- on its own line\), got \*\*\*\*\*/,
    );
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(
      `removes the temporary key directory on ${signal}, and the process still ends by it`,
      { timeout: 30_000 },
      async () => {
        const child = spawn(
          process.execPath,
          ['--conditions=wazo-config-source', '--import', 'tsx', join(REPO, 'test/adversarial/pem-child.ts')],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const dir = await new Promise<string>((resolve) =>
          child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
        );
        assert.ok(existsSync(join(dir, 'tls.certificate.pem')));
        const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
        child.kill(signal);
        assert.equal(await ended, signal);
        assert.equal(existsSync(dir), false, `${dir} removed`);
      },
    );
  }
});
