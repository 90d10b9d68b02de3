/**
 * What happens between the socket and an endpoint (§1.1): percent-decoding of the whole path,
 * the printable-path filter (400, empty body), Go ServeMux cleaning (`//`, `/./`, `/../` → 301)
 * and subtree redirects (`/v1/kv` → `/v1/kv/`), the route table, 404 for unknown paths, and
 * Consul's method check (405 with `Allow`, `OPTIONS` → 200).
 */
import {
  handleAgentChecks,
  handleAgentSelf,
  handleAgentServices,
  handleCatalogService,
  handleCatalogServices,
  handleCheckUpdate,
  handleHealthService,
  handleServiceDeregister,
  handleServiceRegister,
  handleStatusLeader,
  handleStatusPeers,
} from './agent.ts';
import { handleConnectAuthorize, handleConnectLeaf, handleConnectRoots } from './connect-endpoint.ts';
import type { Call } from './endpoint.ts';
import { isGoPrintable } from './go-json.ts';
import { goPathEscape } from './http-io.ts';
import { handleKv } from './kv-endpoint.ts';
import { handleTxn } from './txn.ts';

interface Route {
  pattern: string;
  methods: readonly string[];
  handle: (call: Call) => void | Promise<void>;
}

const ROUTES: readonly Route[] = [
  { pattern: '/v1/kv/', methods: ['GET', 'PUT', 'DELETE'], handle: handleKv },
  { pattern: '/v1/txn', methods: ['PUT'], handle: handleTxn },
  { pattern: '/v1/status/leader', methods: ['GET'], handle: handleStatusLeader },
  { pattern: '/v1/status/peers', methods: ['GET'], handle: handleStatusPeers },
  { pattern: '/v1/agent/self', methods: ['GET'], handle: handleAgentSelf },
  { pattern: '/v1/agent/services', methods: ['GET'], handle: handleAgentServices },
  { pattern: '/v1/agent/checks', methods: ['GET'], handle: handleAgentChecks },
  { pattern: '/v1/agent/service/register', methods: ['PUT'], handle: handleServiceRegister },
  { pattern: '/v1/agent/service/deregister/', methods: ['PUT'], handle: handleServiceDeregister },
  { pattern: '/v1/agent/check/pass/', methods: ['PUT'], handle: handleCheckUpdate },
  { pattern: '/v1/agent/check/warn/', methods: ['PUT'], handle: handleCheckUpdate },
  { pattern: '/v1/agent/check/fail/', methods: ['PUT'], handle: handleCheckUpdate },
  { pattern: '/v1/agent/check/update/', methods: ['PUT'], handle: handleCheckUpdate },
  { pattern: '/v1/agent/connect/ca/roots', methods: ['GET'], handle: handleConnectRoots },
  { pattern: '/v1/agent/connect/ca/leaf/', methods: ['GET'], handle: handleConnectLeaf },
  { pattern: '/v1/agent/connect/authorize', methods: ['POST'], handle: handleConnectAuthorize },
  { pattern: '/v1/health/service/', methods: ['GET'], handle: handleHealthService },
  { pattern: '/v1/catalog/service/', methods: ['GET'], handle: handleCatalogService },
  { pattern: '/v1/catalog/services', methods: ['GET'], handle: handleCatalogServices },
];

/** Percent-decode a raw URL path to UTF-8 text, as Go's `URL.Path` does; undefined if malformed. */
export function decodePath(rawPath: string): string | undefined {
  const bytes: number[] = [];
  const src = Buffer.from(rawPath, 'utf8');
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b !== 0x25) {
      bytes.push(b);
      continue;
    }
    const hex = src.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's `path.Clean`. */
function goClean(p: string): string {
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** net/http's `cleanPath`: Clean, but keep a trailing slash. */
export function cleanPath(p: string): string {
  if (p === '') return '/';
  const rooted = p.startsWith('/') ? p : `/${p}`;
  let np = goClean(rooted);
  if (rooted.endsWith('/') && np !== '/') np += '/';
  return np;
}

export type RouteResult =
  | { kind: 'route'; route: Route }
  | { kind: 'bad-request' }
  | { kind: 'unprintable' }
  | { kind: 'redirect'; location: string }
  | { kind: 'not-found' };

/** Decide what to do with a request path, before any method or endpoint logic. */
export function resolve(path: string | undefined, rawQuery: string, checkPrintable: boolean): RouteResult {
  if (path === undefined) return { kind: 'bad-request' };
  if (checkPrintable && [...path].some((ch) => !isGoPrintable(ch))) return { kind: 'unprintable' };
  const suffix = rawQuery === '' ? '' : `?${rawQuery}`;
  const cleaned = cleanPath(path);
  if (cleaned !== path) return { kind: 'redirect', location: goPathEscape(cleaned) + suffix };
  let best: Route | undefined;
  for (const r of ROUTES) {
    const hit = r.pattern.endsWith('/') ? path.startsWith(r.pattern) : path === r.pattern;
    if (hit && (!best || r.pattern.length > best.pattern.length)) best = r;
  }
  if (best) return { kind: 'route', route: best };
  if (ROUTES.some((r) => r.pattern === `${path}/`))
    return { kind: 'redirect', location: goPathEscape(`${path}/`) + suffix };
  return { kind: 'not-found' };
}

/** Consul's `wrap`: OPTIONS and the method check, then the endpoint. */
export async function dispatch(route: Route, call: Call): Promise<void> {
  const allow = ['OPTIONS', ...route.methods].join(',');
  if (call.ctx.method === 'OPTIONS') return call.reply.empty(200, { Allow: allow });
  if (!route.methods.includes(call.ctx.method)) {
    return call.reply.text(405, `method ${call.ctx.method} not allowed`, { Allow: allow });
  }
  await route.handle(call);
}
