/**
 * Using the Connect material in Node (docs/tls.md): the options of an https/tls server or client
 * read from the files the loader wrote, a live swap of a server's certificate with
 * `server.setSecureContext` (established connections keep theirs, new ones get the new one), and the
 * check of a peer's identity by its SPIFFE URI SAN (Connect leaves carry no DNS name).
 */
import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PeerCertificate, SecureContextOptions } from 'node:tls';
import { getAt } from '../tree.ts';
import type { ServiceSpec } from '../types.ts';
import { connectFiles } from './files.ts';

export interface ConnectTlsOptions extends SecureContextOptions {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

/**
 * The certificate, key and CA bundle at the paths the config holds now, for `https.createServer`,
 * `setSecureContext` or a client request. Throws, naming the key, when a path is not set.
 */
export function connectTlsOptions(service: ServiceSpec, config: object): ConnectTlsOptions {
  const spec = service.connectTls;
  if (!spec) throw new Error(`${service.name}: no group of its schema is marked x-connect-tls`);
  const path = (keyPath: readonly string[] | undefined): string => {
    const value = keyPath ? getAt(config as never, keyPath) : connectFiles(service.name)?.ca;
    if (typeof value !== 'string' || value === '')
      throw new Error(
        `${service.name}: ${keyPath ? keyPath.join('.') : 'the Connect CA bundle'} has no file path (is Consul located, and Connect on?)`,
      );
    return value;
  };
  return {
    cert: readFileSync(path(spec.certificate)),
    key: readFileSync(path(spec.privateKey)),
    ca: readFileSync(path(spec.ca)),
  };
}

/** Swaps a server's certificate, key and trusted roots for the ones on disk now, without a restart. */
export function reloadSecureContext(
  server: { setSecureContext(options: SecureContextOptions): void },
  service: ServiceSpec,
  config: object,
): void {
  server.setSecureContext(connectTlsOptions(service, config));
}

/** The SPIFFE ID a certificate carries as URI SAN (`spiffe://…/svc/<service>`), if any. */
export function spiffeIdOf(cert: X509Certificate | PeerCertificate): string | undefined {
  const san =
    'subjectAltName' in cert && typeof cert.subjectAltName === 'string'
      ? cert.subjectAltName
      : (cert as PeerCertificate).subjectaltname;
  return (san ?? '')
    .split(', ')
    .find((s) => s.startsWith('URI:spiffe://'))
    ?.slice('URI:'.length);
}

/** The SPIFFE ID of another service of this service's trust domain and datacenter. */
export function spiffeIdFor(service: ServiceSpec, other: string): string {
  const files = connectFiles(service.name);
  if (!files) throw new Error(`${service.name}: no Connect material was loaded (is Consul located, and Connect on?)`);
  return files.uri.replace(/\/svc\/[^/]+$/, `/svc/${other}`);
}

/**
 * Options for a client that calls `target` with this service's leaf as client certificate: the
 * server must present `target`'s Connect identity (its URI SAN), whatever host name was dialled.
 */
export function connectClientOptions(
  service: ServiceSpec,
  config: object,
  target: string,
): ConnectTlsOptions & { checkServerIdentity(host: string, cert: PeerCertificate): Error | undefined } {
  const expected = spiffeIdFor(service, target);
  return {
    ...connectTlsOptions(service, config),
    checkServerIdentity: (_host, cert) => {
      const got = spiffeIdOf(cert);
      return got === expected
        ? undefined
        : new Error(`the server is ${got ?? 'not a Connect service (no SPIFFE URI SAN)'}, not ${expected}`);
    },
  };
}
