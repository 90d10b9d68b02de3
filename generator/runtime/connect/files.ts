/**
 * The Connect material on disk: the leaf certificate (with its intermediates), its key (mode 0600)
 * and the CA bundle, in the service's private key directory (pem-files.ts), each replaced through a
 * temporary file and a rename. What was written last is remembered per service for the life of
 * the process: the watcher compares new answers with it, a failed read keeps it.
 */
import { join } from 'node:path';
import { privateDirectory, writePrivate, type PemFileOptions } from '../pem-files.ts';
import type { Env } from '../sources/env.ts';
import type { ConnectLeaf, ConnectRoots } from './material.ts';

/** Where a service's Connect material is, and what it is. */
export interface ConnectFiles {
  certificate: string;
  privateKey: string;
  ca: string;
  /** The leaf's serial (colon hex). */
  serial: string;
  validBefore: Date;
  /** The service's SPIFFE ID, `spiffe://<trust domain>/ns/default/dc/<dc>/svc/<service>`. */
  uri: string;
  trustDomain: string;
  activeRootId: string;
  /** The CA bundle's text, to tell a root change. */
  bundle: string;
}

const written = new Map<string, ConnectFiles>();

/** The files last written for a service in this process (by `loadConfig` or its watcher); undefined before. */
export function connectFiles(service: string): ConnectFiles | undefined {
  return written.get(service);
}

/**
 * Writes what changed of the material and remembers it; returns the files and, when something
 * changed since the last write, what (`leaf 0a:01 → 0a:02`, `roots rotated`).
 */
export function writeConnectFiles(
  service: string,
  leaf: ConnectLeaf,
  roots: ConnectRoots,
  options: PemFileOptions,
  env: Env,
): { files: ConnectFiles; changed: string | undefined } {
  const before = written.get(service);
  const bundle = roots.pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
  const dir = privateDirectory(service, options, env);
  const files: ConnectFiles = {
    certificate: join(dir, 'connect-leaf.crt'),
    privateKey: join(dir, 'connect-leaf.key'),
    ca: join(dir, 'connect-ca.crt'),
    serial: leaf.serial,
    validBefore: leaf.validBefore,
    uri: leaf.uri,
    trustDomain: roots.trustDomain,
    activeRootId: roots.activeRootId,
    bundle,
  };
  const what: string[] = [];
  if (before?.serial !== leaf.serial) what.push(before ? `leaf ${before.serial} → ${leaf.serial}` : 'leaf');
  if (before?.bundle !== bundle) what.push(before?.activeRootId !== roots.activeRootId ? 'roots rotated' : 'roots');
  // The bundle first: a peer's new leaf may already chain to a new root. A reader of the pair between the two renames
  // could see a new key with the old certificate: the change is reported (and the helpers read) once all are written.
  if (before?.bundle !== bundle) writePrivate(files.ca, bundle);
  if (before?.serial !== leaf.serial) {
    writePrivate(files.privateKey, leaf.keyPem);
    writePrivate(files.certificate, leaf.certPem);
  }
  written.set(service, files);
  return { files, changed: before && what.length > 0 ? what.join(', ') : undefined };
}
