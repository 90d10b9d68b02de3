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

export interface TxnKvOp {
  KV: { Verb: string; Key: string; Value?: string; Flags?: number; Index?: number };
}

export type TxnResult = { ok: true } | { ok: false; errors: { OpIndex: number; What: string }[] };

/** The subset of node-consul used here; its own typings lack `baseUrl`, `ca` and the request options. */
interface RawConsul {
  kv: { get(options: Record<string, unknown>): Promise<unknown> };
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

  /** Every key under `prefix` in one recursive read (a missing prefix is an empty list). */
  async readTree(prefix: string, timeoutMs = this.location.requestTimeoutMs): Promise<TreeRead> {
    const ctx = Object.assign(new EventEmitter(), { includeResponse: true });
    let answer: unknown;
    try {
      answer = await this.client.kv.get({ key: prefix, recurse: true, ctx, timeout: timeoutMs });
    } catch (error) {
      throw classify(error);
    }
    const [response, data] = answer as [ResponseLike, unknown];
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
