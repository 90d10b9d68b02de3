/**
 * A failed Consul call, sorted into what a person can act on: unreachable (worth waiting for),
 * ACL, TLS, an unreadable CA file, an answer that is not a Consul answer, or another HTTP status.
 * Kept apart from the HTTP client so that code which only sorts or words failures does not load it.
 */

export type FailureKind = 'unreachable' | 'acl' | 'tls' | 'ca-file' | 'malformed' | 'http';

/** A failed call. `retryable` failures are the ones worth waiting for. */
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

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);
const TLS_CODE = /CERT|SELF_SIGNED|^ERR_TLS|^ERR_SSL|^UNABLE_TO|^EPROTO$/;

/** Sorts what a request threw: a ConsulFailure as it is, a socket or TLS error by its code. */
export function classify(error: unknown): ConsulFailure {
  if (error instanceof ConsulFailure) return error;
  const e = error as Error & { code?: string };
  const message = String(e?.message ?? error);
  const code = e?.code;
  const detail = code && !message.includes(code) ? `${message} (${code})` : message;
  if (code && TLS_CODE.test(code)) return new ConsulFailure('tls', detail, false);
  if ((code && CONNECTION_CODES.has(code)) || /socket hang up/i.test(message))
    return new ConsulFailure('unreachable', detail, true);
  return new ConsulFailure('http', detail, false);
}
