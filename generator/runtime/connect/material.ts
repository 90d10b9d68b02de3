/**
 * What the local agent's Connect CA answers (docs/tls.md), read and checked before anything is
 * written: a leaf certificate with its key, and the roots. A leaf is used only when it is valid now,
 * its key is the certificate's, its URI SAN is the service's SPIFFE ID, and it chains to one of the
 * roots (directly, or through the intermediates that follow it, as after a root rotation). The key
 * never appears in a message.
 */
import type { X509Certificate } from 'node:crypto';
import { ConsulFailure } from '../consul/failure.ts';

/**
 * node:crypto when a certificate is first read: importing it loads some 35 of Node's modules (its
 * streams among them), a cost every service start would pay for the few that use Connect.
 */
const crypto = () => process.getBuiltinModule('node:crypto');

export interface ConnectLeaf {
  /** Colon-separated hex, as Consul writes it. */
  serial: string;
  /** The leaf, then the intermediates Consul appends. */
  certPem: string;
  keyPem: string;
  service: string;
  uri: string;
  validAfter: Date;
  validBefore: Date;
}

export interface ConnectRoots {
  activeRootId: string;
  trustDomain: string;
  /** Every trusted root's certificate (the CA bundle), the active one first. */
  pems: string[];
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?-----END CERTIFICATE-----\r?\n?/g;

function malformed(what: string, detail: string): ConsulFailure {
  return new ConsulFailure('malformed', `${what}: ${detail}`, false);
}

function record(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw malformed(what, 'not a JSON object: not a Consul answer');
  return body as Record<string, unknown>;
}

function text(fields: Record<string, unknown>, name: string, what: string): string {
  const value = fields[name];
  if (typeof value !== 'string' || value === '') throw malformed(what, `no ${name}`);
  return value;
}

function time(fields: Record<string, unknown>, name: string, what: string): Date {
  const value = new Date(text(fields, name, what));
  if (Number.isNaN(value.getTime())) throw malformed(what, `${name} is not a time`);
  return value;
}

/** A leaf answer's fields (`/v1/agent/connect/ca/leaf/<service>`); throws a `malformed` ConsulFailure. */
export function leafOf(body: unknown, service: string): ConnectLeaf {
  const what = `the Connect leaf of ${service}`;
  const fields = record(body, what);
  return {
    serial: text(fields, 'SerialNumber', what),
    certPem: text(fields, 'CertPEM', what),
    keyPem: text(fields, 'PrivateKeyPEM', what),
    service: text(fields, 'Service', what),
    uri: text(fields, 'ServiceURI', what),
    validAfter: time(fields, 'ValidAfter', what),
    validBefore: time(fields, 'ValidBefore', what),
  };
}

/** A roots answer's fields (`/v1/agent/connect/ca/roots`); throws a `malformed` ConsulFailure. */
export function rootsOf(body: unknown): ConnectRoots {
  const what = 'the Connect CA roots';
  const fields = record(body, what);
  const activeRootId = text(fields, 'ActiveRootID', what);
  const trustDomain = text(fields, 'TrustDomain', what);
  if (!Array.isArray(fields.Roots) || fields.Roots.length === 0) throw malformed(what, 'no Roots');
  const roots = fields.Roots.map((r) => record(r, what));
  const active = roots.filter((r) => r.ID === activeRootId);
  if (active.length !== 1) throw malformed(what, `no root has the ActiveRootID ${activeRootId}`);
  const ordered = [...active, ...roots.filter((r) => r.ID !== activeRootId)];
  return { activeRootId, trustDomain, pems: ordered.map((r) => text(r, 'RootCert', what)) };
}

/** The certificates of a PEM bundle, in order. */
export function certificatesOf(pem: string): X509Certificate[] {
  return (pem.match(CERTIFICATE) ?? []).map((block) => new (crypto().X509Certificate)(block));
}

/** Why the leaf must not be used now (undefined: it is good). Never quotes the key. */
export function leafProblem(leaf: ConnectLeaf, roots: ConnectRoots, now = new Date()): string | undefined {
  const named = `the Connect leaf certificate of ${leaf.service} (serial ${leaf.serial})`;
  if (leaf.validBefore.getTime() <= now.getTime()) return `${named} expired at ${leaf.validBefore.toISOString()}`;
  if (leaf.validAfter.getTime() > now.getTime() + 60_000)
    return `${named} is not valid before ${leaf.validAfter.toISOString()} (is this host's clock right?)`;
  let chain: X509Certificate[];
  let trusted: X509Certificate[];
  try {
    chain = certificatesOf(leaf.certPem);
    trusted = roots.pems.flatMap(certificatesOf);
  } catch (error) {
    return `${named}, or a root, is not a readable certificate (${(error as Error).message})`;
  }
  const [cert, ...intermediates] = chain;
  if (!cert) return `${named}: CertPEM holds no certificate`;
  try {
    if (!cert.checkPrivateKey(crypto().createPrivateKey(leaf.keyPem)))
      return `${named}: its private key is not the certificate's`;
  } catch {
    return `${named}: PrivateKeyPEM is not a readable private key`;
  }
  const uris = (cert.subjectAltName ?? '').split(', ').filter((s) => s.startsWith('URI:'));
  if (!uris.includes(`URI:${leaf.uri}`)) return `${named} does not carry its ServiceURI ${leaf.uri} as URI SAN`;
  if (!chainsTo(cert, intermediates, trusted)) return `${named} is not signed by the Connect CA roots`;
  return undefined;
}

function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
}

function chainsTo(cert: X509Certificate, intermediates: X509Certificate[], roots: X509Certificate[]): boolean {
  if (roots.some((root) => signedBy(cert, root))) return true;
  return intermediates.some((i) => signedBy(cert, i) && roots.some((root) => signedBy(i, root)));
}
