/**
 * A Consul-HTTP-compatible test server (single dev node), built to
 * Consul's HTTP API (as documented by HashiCorp and as its source behaves) and checked with the real `consul` npm
 * client.
 *
 *   const consul = await startConsulServer();            // http://127.0.0.1:<random port>
 *   new Consul({ host: consul.host, port: consul.port });
 *   consul.kv.put('config/app/x', '1');                   // direct state access for tests
 *   consul.faults.failNext(2);                            // fault injection
 *   await consul.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { AclSystem, type AclOptions } from './acl.ts';
import { CONSUL_BLOCKING_DEFAULTS, type BlockingConfig } from './blocking.ts';
import { Catalog } from './catalog.ts';
import { ConnectCa, type ConnectOptions } from './connect-ca.ts';
import type { CoreSettings, ReadCounts, ServerCore } from './endpoint.ts';
import { Faults } from './faults.ts';
import { Reply, type RequestContext } from './http-io.ts';
import { KvStore, type KvEntry, type KvSnapshot, type Tombstone } from './kv-store.ts';
import { RaftIndex } from './raft-index.ts';
import { decodePath, dispatch, resolve } from './router.ts';

export type { AclOptions, AclPolicy, AclRules, AclTokenSpec } from './acl.ts';
export type { BlockingConfig } from './blocking.ts';
export type { CaRoot, ConnectCa, ConnectOptions, Intention, IssuedLeaf } from './connect-ca.ts';
export type { DropOptions, FailOptions, Faults, RequestMatch, RestartOptions } from './faults.ts';
export type { KvEntry, KvSnapshot, Tombstone } from './kv-store.ts';
export type { ReadCounts } from './endpoint.ts';

export interface ConsulServerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Enable ACLs (default policy deny). Omit for the dev default: ACLs off, everything allowed. */
  acl?: AclOptions;
  /** Blocking-query timing. Consul: default 5 min, cap 10 min, jitter wait/16. Lower it in tests. */
  blocking?: Partial<BlockingConfig>;
  /** Ops per transaction. Default 128 (Consul ≥ 1.14, GH#14599); 64 models Consul ≤ 1.13. */
  maxTxnOps?: 128 | 64 | number;
  /**
   * The agent's server is a follower that last heard from the leader `lastContactMs` ago: `?stale`
   * reads are answered by it with that `X-Consul-Lastcontact` (default reads and `?consistent` go
   * to the leader: 0). Default: the agent is the leader.
   */
  follower?: { lastContactMs: number };
  /**
   * How late a TTL check update (`/v1/agent/check/pass|warn|fail|update`) shows in health and
   * catalog reads: Consul's agent syncs the catalog asynchronously. Default 0 (at once).
   */
  agentSyncDelayMs?: number;
  /**
   * Enable Connect: a CA made at start (with the openssl command), leaf certificates, roots,
   * intentions (`server.connect`). Without it the Connect endpoints answer 500, as Consul does with
   * Connect disabled.
   */
  connect?: ConnectOptions | true;
  /** `kv_max_value_size`. Default 524288. */
  kvMaxValueSize?: number;
  /** `txn_max_req_len`. Default 524288. */
  txnMaxReqLen?: number;
  /** The raft index before the dev agent's own bootstrap writes. Default 10. */
  initialIndex?: number;
  /** Default `dc1`. */
  datacenter?: string;
  /** Default `dev`. */
  nodeName?: string;
  /** Reported by `/v1/agent/self`. Default `1.21.4`. */
  version?: string;
  /** Pretty JSON on every response, as `consul agent -dev` does. Default false (`?pretty` still works). */
  pretty?: boolean;
  /** Status of ServeMux path-cleaning redirects: 301 (Go ≤ 1.25, default) or 307 (Go ≥ 1.26). */
  redirectStatus?: 301 | 307;
  /** `disable_http_unprintable_char_filter`. Default false. */
  allowUnprintablePaths?: boolean;
  /** Keep at most this many entries in `server.requests` (0: none, for long runs with many clients). Default 10000. */
  maxRecordedRequests?: number;
}

/** What the server has served: `server.stats()`. */
export interface ServerStats {
  /**
   * Reads (GET of KV, health, catalog) by consistency mode: on a cluster, `stale` ones are answered by whichever server
   * the agent asks; `default` and `consistent` ones by the leader.
   */
  reads: ReadCounts;
  /** Requests received. */
  requests: number;
  /** Blocking queries waiting for a change now, and the most that waited at once. */
  blocking: { now: number; most: number };
  /** Open client connections now, and the most at once. */
  connections: { now: number; most: number };
  /** Restarts simulated by `faults.restart()`. */
  restarts: number;
}

export interface RecordedRequest {
  readonly method: string;
  /** The raw request target, as sent. */
  readonly url: string;
  /** The percent-decoded path ('' if it could not be decoded). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** Direct access to the KV state, bypassing HTTP and ACLs. Writes take the raft index and wake watchers. */
export interface KvHelper {
  /** Set a key (like a plain PUT: Flags default 0, an identical write changes nothing). */
  put(key: string, value: string | Buffer | null, options?: { flags?: number | bigint }): KvEntry;
  get(key: string): KvEntry | undefined;
  /** The value as UTF-8 text; `null` for an empty value; undefined when the key is missing. */
  value(key: string): string | null | undefined;
  /** Entries under a string prefix, sorted by key bytes. */
  list(prefix?: string): KvEntry[];
  keys(prefix?: string): string[];
  /** `{ key: value }` under a prefix (UTF-8 text, `null` for empty values). */
  dump(prefix?: string): Record<string, string | null>;
  /** Delete a key (or a whole prefix with `recurse`); leaves tombstones as Consul does. */
  delete(key: string, options?: { recurse?: boolean }): void;
  /** A copy of the whole KV state, indexes included. */
  snapshot(): KvSnapshot;
  /** Load a snapshot as a Consul snapshot restore does: the index may go backwards; blocked queries return. */
  restore(snapshot: KvSnapshot): void;
  tombstones(): Tombstone[];
  /** Reap tombstones with index ≤ `upTo` (all by default); returns how many were reaped. */
  reapTombstones(upTo?: number): number;
  /** Register a session id so `?acquire=` and txn `lock` accept it (there is no session HTTP API). */
  addSession(id?: string): string;
  /** `max(index["kvs"], index["tombstones"])`, raw (0 before any KV write). */
  tableIndex(): number;
}

export interface ConsulTestServer {
  /** `http://127.0.0.1:<port>` (or https). No trailing slash. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** `{ host, port, secure }`, ready for `new Consul(...)` (add `ca` for TLS). */
  readonly clientOptions: { host: string; port: number; secure: boolean };
  readonly kv: KvHelper;
  readonly faults: Faults;
  /** The Connect CA (leaves, roots, rotation, intentions), when started with `connect`. */
  readonly connect: ConnectCa | undefined;
  /** Every request received, in order (capped by `maxRecordedRequests`). */
  readonly requests: RecordedRequest[];
  /** The current global raft index. */
  index(): number;
  /** Counters since the start (or the last `resetStats()`): reads by mode, requests, blocking queries, connections. */
  stats(): ServerStats;
  resetStats(): void;
  /** Make the agent's server a follower this far behind the leader (`?stale` reads say so), or the leader. */
  setFollower(follower: { lastContactMs: number } | undefined): void;
  /** Wait until no request is being handled (blocking queries included). */
  idle(): Promise<void>;
  /** Stop listening, cut every connection, stop every timer. Idempotent. */
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024 * 1024;

export async function startConsulServer(options: ConsulServerOptions = {}): Promise<ConsulTestServer> {
  const host = options.host ?? '127.0.0.1';
  const secure = options.tls !== undefined;
  const settings: CoreSettings = {
    datacenter: options.datacenter ?? 'dc1',
    nodeName: options.nodeName ?? 'dev',
    nodeId: randomUUID(),
    version: options.version ?? '1.21.4',
    maxTxnOps: options.maxTxnOps ?? 128,
    followerLastContactMs: options.follower?.lastContactMs,
    agentSyncDelayMs: options.agentSyncDelayMs ?? 0,
    kvMaxValueSize: options.kvMaxValueSize ?? 524288,
    txnMaxReqLen: options.txnMaxReqLen ?? 524288,
    blocking: { ...CONSUL_BLOCKING_DEFAULTS, ...options.blocking },
  };
  const raft = new RaftIndex(options.initialIndex ?? 10);
  const kv = new KvStore(raft);
  const catalog = new Catalog(raft, { id: settings.nodeId, name: settings.nodeName, datacenter: settings.datacenter });
  const acl = new AclSystem(options.acl);
  const connect =
    options.connect === undefined
      ? undefined
      : new ConnectCa(raft, settings.datacenter, options.connect === true ? {} : options.connect);
  const sockets = new Set<Socket>();
  const inFlight = new Map<AbortController, Promise<void>>();
  const requests: RecordedRequest[] = [];
  const maxRecorded = options.maxRecordedRequests ?? 10_000;
  let closed = false;
  const counters = { requests: 0, mostConnections: 0, restarts: 0 };

  const abortAll = (): void => {
    for (const c of inFlight.keys()) c.abort();
  };
  const destroySockets = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  let port = options.port ?? 0;
  const listen = (): Promise<void> =>
    new Promise((resolveListen, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        port = (server.address() as AddressInfo).port;
        resolveListen();
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolveClose) => {
      if (!server.listening) return resolveClose();
      server.close(() => resolveClose());
      abortAll();
      destroySockets();
    });

  const faults = new Faults({
    closeListener: stopListening,
    reopenListener: listen,
    resetIndex: (to) => {
      kv.clampIndexes(to);
      raft.reset(to); // the catalog clamps itself on reset
    },
    restarted: () => void counters.restarts++,
  });

  const core: ServerCore = {
    reads: { stale: 0, default: 0, consistent: 0 },
    raft,
    kv,
    catalog,
    acl,
    connect,
    settings,
    hasLeader: () => faults.hasLeader,
    leaderLostAt: () => faults.leaderLostAt,
    takeTxnFault: (n) => faults.takeTxnFault(n),
  };
  const responseDefaults = {
    prettyByDefault: options.pretty === true,
    commonHeaders: () => ({
      'X-Consul-Default-Acl-Policy': acl.defaultPolicy,
      'Access-Control-Expose-Headers': 'x-consul-default-acl-policy',
    }),
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, controller: AbortController): Promise<void> => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const path = decodePath(rawPath);
    const query = new URLSearchParams(rawQuery);
    const body = await readBody(req);
    if (body === undefined) return;
    counters.requests++;
    if (maxRecorded > 0) {
      if (requests.length >= maxRecorded) requests.shift();
      requests.push({ method: req.method ?? 'GET', url: rawUrl, path: path ?? '', query, headers: req.headers, body });
    }

    const ctx: RequestContext = {
      req,
      res,
      method: req.method ?? 'GET',
      path: path ?? rawPath,
      query,
      body,
      signal: controller.signal,
    };
    const reply = new Reply(ctx, responseDefaults);

    const delay = faults.delayFor(ctx.method, ctx.path);
    if (delay > 0) await sleep(delay, controller.signal);
    if (controller.signal.aborted) return;
    const drop = faults.takeDrop(ctx.method, ctx.path);
    if (drop) ctx.dropResponse = drop.phase ?? 'mid-body';
    const failure = faults.takeFailure(ctx.method, ctx.path);
    if (failure) return reply.text(failure.status ?? 500, failure.body ?? 'No cluster leader');

    const route = resolve(path, rawQuery, options.allowUnprintablePaths !== true);
    switch (route.kind) {
      case 'bad-request':
        return reply.bare(400, Buffer.from('400 Bad Request'), {
          'Content-Type': 'text/plain; charset=utf-8',
          Connection: 'close',
        });
      case 'unprintable':
        return reply.bare(400, Buffer.alloc(0));
      case 'redirect': {
        const status = options.redirectStatus ?? 301;
        const html = ctx.method === 'GET' || ctx.method === 'HEAD';
        const text = status === 301 ? 'Moved Permanently' : 'Temporary Redirect';
        return reply.bare(status, Buffer.from(html ? `<a href="${escapeHtml(route.location)}">${text}</a>.\n\n` : ''), {
          Location: route.location,
          ...(html ? { 'Content-Type': 'text/html; charset=utf-8' } : {}),
        });
      }
      case 'not-found':
        if (ctx.path === '/') {
          return reply.text(
            200,
            'Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.',
          );
        }
        return reply.bare(404, Buffer.from('Invalid URL path: not a recognized HTTP API endpoint\n'), {
          'Content-Type': 'text/plain; charset=utf-8',
          'X-Content-Type-Options': 'nosniff',
        });
      case 'route': {
        const authz = acl.authorizer(AclSystem.tokenOf(req, query));
        return dispatch(route.route, { ctx, reply, core, authz });
      }
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    if (closed) {
      res.destroy();
      return;
    }
    const done = handle(req, res, controller)
      .catch((err: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`test server error: ${(err as Error).message}`);
        }
      })
      .finally(() => inFlight.delete(controller));
    inFlight.set(controller, done);
  };

  const server: Server = secure
    ? createHttpsServer({ cert: options.tls!.cert, key: options.tls!.key }, onRequest)
    : createHttpServer(onRequest);
  server.on('connection', (socket: Socket) => {
    if (faults.connectionsRefused || closed) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    if (sockets.size > counters.mostConnections) counters.mostConnections = sockets.size;
    socket.on('close', () => sockets.delete(socket));
  });
  // TLS handshake failures and client resets must not crash the test run.
  server.on('tlsClientError', () => undefined);
  server.on('clientError', (_err, socket) => socket.destroy());
  await listen();

  const scheme = secure ? 'https' : 'http';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  const helper: KvHelper = {
    put: (key, value, opts) =>
      kv.write((txn) =>
        txn.set({ key, value: value === null ? null : Buffer.from(value), flags: BigInt(opts?.flags ?? 0) }),
      ),
    get: (key) => kv.get(key),
    value: (key) => {
      const e = kv.get(key);
      return e === undefined ? undefined : (e.value?.toString('utf8') ?? null);
    },
    list: (prefix = '') => kv.list(prefix),
    keys: (prefix = '') => kv.list(prefix).map((e) => e.key),
    dump: (prefix = '') => Object.fromEntries(kv.list(prefix).map((e) => [e.key, e.value?.toString('utf8') ?? null])),
    delete: (key, opts) =>
      kv.write((txn) => {
        if (opts?.recurse) txn.deleteTree(key);
        else txn.delete(key);
      }),
    snapshot: () => kv.snapshot(),
    restore: (snapshot) => kv.restore(snapshot),
    tombstones: () => kv.tombstones(),
    reapTombstones: (upTo) => kv.reapTombstones(upTo),
    addSession: (id = randomUUID()) => {
      kv.addSession(id);
      return id;
    },
    tableIndex: () => kv.tableMax,
  };

  return {
    get url() {
      return `${scheme}://${urlHost}:${port}`;
    },
    host,
    get port() {
      return port;
    },
    secure,
    get clientOptions() {
      return { host, port, secure };
    },
    kv: helper,
    faults,
    connect,
    requests,
    index: () => raft.value,
    stats: () => ({
      reads: { ...core.reads },
      requests: counters.requests,
      blocking: raft.waiting,
      connections: { now: sockets.size, most: counters.mostConnections },
      restarts: counters.restarts,
    }),
    resetStats: () => {
      Object.assign(core.reads, { stale: 0, default: 0, consistent: 0 });
      Object.assign(counters, { requests: 0, mostConnections: sockets.size });
    },
    setFollower: (follower) => {
      settings.followerLastContactMs = follower?.lastContactMs;
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      catalog.close();
      connect?.close();
      abortAll();
      await new Promise<void>((resolveClose) => {
        if (!server.listening) return resolveClose();
        server.close(() => resolveClose());
        destroySockets();
      });
      destroySockets();
      await Promise.allSettled([...inFlight.values()]);
    },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolveBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.destroy();
        resolveBody(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', () => resolveBody(undefined));
    req.on('close', () => resolveBody(req.complete ? Buffer.concat(chunks) : undefined));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolveSleep) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolveSleep();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&#34;')
    .replace(/'/g, '&#39;');
}
