/**
 * Consul's Connect CA as the local agent serves it (`/v1/agent/connect/ca/roots`,
 * `/v1/agent/connect/ca/leaf/<service>`, `/v1/agent/connect/authorize`): a built-in CA whose root
 * is made at start, ECDSA P-256 leaves carrying the SPIFFE URI SAN
 * `spiffe://<trust domain>/ns/default/dc/<dc>/svc/<service>`, renewed by the agent before they
 * expire (Consul's leaf cache renews between 60 % and 90 % of the lifetime; here a fixed fraction,
 * so a test knows when), root rotation with a cross-signed intermediate, and a table of L4
 * intentions. Certificates are made with the openssl command line (`openssl req` for roots and
 * keys, `openssl ca` for signing, since `x509 -req` of OpenSSL 3.0 knows only whole days).
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RaftIndex } from './raft-index.ts';

export interface ConnectOptions {
  /** Default `<random uuid>.consul`, as Consul's cluster id. */
  trustDomain?: string;
  /** Lifetime of a leaf (Consul's `leaf_cert_ttl`, default 72 h). Whole seconds; at least 2 s. */
  leafTtlMs?: number;
  /**
   * When the agent replaces a leaf, as a fraction of its lifetime. Consul: a random point between
   * 0.6 and 0.9. Default 0.6.
   */
  renewAtFraction?: number;
}

export type IntentionAction = 'allow' | 'deny';

export interface Intention {
  /** A service name or `*`. */
  source: string;
  /** A service name or `*`. */
  destination: string;
  action: IntentionAction;
}

export interface CaRoot {
  readonly id: string;
  readonly name: string;
  readonly serialNumber: number;
  readonly signingKeyId: string;
  readonly certPem: string;
  /** Certificates that chain this root to an older one (the cross-signed root after a rotation). */
  intermediateCerts: string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  active: boolean;
  readonly createIndex: number;
  modifyIndex: number;
  /** Where the root's private key lives, inside the CA's private directory. */
  readonly keyFile: string;
  readonly certFile: string;
}

export interface IssuedLeaf {
  /** Colon-separated lowercase hex of the certificate's serial, as Consul writes it. */
  readonly serialNumber: string;
  /** The leaf, followed by the active root's intermediates. */
  readonly certPem: string;
  readonly privateKeyPem: string;
  readonly service: string;
  readonly serviceUri: string;
  readonly validAfter: Date;
  readonly validBefore: Date;
  readonly createIndex: number;
  readonly modifyIndex: number;
  /** The root that signed it. */
  readonly rootId: string;
  /** Set by `expireLeaf`: served as is, never replaced by a read, until the next renewal or rotation. */
  readonly pinned: boolean;
}

export interface AuthorizeResult {
  Authorized: boolean;
  Reason: string;
}

const SPIFFE_SERVICE = /^\/(?:ap\/([^/]+)\/)?ns\/([^/]+)\/dc\/([^/]+)\/svc\/([^/]+)$/;

/** Parses a Connect SPIFFE service ID; `{ error }` with Consul's 400 text when it is not one. */
export function parseServiceUri(
  uri: string,
): { trustDomain: string; namespace: string; dc: string; service: string } | { error: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { error: 'ClientCertURI not a valid Connect identifier' };
  }
  if (url.protocol !== 'spiffe:' || url.host === '') return { error: 'ClientCertURI not a valid Connect identifier' };
  const m = SPIFFE_SERVICE.exec(decodeURIComponent(url.pathname));
  if (!m) return { error: 'ClientCertURI not a valid Service identifier' };
  return { trustDomain: url.host, namespace: m[2]!, dc: m[3]!, service: m[4]! };
}

/** Consul's `connect.HexString`: bytes as colon-separated lowercase hex. */
function colonHex(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** openssl's time format for `-startdate` / `-enddate`. */
function asn1Time(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

/** Go's time.Time in JSON, whole seconds in UTC (`2018-05-21T16:33:28Z`). */
export function goTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** `openssl req` arguments for a new unencrypted ECDSA P-256 key, the kind Consul's built-in CA makes. */
const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

const CA_CONFIG = `[ ca ]
default_ca = this
[ this ]
database = $ENV::CA_DIR/index.txt
new_certs_dir = $ENV::CA_DIR/issued
serial = $ENV::CA_DIR/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[ any ]
commonName = supplied
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment, keyAgreement
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::LEAF_URI
[ cross ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, digitalSignature, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::LEAF_URI
`;

export class ConnectCa {
  readonly trustDomain: string;
  readonly leafTtlMs: number;
  readonly renewAtFraction: number;
  private readonly dir: string;
  private readonly roots: CaRoot[] = [];
  private rootsIndex = 0;
  private serial = 1;
  private readonly leaves = new Map<string, IssuedLeaf>();
  private readonly renewals = new Map<string, NodeJS.Timeout>();
  private readonly table: Intention[] = [];
  private closed = false;

  constructor(
    private readonly raft: RaftIndex,
    private readonly datacenter: string,
    options: ConnectOptions = {},
  ) {
    this.trustDomain = options.trustDomain ?? `${randomUUID()}.consul`;
    this.leafTtlMs = Math.max(2000, Math.ceil((options.leafTtlMs ?? 72 * 3600_000) / 1000) * 1000);
    this.renewAtFraction = options.renewAtFraction ?? 0.6;
    this.dir = mkdtempSync(join(tmpdir(), 'consul-connect-ca-'));
    mkdirSync(join(this.dir, 'issued'));
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'ca.cnf'), CA_CONFIG);
    this.addRoot();
  }

  /** The active root. */
  get activeRoot(): CaRoot {
    return this.roots.find((r) => r.active)!;
  }

  /** Every trusted root, the active one included. */
  allRoots(): readonly CaRoot[] {
    return this.roots;
  }

  get index(): number {
    return this.rootsIndex;
  }

  serviceUri(service: string): string {
    return `spiffe://${this.trustDomain}/ns/default/dc/${this.datacenter}/svc/${service}`;
  }

  /** The current leaf of a service: issued on first use, again when expired or signed by a root no longer active. */
  leaf(service: string): IssuedLeaf {
    const current = this.leaves.get(service);
    if (current && (current.pinned || this.fresh(current))) return current;
    return this.issue(service);
  }

  /** The leaf as it is, without issuing one (blocking reads compare it with the index they hold). */
  peekLeaf(service: string): IssuedLeaf | undefined {
    return this.leaves.get(service);
  }

  /**
   * A new active root (Consul's CA rotation): the old one stays trusted (inactive) until
   * `removeRoot`, the new one is cross-signed by the old key and that certificate follows every new
   * leaf, so peers that still trust only the old root accept them. Every issued leaf is replaced.
   */
  rotateRoots(): CaRoot {
    const previous = this.activeRoot;
    const root = this.addRoot();
    root.intermediateCerts = [this.crossSign(root, previous)];
    for (const service of [...this.leaves.keys()]) this.issue(service);
    return root;
  }

  /** Stop trusting an inactive root (what Consul does once it expires). */
  removeRoot(id: string): void {
    const i = this.roots.findIndex((r) => r.id === id);
    if (i < 0) throw new Error(`no root ${id}`);
    if (this.roots[i]!.active) throw new Error('the active root cannot be removed');
    this.roots.splice(i, 1);
    this.rootsIndex = this.raft.next();
    this.raft.commit(this.rootsIndex);
  }

  /**
   * Fault: the service's leaf becomes one that expired an hour ago, and is served as is (by a
   * misbehaving agent, or with a clock far off) until the next renewal or rotation.
   */
  expireLeaf(service: string): IssuedLeaf {
    const now = Date.now();
    return this.issue(service, { from: new Date(now - 2 * 3600_000), to: new Date(now - 3600_000), pinned: true });
  }

  /** Replace the service's leaf now (what the agent does at `renewAtFraction` of its lifetime). */
  renew(service: string): IssuedLeaf {
    return this.issue(service);
  }

  setIntention(source: string, destination: string, action: IntentionAction): void {
    this.deleteIntention(source, destination);
    this.table.push({ source, destination, action });
  }

  deleteIntention(source: string, destination: string): void {
    const i = this.table.findIndex((x) => x.source === source && x.destination === destination);
    if (i >= 0) this.table.splice(i, 1);
  }

  intentions(): readonly Intention[] {
    return this.table;
  }

  /**
   * `ConnectAuthorize` (agent/connect_auth.go) after the request checks: the most precise intention
   * for the destination that matches the source (exact names before `*`), else the default.
   */
  authorize(target: string, source: string, aclDefault: 'allow' | 'deny' | undefined): AuthorizeResult {
    const rank = (x: Intention): number => (x.source === '*' ? 0 : 2) + (x.destination === '*' ? 0 : 1);
    const match = this.table
      .filter((x) => (x.destination === target || x.destination === '*') && (x.source === source || x.source === '*'))
      .sort((a, b) => rank(b) - rank(a))[0];
    if (match) {
      return {
        Authorized: match.action === 'allow',
        Reason: `Matched L4 intention: ${match.source} => ${match.destination} (${match.action})`,
      };
    }
    if (aclDefault === undefined) return { Authorized: true, Reason: 'ACLs disabled, access is allowed by default' };
    return { Authorized: aclDefault === 'allow', Reason: 'Default behavior configured by ACLs' };
  }

  close(): void {
    this.closed = true;
    for (const t of this.renewals.values()) clearTimeout(t);
    this.renewals.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private fresh(leaf: IssuedLeaf): boolean {
    return leaf.rootId === this.activeRoot.id && leaf.validBefore.getTime() > Date.now();
  }

  private nextSerial(): number {
    return this.serial++;
  }

  private addRoot(): CaRoot {
    const n = this.roots.length + 1;
    const serial = this.nextSerial();
    const keyFile = join(this.dir, `root-${n}.key`);
    const certFile = join(this.dir, `root-${n}.pem`);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    this.openssl([
      'req',
      '-x509',
      ...NEW_EC_KEY,
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '3650',
      '-set_serial',
      String(serial),
      '-subj',
      `/CN=pri-${n}.consul.ca.${this.trustDomain.slice(0, 8)}.consul`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,digitalSignature,keyCertSign,cRLSign',
      '-addext',
      `subjectAltName=URI:spiffe://${this.trustDomain}`,
    ]);
    const certPem = readFileSync(certFile, 'utf8');
    const x509 = new X509Certificate(certPem);
    for (const r of this.roots) r.active = false;
    const index = this.raft.next();
    const root: CaRoot = {
      id: colonHex(createHash('sha1').update(x509.raw).digest()),
      name: 'Consul CA Primary Cert',
      serialNumber: serial,
      signingKeyId: colonHex(
        createHash('sha256')
          .update(x509.publicKey.export({ type: 'spki', format: 'der' }))
          .digest(),
      ),
      certPem,
      intermediateCerts: [],
      notBefore: now,
      notAfter: new Date(x509.validTo),
      active: true,
      createIndex: index,
      modifyIndex: index,
      keyFile,
      certFile,
    };
    for (const r of this.roots) r.modifyIndex = index;
    this.roots.push(root);
    this.rootsIndex = index;
    this.raft.commit(index);
    return root;
  }

  /** The new root's subject and key, signed by the previous root. */
  private crossSign(root: CaRoot, by: CaRoot): string {
    const csr = join(this.dir, `cross-${root.serialNumber}.csr`);
    const out = join(this.dir, `cross-${root.serialNumber}.pem`);
    this.openssl(['x509', '-x509toreq', '-in', root.certFile, '-signkey', root.keyFile, '-out', csr]);
    const now = Date.now();
    this.sign(by, csr, out, 'cross', `URI:spiffe://${this.trustDomain}`, new Date(now - 1000), root.notAfter);
    return readFileSync(out, 'utf8');
  }

  private issue(service: string, fault?: { from: Date; to: Date; pinned: boolean }): IssuedLeaf {
    const root = this.activeRoot;
    const base = join(this.dir, `leaf-${this.serial}`);
    this.openssl([
      'req',
      '-new',
      ...NEW_EC_KEY,
      '-keyout',
      `${base}.key`,
      '-out',
      `${base}.csr`,
      '-subj',
      `/CN=${service}`,
    ]);
    const from = fault?.from ?? new Date(Math.floor(Date.now() / 1000) * 1000);
    const to = fault?.to ?? new Date(from.getTime() + this.leafTtlMs);
    const uri = this.serviceUri(service);
    const serial = this.sign(root, `${base}.csr`, `${base}.pem`, 'leaf', `URI:${uri}`, from, to);
    // The key only lives in memory and in the answer, as the agent keeps it.
    const privateKeyPem = readFileSync(`${base}.key`, 'utf8');
    rmSync(`${base}.key`);
    const previous = this.leaves.get(service);
    const index = this.raft.next();
    const leaf: IssuedLeaf = {
      serialNumber: serial,
      certPem: readFileSync(`${base}.pem`, 'utf8') + root.intermediateCerts.join(''),
      privateKeyPem,
      service,
      serviceUri: uri,
      validAfter: from,
      validBefore: to,
      createIndex: previous?.createIndex ?? index,
      modifyIndex: index,
      rootId: root.id,
      pinned: fault?.pinned ?? false,
    };
    this.leaves.set(service, leaf);
    this.scheduleRenewal(leaf);
    this.raft.commit(index);
    return leaf;
  }

  private scheduleRenewal(leaf: IssuedLeaf): void {
    clearTimeout(this.renewals.get(leaf.service));
    const lifetime = leaf.validBefore.getTime() - leaf.validAfter.getTime();
    const at = leaf.validAfter.getTime() + lifetime * this.renewAtFraction;
    const delay = leaf.pinned ? this.leafTtlMs * this.renewAtFraction : Math.max(0, at - Date.now());
    const timer = setTimeout(() => {
      this.renewals.delete(leaf.service);
      if (!this.closed && this.leaves.get(leaf.service) === leaf) this.issue(leaf.service);
    }, delay);
    timer.unref();
    this.renewals.set(leaf.service, timer);
  }

  /** `openssl ca` with the given root; returns the serial as Consul writes it. */
  private sign(
    root: CaRoot,
    csr: string,
    out: string,
    extensions: 'leaf' | 'cross',
    san: string,
    from: Date,
    to: Date,
  ): string {
    const serial = this.nextSerial();
    const hex = serial.toString(16).padStart(2, '0');
    writeFileSync(join(this.dir, 'serial'), `${hex.length % 2 ? '0' : ''}${hex}\n`);
    this.openssl(
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        join(this.dir, 'ca.cnf'),
        '-cert',
        root.certFile,
        '-keyfile',
        root.keyFile,
        '-in',
        csr,
        '-out',
        out,
        '-extensions',
        extensions,
        '-preserveDN',
        '-startdate',
        asn1Time(from),
        '-enddate',
        asn1Time(to),
      ],
      { CA_DIR: this.dir, LEAF_URI: san },
    );
    return colonHex(Buffer.from(new X509Certificate(readFileSync(out)).serialNumber.padStart(2, '0'), 'hex'));
  }

  private openssl(args: string[], env: Record<string, string> = {}): void {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  }
}
