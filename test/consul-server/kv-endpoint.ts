/**
 * `/v1/kv/<key>` (§2): GET (single, `recurse`, `keys` + `separator`, `raw`, blocking), PUT
 * (`flags`, `cas`, `acquire`, `release`, size limit), DELETE (`recurse`, `cas`).
 */
import { blockingQuery } from './blocking.ts';
import { filteredHeader, parseQueryOptions, readMeta, rpcGuard, type Call, type QueryOptions } from './endpoint.ts';
import { goValuesEncode, hasFlag, parseUint64 } from './http-io.ts';
import type { KvEntry } from './kv-store.ts';

export const KV_PREFIX = '/v1/kv/';

/** A DirEntry as Consul's JSON encoder writes it (CE): Session omitted when empty. */
export function entryJson(e: KvEntry, withValue = true): Record<string, unknown> {
  return {
    LockIndex: e.lockIndex,
    Key: e.key,
    Flags: e.flags,
    Value: withValue && e.value ? e.value.toString('base64') : null,
    Session: e.session === '' ? undefined : e.session,
    CreateIndex: e.createIndex,
    ModifyIndex: e.modifyIndex,
  };
}

export async function handleKv(call: Call): Promise<void> {
  const opts = parseQueryOptions(call);
  if (!opts) return;
  const key = call.ctx.path.slice(KV_PREFIX.length);
  switch (call.ctx.method) {
    case 'GET':
      if (hasFlag(call.ctx.query, 'keys')) return getKeys(call, key, opts);
      return get(call, key, opts);
    case 'PUT':
      return put(call, key);
    case 'DELETE':
      return del(call, key);
  }
}

function conflictingFlags(call: Call, ...flags: string[]): boolean {
  const present = flags.filter((f) => call.ctx.query.has(f));
  if (present.length < 2) return false;
  call.reply.text(400, `Conflicting flags: ${goValuesEncode(call.ctx.query)}`);
  return true;
}

function missingKey(call: Call, key: string): boolean {
  if (key !== '') return false;
  call.reply.text(400, 'Missing key name');
  return true;
}

async function get(call: Call, key: string, opts: QueryOptions): Promise<void> {
  const { core, authz, ctx } = call;
  const recurse = hasFlag(ctx.query, 'recurse');
  if (!recurse && missingKey(call, key)) return;
  if (!rpcGuard(call)) return;

  if (!recurse) {
    if (!authz.allowed('key', key, 'read')) return call.reply.text(403, authz.denied('key', key, 'read'));
    const result = await blockingQuery({
      raft: core.raft,
      config: core.settings.blocking,
      params: opts,
      signal: ctx.signal,
      run: () => ({ entry: core.kv.get(key), index: core.kv.indexForKey(key) }),
      // A key blocks on its own ModifyIndex; a missing key blocks until it appears (unrelated
      // writes do not release it); a deletion releases it with a 404.
      isFresh: (r, first) =>
        r.entry ? r.entry.modifyIndex > opts.minIndex || !first.entry : first.entry !== undefined,
    });
    if (ctx.signal.aborted) return;
    const meta = readMeta(call, result.index);
    if (!result.entry) return call.reply.empty(404, meta);
    if (hasFlag(ctx.query, 'raw')) {
      return call.reply.raw(200, result.entry.value ?? Buffer.alloc(0), {
        ...meta,
        'Content-Type': 'text/plain',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': 'sandbox',
      });
    }
    return call.reply.json(200, [entryJson(result.entry)], meta);
  }

  const result = await blockingQuery({
    raft: core.raft,
    config: core.settings.blocking,
    params: opts,
    signal: ctx.signal,
    run: () => {
      const all = core.kv.list(key);
      const entries = all.filter((e) => authz.allowed('key', e.key, 'read'));
      return { entries, filtered: entries.length !== all.length, index: core.kv.indexForPrefix(key) };
    },
    isFresh: (r) => r.index > opts.minIndex,
  });
  if (ctx.signal.aborted) return;
  const meta = readMeta(call, result.index, filteredHeader(call, result.filtered));
  if (result.entries.length === 0) return call.reply.empty(404, meta);
  return call.reply.json(
    200,
    result.entries.map((e) => entryJson(e)),
    meta,
  );
}

async function getKeys(call: Call, prefix: string, opts: QueryOptions): Promise<void> {
  const { core, authz, ctx } = call;
  if (!rpcGuard(call)) return;
  // Both spellings are accepted; `separator` wins over the historic `seperator`.
  const sep = ctx.query.get('separator') ?? ctx.query.get('seperator') ?? '';
  const result = await blockingQuery({
    raft: core.raft,
    config: core.settings.blocking,
    params: opts,
    signal: ctx.signal,
    run: () => {
      const all = listKeys(call, prefix, sep);
      const keys = all.filter((k) => authz.allowed('key', k, 'read'));
      return { keys, filtered: keys.length !== all.length, index: core.kv.indexForPrefix(prefix) };
    },
    isFresh: (r) => r.index > opts.minIndex,
  });
  if (ctx.signal.aborted) return;
  const meta = readMeta(call, result.index, filteredHeader(call, result.filtered));
  if (result.keys.length === 0 && prefix !== '') return call.reply.empty(404, meta);
  return call.reply.json(200, result.keys, meta);
}

/** `kvsListKeysTxn`: keys under the prefix, each cut just after the first separator past the prefix. */
function listKeys(call: Call, prefix: string, sep: string): string[] {
  const keys: string[] = [];
  let last: string | undefined;
  for (const e of call.core.kv.list(prefix)) {
    if (sep === '') {
      keys.push(e.key);
      continue;
    }
    const at = e.key.slice(prefix.length).indexOf(sep);
    if (at < 0) {
      keys.push(e.key);
      continue;
    }
    const k = e.key.slice(0, prefix.length + at + sep.length);
    if (k !== last) {
      keys.push(k);
      last = k;
    }
  }
  return keys;
}

function put(call: Call, key: string): void {
  const { core, authz, ctx } = call;
  const q = ctx.query;
  if (missingKey(call, key)) return;
  if (conflictingFlags(call, 'cas', 'acquire', 'release')) return;
  let flags = 0n;
  if (q.has('flags')) {
    const parsed = parseUint64(q.get('flags') ?? '');
    if ('error' in parsed) return call.reply.text(500, parsed.error);
    flags = parsed.value;
  }
  let cas: bigint | undefined;
  if (q.has('cas')) {
    const parsed = parseUint64(q.get('cas') ?? '');
    if ('error' in parsed) return call.reply.text(500, parsed.error);
    cas = parsed.value;
  }
  const declared = Number(ctx.req.headers['content-length'] ?? ctx.body.length);
  const size = Math.max(Number.isFinite(declared) ? declared : 0, ctx.body.length);
  const max = core.settings.kvMaxValueSize;
  if (size > max) {
    return call.reply.text(
      413,
      `Request body(${size} bytes) too large, max size: ${max} bytes. See https://www.consul.io/docs/agent/config/config-files#kv_max_value_size.`,
    );
  }
  if (!rpcGuard(call)) return;
  if (!authz.allowed('key', key, 'write')) return call.reply.text(403, authz.denied('key', key, 'write'));
  const input = { key, value: ctx.body, flags };
  try {
    const ok = core.kv.write((txn) => {
      if (q.has('acquire')) return txn.lock({ ...input, session: q.get('acquire') ?? '' }) !== undefined;
      if (q.has('release')) return txn.unlock({ ...input, session: q.get('release') ?? '' }) !== undefined;
      if (cas !== undefined) return txn.cas(input, cas) !== undefined;
      txn.set(input);
      return true;
    });
    call.reply.json(200, ok);
  } catch (err) {
    call.reply.text(500, (err as Error).message);
  }
}

function del(call: Call, key: string): void {
  const { core, authz, ctx } = call;
  if (conflictingFlags(call, 'recurse', 'cas')) return;
  const recurse = hasFlag(ctx.query, 'recurse');
  if (!recurse && missingKey(call, key)) return;
  let cas: bigint | undefined;
  if (ctx.query.has('cas')) {
    const parsed = parseUint64(ctx.query.get('cas') ?? '');
    if ('error' in parsed) return call.reply.text(500, parsed.error);
    cas = parsed.value;
  }
  if (!rpcGuard(call)) return;
  const allowed = recurse ? authz.allowedPrefixWrite('key', key) : authz.allowed('key', key, 'write');
  if (!allowed) return call.reply.text(403, authz.denied('key', key, 'write'));
  const ok = core.kv.write((txn) => {
    if (recurse) {
      txn.deleteTree(key);
      return true;
    }
    if (cas !== undefined) return txn.deleteCas(key, cas);
    txn.delete(key);
    return true;
  });
  call.reply.json(200, ok);
}
