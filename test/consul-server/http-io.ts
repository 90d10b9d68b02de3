/**
 * Request context and response writers that reproduce Consul's wire format (`agent/http.go`):
 * JSON via Go's encoder, errors as sniffed `text/plain; charset=utf-8`, empty bodies with no
 * Content-Type, `Vary: Accept-Encoding` always, gzip only when asked for and ≥ 1400 bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { goJson } from './go-json.ts';

export type HeaderMap = Record<string, string>;

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** The percent-decoded path (the key for `/v1/kv/` is everything after that prefix). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
  /** Aborted when the client goes away or the server closes. */
  readonly signal: AbortSignal;
  /** Set by a fault: cut this response in the middle. */
  dropResponse?: 'before-headers' | 'mid-body';
}

/** Headers sent on every response, whatever the endpoint (set by the server). */
export interface ResponseDefaults {
  commonHeaders(): HeaderMap;
  prettyByDefault: boolean;
}

export class Reply {
  constructor(
    private readonly ctx: RequestContext,
    private readonly defaults: ResponseDefaults,
  ) {}

  get sent(): boolean {
    return this.ctx.res.headersSent || this.ctx.res.destroyed;
  }

  json(status: number, value: unknown, headers: HeaderMap = {}): void {
    const pretty = this.defaults.prettyByDefault || this.ctx.query.has('pretty');
    this.send(status, Buffer.from(goJson(value, pretty), 'utf8'), { 'Content-Type': 'application/json', ...headers });
  }

  /** An error the way `fmt.Fprint(resp, msg)` leaves it: sniffed as text/plain. */
  text(status: number, message: string, headers: HeaderMap = {}): void {
    this.send(status, Buffer.from(message, 'utf8'), { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  }

  /** A handler that returned `nil, nil`: status only, no body, no Content-Type. */
  empty(status: number, headers: HeaderMap = {}): void {
    this.send(status, Buffer.alloc(0), headers);
  }

  /** Bytes with the given headers (Content-Type included by the caller). */
  raw(status: number, body: Buffer, headers: HeaderMap): void {
    this.send(status, body, headers);
  }

  /** Outside Consul's endpoint wrapper (ServeMux redirects, the printable-path filter): no default headers, no gzip. */
  bare(status: number, body: Buffer, headers: HeaderMap = {}): void {
    this.send(status, body, headers, true);
  }

  private send(status: number, body: Buffer, headers: HeaderMap, bare = false): void {
    const { res, req } = this.ctx;
    if (this.sent) return;
    const all: HeaderMap = bare
      ? { ...headers }
      : { Vary: 'Accept-Encoding', ...this.defaults.commonHeaders(), ...headers };
    let payload = body;
    if (!bare && payload.length >= 1400 && acceptsGzip(req.headers['accept-encoding'])) {
      payload = gzipSync(payload);
      all['Content-Encoding'] = 'gzip';
    }
    all['Content-Length'] = String(payload.length);
    if (this.ctx.dropResponse === 'before-headers') {
      res.socket?.destroy();
      return;
    }
    if (this.ctx.dropResponse === 'mid-body') {
      // Promise the whole body (at least one byte), send half of it, then close the connection.
      const half = payload.subarray(0, Math.floor(payload.length / 2));
      all['Content-Length'] = String(Math.max(payload.length, 1));
      res.writeHead(status, all);
      res.flushHeaders();
      if (half.length > 0) res.write(half);
      res.socket?.end();
      return;
    }
    res.writeHead(status, all);
    res.end(req.method === 'HEAD' ? undefined : payload);
  }
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Flags are on when present, whatever their value (`params["recurse"]` in Go). */
export function hasFlag(query: URLSearchParams, name: string): boolean {
  return query.has(name);
}

/** Go's `url.Values.Encode()`: keys sorted, values in order, `QueryEscape`d. */
export function goValuesEncode(query: URLSearchParams): string {
  const keys = [...new Set(query.keys())].sort();
  const parts: string[] = [];
  for (const k of keys) {
    for (const v of query.getAll(k)) parts.push(`${goQueryEscape(k)}=${goQueryEscape(v)}`);
  }
  return parts.join('&');
}

function goQueryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's `escape(s, encodePath)`, used to build redirect Locations. */
export function goPathEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(ch)) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Go's `strconv.ParseUint(s, 10, 64)`, with its error text. */
export function parseUint64(s: string): { value: bigint } | { error: string } {
  if (!/^[0-9]+$/.test(s)) return { error: `strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax` };
  const value = BigInt(s);
  if (value > 0xffff_ffff_ffff_ffffn)
    return { error: `strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range` };
  return { value };
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** Keys matched the way Go's encoding/json matches struct fields: case-insensitively. */
export function foldKey(key: string): string {
  return key.toLowerCase();
}
