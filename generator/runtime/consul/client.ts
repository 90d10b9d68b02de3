/**
 * The Consul calls wazo-config makes, through the `consul` npm client (node-consul v2): one
 * recursive KV read per service prefix and KV transactions. Failures are sorted into what a
 * person can act on: unreachable (worth waiting for), ACL, TLS, or another HTTP answer.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import Consul from 'consul';
import type { ConsulLocation } from './locate.ts';

export interface KvEntry {
  key: string;
  /** The value as UTF-8 text; null when Consul stores an empty value. */
  value: string | null;
  flags: number;
  modifyIndex: number;
}

export interface TreeRead {
  entries: KvEntry[];
  /** `X-Consul-Index` of the read, for blocking queries. */
  index: number;
  /** Consul left keys out because the token may not read them (`X-Consul-Results-Filtered-By-ACLs`). */
  filteredByAcl: boolean;
}

/** The blocking part of a read (consul-http-api.md §3). */
export interface BlockingRead {
  /** The `X-Consul-Index` to wait past; 0 answers at once. */
  index: number;
  waitMs: number;
  signal?: AbortSignal;
}

export interface TxnKvOp {
  KV: { Verb: string; Key: string; Value?: string; Flags?: number; Index?: number };
}

export type TxnResult = { ok: true } | { ok: false; errors: { OpIndex: number; What: string }[] };

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

export interface HealthRead {
  /** The instances whose every check passes, sorted by ID. */
  instances: HealthInstance[];
  /** `X-Consul-Index` of the read, for blocking queries. */
  index: number;
  /** Consul left instances out because the token may not read them. */
  filteredByAcl: boolean;
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

/** The subset of node-consul used here; its own typings lack `baseUrl`, `ca` and the request options. */
interface RawConsul {
  kv: { get(options: Record<string, unknown>): Promise<unknown> };
  health: { service(options: Record<string, unknown>): Promise<unknown> };
  agent: {
    service: { register(options: Record<string, unknown>): Promise<unknown>; deregister(options: Record<string, unknown>): Promise<unknown> };
    check: { pass(options: Record<string, unknown>): Promise<unknown> };
  };
  transaction: { create(operations: TxnKvOp[], options: Record<string, unknown>): Promise<unknown> };
  destroy(): void;
}
type RawConsulConstructor = new (options: Record<string, unknown>) => RawConsul;

interface ResponseLike {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
  body?: unknown;
}

export type FailureKind = 'unreachable' | 'acl' | 'tls' | 'ca-file' | 'http';

/** A failed call, sorted. `retryable` failures are the ones worth waiting for. */
export class ConsulFailure extends Error {
  override name = 'ConsulFailure';
  constructor(
    readonly kind: FailureKind,
    readonly detail: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** For a failed transaction (409): Consul's per-operation errors. */
    readonly txnErrors?: { OpIndex: number; What: string }[],
  ) {
    super(detail);
  }
}

export class ConsulKv {
  private readonly client: RawConsul;

  constructor(readonly location: ConsulLocation) {
    const options: Record<string, unknown> = { baseUrl: `${location.url}/v1` };
    if (location.token !== undefined) options.defaults = { token: location.token };
    if (location.caFile !== undefined) {
      try {
        options.ca = readFileSync(location.caFile);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        throw new ConsulFailure('ca-file', `cannot read the CA file ${location.caFile} (${code})`, false);
      }
    }
    this.client = new (Consul as unknown as RawConsulConstructor)(options);
  }

  /**
   * Every key under `prefix` in one recursive read (a missing prefix is an empty list). With
   * `blocking`, a blocking query: Consul answers once the prefix's index passes `index`, or after
   * `waitMs`; `signal` aborts it. `timeoutMs` bounds the whole answer, which the npm client needs:
   * without it, a response cut mid-body never settles.
   */
  async readTree(prefix: string, timeoutMs = this.location.requestTimeoutMs, blocking?: BlockingRead): Promise<TreeRead> {
    const query = blocking ? { index: blocking.index, wait: `${blocking.waitMs}ms` } : {};
    const [response, data] = await this.call(blocking?.signal, (ctx) => this.client.kv.get({ key: prefix, recurse: true, ctx, timeout: timeoutMs, ...query }));
    const entries = Array.isArray(data)
      ? (data as { Key: string; Value: string | null; Flags: number; ModifyIndex: number }[]).map((e) => ({
          key: e.Key,
          value: e.Value,
          flags: e.Flags,
          modifyIndex: e.ModifyIndex,
        }))
      : [];
    return {
      entries,
      index: Number(header(response, 'x-consul-index') ?? 0),
      filteredByAcl: header(response, 'x-consul-results-filtered-by-acls') === 'true',
    };
  }

  /** One atomic transaction; a rollback (409) is a result, anything else a ConsulFailure. */
  async txn(operations: TxnKvOp[]): Promise<TxnResult> {
    try {
      await this.client.transaction.create(operations, { timeout: this.location.requestTimeoutMs });
      return { ok: true };
    } catch (error) {
      const failure = classify(error);
      if (failure.status === 409 && failure.txnErrors) return { ok: false, errors: failure.txnErrors };
      throw failure;
    }
  }

  /**
   * The passing instances of `service` (`?passing`: every check passes). With `blocking`, Consul
   * answers once the service's index passes `index` (an instance comes, goes, or changes health).
   */
  async healthService(service: string, timeoutMs = this.location.requestTimeoutMs, blocking?: BlockingRead): Promise<HealthRead> {
    const query = blocking ? { index: blocking.index, wait: `${blocking.waitMs}ms` } : {};
    const [response, data] = await this.call(blocking?.signal, (ctx) => this.client.health.service({ service, passing: true, ctx, timeout: timeoutMs, ...query }));
    type Row = { Node?: { Address?: string }; Service?: { ID: string; Address?: string; Port?: number; Tags?: string[] | null; Meta?: Record<string, string> | null } };
    const instances = (Array.isArray(data) ? (data as Row[]) : [])
      .filter((row) => row.Service)
      .map(({ Node, Service: s }) => ({ id: s!.ID, address: s!.Address || Node?.Address || '', port: s!.Port ?? 0, tags: s!.Tags ?? [], meta: s!.Meta ?? {} }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { instances, index: Number(header(response, 'x-consul-index') ?? 0), filteredByAcl: header(response, 'x-consul-results-filtered-by-acls') === 'true' };
  }

  /** Registers (or replaces) a service with the local agent, with a TTL check that starts critical. */
  async registerService(definition: ServiceDefinition): Promise<void> {
    const { ttl, ...service } = definition;
    await this.call(undefined, (ctx) => this.client.agent.service.register({ ...service, check: { ttl, checkid: `service:${service.id}` }, ctx, timeout: this.location.requestTimeoutMs }));
  }

  /** Removes a service from the local agent; an unknown ID is no error. */
  async deregisterService(id: string): Promise<void> {
    await this.call(undefined, (ctx) => this.client.agent.service.deregister({ id, ctx, timeout: this.location.requestTimeoutMs }));
  }

  /** Marks a TTL check passing; Consul answers 404 when it does not know the check (e.g. after a restart). */
  async passCheck(checkId: string, note?: string): Promise<void> {
    await this.call(undefined, (ctx) => this.client.agent.check.pass({ id: checkId, note, ctx, timeout: this.location.requestTimeoutMs }));
  }

  /** One node-consul call with the response included, cancelled by `signal`; failures sorted. */
  private async call(signal: AbortSignal | undefined, run: (ctx: EventEmitter) => Promise<unknown>): Promise<[ResponseLike, unknown]> {
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
    const cancel = () => ctx.emit('cancel');
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      signal?.throwIfAborted();
      const answer = (await run(ctx)) as [ResponseLike, unknown] | undefined;
      return answer ?? [{}, undefined];
    } catch (error) {
      throw classify(error);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  close(): void {
    this.client.destroy();
  }
}

function header(response: ResponseLike | undefined, name: string): string | undefined {
  const value = response?.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);
const TLS_CODE = /CERT|SELF_SIGNED|^ERR_TLS|^ERR_SSL|^UNABLE_TO|^EPROTO$/;

/** Sorts whatever node-consul (papi) threw. */
export function classify(error: unknown): ConsulFailure {
  if (error instanceof ConsulFailure) return error;
  const e = error as Error & { code?: string; isTimeout?: boolean; response?: ResponseLike; statusCode?: number };
  const message = String(e?.message ?? error).replace(/^(?:consul: )?(?:[\w.]+: )?/, '');
  const code = e?.code;
  const detail = code && !message.includes(code) ? `${message} (${code})` : message;
  const status = e?.response?.statusCode;
  if (status !== undefined) {
    const body = typeof e.response?.body === 'string' ? e.response.body.trim() : undefined;
    const said = `${status} ${body || message}`;
    if (status === 403) return new ConsulFailure('acl', said, false, status);
    if (status === 409) {
      const errors = (e.response?.body as { Errors?: { OpIndex: number; What: string }[] } | undefined)?.Errors ?? [];
      return new ConsulFailure('http', said, false, status, errors);
    }
    // 5xx: no leader yet, overloaded, restarting — all worth waiting for.
    return new ConsulFailure('http', said, status >= 500, status);
  }
  if (code && TLS_CODE.test(code)) return new ConsulFailure('tls', detail, false);
  if (e?.isTimeout || (code && CONNECTION_CODES.has(code)) || /socket hang up/i.test(message)) {
    return new ConsulFailure('unreachable', detail, true);
  }
  return new ConsulFailure('http', detail, false);
}
