/**
 * The Consul HTTP API calls wazo-config makes (consul-http-api.md), over Node's own http/https:
 * recursive KV reads, KV transactions, a service's passing instances, and the agent calls of a
 * registration. Every answer is checked before use — status, headers, content type, body shape —
 * and anything that is not a Consul answer (a proxy's HTML page, a body of another shape, a read
 * without `X-Consul-Index`) is a `malformed` ConsulFailure, never an empty result: a loader that
 * took it for an empty prefix would load defaults in silence.
 *
 * A small typed client rather than the `consul` npm package: it loads in a few milliseconds
 * (node-consul and its dependencies take ~75 ms), bounds every answer in time and size, and
 * its errors say which Consul call failed and how. One client holds one keep-alive agent: a load,
 * a watcher or a command opens one client and shares it (consul/session.ts).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { ConsulFailure, classify } from './failure.ts';
import type { ConsulLocation } from './locate.ts';

export { ConsulFailure, classify, type FailureKind } from './failure.ts';

export interface KvEntry {
  key: string;
  /** The value as UTF-8 text; null when Consul stores an empty value (or bytes that are not UTF-8: see `notUtf8`). */
  value: string | null;
  /** The stored bytes are not UTF-8 text; the decoder reports the key rather than reading U+FFFD. */
  notUtf8?: true;
  flags: number;
  modifyIndex: number;
}

/** What every read answer says besides its data (the `QueryMeta` headers). */
export interface ReadMeta {
  /** `X-Consul-Index`, for blocking queries; a 0 is read as 1 (consul-http-api.md §3.3 rule 2). */
  index: number;
  /** `X-Consul-Knownleader`; undefined when not sent. */
  knownLeader: boolean | undefined;
  /** `X-Consul-Lastcontact`: ms since the answering server heard from the leader (0 on the leader). */
  lastContactMs: number | undefined;
  /** `X-Consul-Default-Acl-Policy` (every answer since Consul 1.9). */
  defaultAclPolicy: 'allow' | 'deny' | undefined;
  /** Consul left items out because the token may not read them (`X-Consul-Results-Filtered-By-ACLs`). */
  filteredByAcl: boolean;
  /**
   * Set when a `?stale` answer was staler than `maxStaleMs`: its last contact, in ms. This answer is then the
   * leader's, asked again without `?stale`.
   */
  tooStaleMs?: number;
}

export interface TreeRead extends ReadMeta {
  entries: KvEntry[];
}

/** One instance of a service as `/v1/health/service/<name>` lists it. */
export interface HealthInstance {
  /** The service ID. */
  id: string;
  /** `Service.Address`, or `Node.Address` when the service gives none (as consul-template does). */
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
}

export interface HealthRead extends ReadMeta {
  /** The instances whose every check passes, sorted by ID. */
  instances: HealthInstance[];
}

/**
 * How one read is made. `consistency: 'stale'` lets any server answer (then `lastContactMs` says
 * how far behind it may be), `'consistent'` makes the leader confirm it still leads.
 */
export interface ConsulReadOptions {
  /** A blocking query: answer once the index passes this one (0 or absent: at once). */
  index?: number;
  /** The blocking query's `wait`, in ms. */
  waitMs?: number;
  /** Aborts the request (the read then rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Bounds the whole answer, body included; default the location's request timeout. */
  timeoutMs?: number;
  consistency?: 'default' | 'stale' | 'consistent';
  /**
   * With `consistency: 'stale'`: an answer whose `X-Consul-LastContact` is above this is asked again without `?stale`
   * (the leader answers), once, with the same index, as consul-template does with `max_stale`.
   */
  maxStaleMs?: number;
}

export interface TxnKvOp {
  KV: { Verb: string; Key: string; Value?: string; Flags?: number; Index?: number };
}

export type TxnResult = { ok: true } | { ok: false; errors: { OpIndex: number; What: string }[] };

/** An answer of the agent's Connect CA endpoints: its JSON body, checked by generator/runtime/connect/material.ts. */
export interface ConnectRead extends ReadMeta {
  body: unknown;
}

/** What `/v1/agent/connect/authorize` answers. */
export interface ConnectAuthorization {
  authorized: boolean;
  reason: string;
}

/** What `/v1/agent/service/register` gets: one service with one TTL check (`service:<id>`). */
export interface ServiceDefinition {
  name: string;
  id: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
  /** The TTL as a Go duration, e.g. `30s`. */
  ttl: string;
}

/** The largest answer read: a recursive read of a huge prefix past this is refused, not buffered without end. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface Call {
  method: 'GET' | 'PUT' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

type Transport = { request: typeof httpRequest; agent: HttpAgent };

export class ConsulClient {
  private transport: Promise<Transport> | undefined;
  private readonly ca: Buffer | undefined;

  /** Throws a `ca-file` ConsulFailure when the CA file cannot be read. */
  constructor(readonly location: ConsulLocation) {
    if (location.caFile !== undefined) {
      try {
        this.ca = readFileSync(location.caFile);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new ConsulFailure('ca-file', `cannot read the CA file ${location.caFile} (${code})`, false);
      }
    }
  }

  /**
   * Every key under `prefix` in one recursive read: `GET /v1/kv/<prefix>?recurse`. A missing
   * prefix (404 with `X-Consul-Index`) is an empty list. Each entry is checked: a string `Key`
   * under the prefix, `Value` base64 or null, whole-number `Flags` and `ModifyIndex`.
   */
  async readTree(prefix: string, options: ConsulReadOptions = {}): Promise<TreeRead> {
    const what = `the read of ${prefix}`;
    const { answer, meta } = await this.read(`/v1/kv/${encodeKey(prefix)}`, { recurse: '' }, options, what);
    if (answer.status === 404) {
      if (answer.body.length > 0 && !isJson(answer))
        throw malformed(`${what} answered 404 with ${describeBody(answer)}`);
      return { ...meta, entries: [] };
    }
    const rows = jsonOf(answer, what);
    if (!Array.isArray(rows)) throw malformed(`${what} answered ${typeOf(rows)} where Consul sends a list of entries`);
    return { ...meta, entries: rows.map((row, n) => entryOf(row, n, prefix, what)) };
  }

  /**
   * The passing instances of `service` (`GET /v1/health/service/<name>?passing`: every check
   * passes), sorted by ID. Blocking, Consul answers once the service's index passes `index`.
   */
  async healthService(service: string, options: ConsulReadOptions = {}): Promise<HealthRead> {
    const what = `the health read of ${service}`;
    const path = `/v1/health/service/${encodeURIComponent(service)}`;
    const { answer, meta } = await this.read(path, { passing: '1' }, options, what);
    if (answer.status !== 200) throw statusFailure(answer);
    const rows = jsonOf(answer, what);
    if (!Array.isArray(rows))
      throw malformed(`${what} answered ${typeOf(rows)} where Consul sends a list of instances`);
    const instances = rows
      .map((row, n) => instanceOf(row, n, what))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { ...meta, instances };
  }

  /**
   * The service's Connect leaf certificate from the local agent (`GET /v1/agent/connect/ca/leaf/<service>`, blocking:
   * Consul answers once the agent has replaced the leaf, near its expiry or after a root rotation). Needs
   * service:write.
   */
  async connectLeaf(service: string, options: ConsulReadOptions = {}): Promise<ConnectRead> {
    return this.connectRead(
      `/v1/agent/connect/ca/leaf/${encodeURIComponent(service)}`,
      `the Connect leaf of ${service}`,
      options,
    );
  }

  /** The Connect CA roots (`GET /v1/agent/connect/ca/roots`, blocking: Consul answers when they rotate). */
  async connectRoots(options: ConsulReadOptions = {}): Promise<ConnectRead> {
    return this.connectRead('/v1/agent/connect/ca/roots', 'the Connect CA roots', options);
  }

  /**
   * Whether the service named by a client certificate's URI SAN may call `target`, by the intentions
   * (`POST /v1/agent/connect/authorize`; the token needs service:write on `target`).
   */
  async connectAuthorize(
    target: string,
    clientCertUri: string,
    clientCertSerial: string,
  ): Promise<ConnectAuthorization> {
    const answer = await this.send({
      method: 'POST',
      path: '/v1/agent/connect/authorize',
      body: { Target: target, ClientCertURI: clientCertUri, ClientCertSerial: clientCertSerial },
    });
    if (answer.status !== 200) throw statusFailure(answer);
    const body = jsonOf(answer, `the authorization of ${clientCertUri} to call ${target}`);
    if (!isRecord(body) || typeof body.Authorized !== 'boolean' || typeof body.Reason !== 'string')
      throw malformed(
        `the authorization of a call to ${target} answered ${typeOf(body)} without Authorized and Reason`,
      );
    return { authorized: body.Authorized, reason: body.Reason };
  }

  private async connectRead(path: string, what: string, options: ConsulReadOptions): Promise<ConnectRead> {
    const answer = await this.send({
      method: 'GET',
      path,
      query: readQuery(options),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    // Connect disabled is a 500 that waiting does not cure.
    if (answer.status === 500 && /Connect must be enabled/.test(answer.body.toString('utf8')))
      throw new ConsulFailure('http', `500 ${answer.body.toString('utf8').trim()}`, false, 500);
    const meta = readMetaOf(answer, what);
    if (answer.status !== 200) throw statusFailure(answer);
    return { ...meta, body: jsonOf(answer, what) };
  }

  /** One atomic transaction (`PUT /v1/txn`); a rollback (409) is a result, anything else a ConsulFailure. */
  async txn(operations: TxnKvOp[]): Promise<TxnResult> {
    const answer = await this.send({ method: 'PUT', path: '/v1/txn', body: operations });
    const what = `a transaction of ${operations.length} operations`;
    if (answer.status === 200) {
      const body = jsonOf(answer, what);
      if (!isRecord(body) || !Array.isArray(body.Results))
        throw malformed(`${what} answered ${typeOf(body)} where Consul sends {"Results": […]}`);
      return { ok: true };
    }
    if (answer.status === 409 && isJson(answer)) {
      const body = jsonOf(answer, what);
      const errors = isRecord(body) && Array.isArray(body.Errors) ? body.Errors : undefined;
      if (!errors || !errors.every((e) => isRecord(e) && Number.isInteger(e.OpIndex) && typeof e.What === 'string')) {
        throw malformed(`${what} was rolled back (409) without Consul's list of errors: ${describeBody(answer)}`);
      }
      return { ok: false, errors: errors as { OpIndex: number; What: string }[] };
    }
    throw statusFailure(answer);
  }

  /** Registers (or replaces) a service with the local agent, with a TTL check that starts critical. */
  async registerService(definition: ServiceDefinition): Promise<void> {
    const { name, id, address, port, tags, meta, ttl } = definition;
    const body = {
      Name: name,
      ID: id,
      Address: address,
      Port: port,
      Tags: tags,
      Meta: meta,
      Check: { CheckID: `service:${id}`, TTL: ttl },
    };
    const answer = await this.send({ method: 'PUT', path: '/v1/agent/service/register', body });
    if (answer.status !== 200) throw statusFailure(answer);
  }

  /**
   * Removes a service from the local agent. Consul answers 404 `Unknown service ID` for an ID it
   * does not know (after an agent restart, or a second stop): that is `gone`, not a failure.
   */
  async deregisterService(id: string): Promise<'deregistered' | 'gone'> {
    const answer = await this.send({ method: 'PUT', path: `/v1/agent/service/deregister/${encodeURIComponent(id)}` });
    if (answer.status === 200) return 'deregistered';
    if (answer.status === 404 && /Unknown service/i.test(answer.body.toString('utf8'))) return 'gone';
    throw statusFailure(answer);
  }

  /** Marks a TTL check passing; Consul answers 404 when it does not know the check (e.g. after a restart). */
  async passCheck(checkId: string, note?: string): Promise<void> {
    const answer = await this.send({
      method: 'PUT',
      path: `/v1/agent/check/pass/${encodeURIComponent(checkId)}`,
      query: note === undefined ? {} : { note },
    });
    if (answer.status !== 200) throw statusFailure(answer);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    void this.transport?.then(
      (t) => t.agent.destroy(),
      () => undefined,
    );
  }

  /**
   * One read and its meta headers; a `?stale` answer staler than `maxStaleMs` is replaced by the leader's (the same
   * query without `?stale`). A failure of that second request is the read's failure: without a leader it is
   * `500 No cluster leader`, retried by the caller as any other.
   */
  private async read(
    path: string,
    query: Record<string, string>,
    options: ConsulReadOptions,
    what: string,
  ): Promise<{ answer: Answer; meta: ReadMeta }> {
    const send = (consistency: ConsulReadOptions['consistency'] = 'default') =>
      this.send({
        method: 'GET',
        path,
        query: { ...query, ...readQuery({ ...options, consistency }) },
        signal: options.signal,
        timeoutMs: options.timeoutMs,
      });
    const answer = await send(options.consistency);
    const meta = readMetaOf(answer, what);
    const limit = options.consistency === 'stale' ? options.maxStaleMs : undefined;
    if (limit === undefined || meta.lastContactMs === undefined || meta.lastContactMs <= limit) return { answer, meta };
    const fresh = await send('default');
    return { answer: fresh, meta: { ...readMetaOf(fresh, what), tooStaleMs: meta.lastContactMs } };
  }

  private connect(): Promise<Transport> {
    this.transport ??= (async () => {
      if (this.location.scheme === 'http') return { request: httpRequest, agent: new HttpAgent({ keepAlive: true }) };
      // https (and with it tls) only for a Consul that speaks it.
      const https = await import('node:https');
      const agent = new https.Agent({ keepAlive: true, ...(this.ca ? { ca: this.ca } : {}) });
      return { request: https.request as unknown as typeof httpRequest, agent };
    })();
    return this.transport;
  }

  /**
   * One request; the whole answer read within the timeout and the size limit. Throws ConsulFailure, or the signal's
   * reason.
   */
  private async send(call: Call): Promise<Answer> {
    call.signal?.throwIfAborted();
    const { request, agent } = await this.connect();
    const search = new URLSearchParams(call.query ?? {}).toString().replace(/=(?=&|$)/g, '');
    const url = `${this.location.url}${call.path}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.location.token !== undefined) headers['x-consul-token'] = this.location.token;
    const payload = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
    if (payload)
      Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    const timeoutMs = call.timeoutMs ?? this.location.requestTimeoutMs;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      const finish = (error: unknown, answer?: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        call.signal?.removeEventListener('abort', onAbort);
        if (answer) resolve(answer);
        else reject(error instanceof ConsulFailure || call.signal?.aborted ? error : classify(error));
      };
      const req = request(url, { method: call.method, headers, agent });
      const fail = (error: unknown) => {
        finish(error);
        req.destroy();
      };
      const onAbort = () => fail(call.signal!.reason);
      call.signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () =>
          fail(
            new ConsulFailure(
              'unreachable',
              `timed out: no whole answer within ${seconds(timeoutMs)} (${call.method} ${call.path})`,
              true,
            ),
          ),
        timeoutMs,
      );
      req.on('error', fail);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES)
            fail(
              malformed(
                `the answer to ${call.method} ${call.path} is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`,
              ),
            );
          else chunks.push(chunk);
        });
        const cut = () =>
          new ConsulFailure(
            'unreachable',
            `the answer to ${call.method} ${call.path} was cut after ${size} bytes`,
            true,
          );
        res.on('error', () => fail(cut()));
        res.on('close', () => {
          if (!res.complete) fail(cut());
          else finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      req.end(payload);
    });
  }
}

function readQuery(options: ConsulReadOptions): Record<string, string> {
  const query: Record<string, string> = {};
  if (options.index !== undefined) query.index = String(options.index);
  // `wait` only means something with an index to wait past; index 0 answers at once.
  if (options.index !== undefined && options.index > 0 && options.waitMs !== undefined)
    query.wait = `${Math.max(1, Math.ceil(options.waitMs))}ms`;
  if (options.consistency === 'stale') query.stale = '';
  if (options.consistency === 'consistent') query.consistent = '';
  return query;
}

/** Each segment percent-encoded: a key's own `%2F` (a `/` inside a segment) must reach Consul as typed. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function malformed(detail: string): ConsulFailure {
  return new ConsulFailure('malformed', detail, false);
}

/**
 * A status other than the success one, said as `<status> <body>` (Consul's error bodies are one
 * line of text): 403 is ACL, 5xx and 429 are worth waiting for, the rest are not.
 */
function statusFailure(answer: Answer): ConsulFailure {
  const text = answer.body.toString('utf8').trim();
  const plain = text !== '' && text.length <= 500 && !/[<\n]/.test(text) ? text : describeBody(answer);
  const said = `${answer.status} ${plain}`;
  if (answer.status === 403) return new ConsulFailure('acl', said, false, 403);
  const retryable = answer.status >= 500 || answer.status === 429;
  return new ConsulFailure('http', said, retryable, answer.status);
}

/** The meta headers of a read; a 200 or 404 without a usable `X-Consul-Index` did not come from Consul. */
function readMetaOf(answer: Answer, what: string): ReadMeta {
  if (answer.status !== 200 && answer.status !== 404) throw statusFailure(answer);
  const raw = header(answer, 'x-consul-index');
  if (raw === undefined || !/^[0-9]{1,20}$/.test(raw)) {
    const got = raw === undefined ? 'none' : JSON.stringify(raw.slice(0, 40));
    throw malformed(
      `${what} answered ${answer.status} without a usable X-Consul-Index header (got ${got}): not a Consul answer (${describeBody(answer)})`,
    );
  }
  const lastContact = header(answer, 'x-consul-lastcontact');
  const leader = header(answer, 'x-consul-knownleader');
  const policy = header(answer, 'x-consul-default-acl-policy');
  return {
    index: Math.max(1, Number(raw)),
    knownLeader: leader === undefined ? undefined : leader === 'true',
    lastContactMs: lastContact !== undefined && /^[0-9]+$/.test(lastContact) ? Number(lastContact) : undefined,
    defaultAclPolicy: policy === 'allow' || policy === 'deny' ? policy : undefined,
    filteredByAcl: header(answer, 'x-consul-results-filtered-by-acls') === 'true',
  };
}

function header(answer: Answer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isJson(answer: Answer): boolean {
  return /^application\/json\b/i.test(header(answer, 'content-type') ?? '');
}

function jsonOf(answer: Answer, what: string): unknown {
  if (!isJson(answer))
    throw malformed(
      `${what} answered ${answer.status} with ${describeBody(answer)} rather than JSON: not a Consul answer`,
    );
  try {
    return JSON.parse(answer.body.toString('utf8')) as unknown;
  } catch (error) {
    throw malformed(
      `${what} answered a body that is not valid JSON (${(error as Error).message}): not a Consul answer`,
    );
  }
}

/** A body, said in a few words: its content type and first line, control characters escaped. */
function describeBody(answer: Answer): string {
  const type = (header(answer, 'content-type') ?? 'no content type').split(';')[0]!.trim();
  const text = answer.body.toString('utf8').trim();
  if (text === '') return `an empty body (${type})`;
  if (/html/i.test(type) || /^<(!doctype|html)/i.test(text))
    return `an HTML page (${type}; a proxy or another web server?)`;
  const first = text.split('\n')[0]!;
  const shown = JSON.stringify(first.length > 160 ? `${first.slice(0, 160)}…` : first);
  return `${shown} (${type})`;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function entryOf(row: unknown, n: number, prefix: string, what: string): KvEntry {
  const at = `${what}: entry ${n}`;
  if (!isRecord(row)) throw malformed(`${at} is ${typeOf(row)}, not a KV entry`);
  const { Key, Value, Flags, ModifyIndex } = row;
  if (typeof Key !== 'string' || Key === '')
    throw malformed(`${at} has ${Key === undefined ? 'no' : 'a non-string'} Key`);
  if (!Key.startsWith(prefix)) throw malformed(`${at}: its key ${JSON.stringify(Key)} is not under ${prefix}`);
  if (Value !== null && Value !== undefined && (typeof Value !== 'string' || !BASE64.test(Value)))
    throw malformed(`${at} (${Key}): Value is ${typeof Value === 'string' ? 'not base64' : typeOf(Value)}`);
  if (Flags !== undefined && !isCount(Flags)) throw malformed(`${at} (${Key}): Flags is not a whole number`);
  if (!isCount(ModifyIndex)) throw malformed(`${at} (${Key}): ModifyIndex is not a whole number`);
  const entry: KvEntry = { key: Key, value: null, flags: Flags ?? 0, modifyIndex: ModifyIndex };
  if (typeof Value === 'string' && Value !== '') {
    try {
      entry.value = utf8.decode(Buffer.from(Value, 'base64'));
    } catch {
      entry.notUtf8 = true;
    }
  }
  return entry;
}

function instanceOf(row: unknown, n: number, what: string): HealthInstance {
  const at = `${what}: instance ${n}`;
  if (!isRecord(row) || !isRecord(row.Service)) throw malformed(`${at} has no Service object`);
  const s = row.Service;
  const nodeAddress = isRecord(row.Node) && typeof row.Node.Address === 'string' ? row.Node.Address : '';
  if (typeof s.ID !== 'string' || s.ID === '') throw malformed(`${at} has no service ID`);
  if (s.Address !== undefined && typeof s.Address !== 'string')
    throw malformed(`${at} (${s.ID}): Address is not a string`);
  if (!(isCount(s.Port) && s.Port <= 65535)) throw malformed(`${at} (${s.ID}): Port is not a port number`);
  const tags = s.Tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string'))
    throw malformed(`${at} (${s.ID}): Tags is not a list of strings`);
  const meta = s.Meta ?? {};
  if (!isRecord(meta) || !Object.values(meta).every((v) => typeof v === 'string'))
    throw malformed(`${at} (${s.ID}): Meta is not a map of strings`);
  const address = (s.Address as string | undefined) || nodeAddress;
  if (address === '') throw malformed(`${at} (${s.ID}): neither the service nor its node has an address`);
  return { id: s.ID, address, port: s.Port, tags: tags as string[], meta: { ...(meta as Record<string, string>) } };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}
