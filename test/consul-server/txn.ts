/**
 * `PUT /v1/txn` (§4): KV operations applied atomically at one raft index. Every op's error is
 * collected; any error rolls everything back and answers 409 `{"Results":null,"Errors":[…]}`.
 * Read-only transactions answer with the QueryMeta fields and no X-Consul-Index.
 */
import type { Authorizer } from './acl.ts';
import { rejectEnterpriseParams, rpcGuard, type Call } from './endpoint.ts';
import { goQuote } from './go-json.ts';
import { foldKey } from './http-io.ts';
import { entryJson } from './kv-endpoint.ts';
import type { KvEntry, KvWriteTxn } from './kv-store.ts';

const WRITE_VERBS = new Set(['set', 'delete', 'delete-cas', 'delete-tree', 'cas', 'lock', 'unlock']);
const KV_FIELDS = ['verb', 'key', 'value', 'flags', 'index', 'session', 'namespace', 'partition'] as const;

interface KvOp {
  verb: string;
  key: string;
  value: Buffer | null;
  flags: bigint;
  index: bigint;
  session: string;
}

interface TxnError {
  OpIndex: number;
  What: string;
}

class ParseError extends Error {}

export function handleTxn(call: Call): void {
  const { core, ctx } = call;
  if (rejectEnterpriseParams(call)) return;
  const maxBody = Math.max(core.settings.txnMaxReqLen, core.settings.kvMaxValueSize);
  const declared = Number(ctx.req.headers['content-length'] ?? ctx.body.length);
  const size = Math.max(Number.isFinite(declared) ? declared : 0, ctx.body.length);
  if (size > maxBody) {
    return call.reply.text(
      413,
      `Request body(${size} bytes) too large, max size: ${maxBody} bytes. See https://www.consul.io/docs/agent/config/config-files#txn_max_req_len.`,
    );
  }
  let ops: KvOp[];
  try {
    ops = parseOps(ctx.body);
  } catch (err) {
    if (err instanceof UnsupportedOp) return call.reply.text(500, err.message);
    return call.reply.text(400, `Failed to parse body: ${(err as Error).message}`);
  }
  if (ops.length > core.settings.maxTxnOps) {
    return call.reply.text(
      413,
      `Transaction contains too many operations (${ops.length} > ${core.settings.maxTxnOps})`,
    );
  }
  for (const op of ops) {
    const n = op.value?.length ?? 0;
    if (n > core.settings.kvMaxValueSize) {
      return call.reply.text(
        413,
        `Value for key ${goQuote(op.key)} is too large (${n} > ${core.settings.kvMaxValueSize} bytes)`,
      );
    }
  }
  if (!rpcGuard(call)) return;

  const writes = ops.some((op) => WRITE_VERBS.has(op.verb));
  const readMeta = { Index: 0, LastContact: 0, KnownLeader: true };
  const readHeaders = { 'X-Consul-Knownleader': 'true', 'X-Consul-Lastcontact': '0' };
  const conflict = (errors: TxnError[]): void =>
    call.reply.json(409, { Results: null, Errors: errors, ...(writes ? {} : readMeta) }, writes ? {} : readHeaders);

  const preErrors = preCheck(ops, call.authz);
  if (preErrors.length > 0) return conflict(preErrors);

  const fault = writes ? core.takeTxnFault(ops.length) : undefined;
  const outcome = core.kv.transact((txn) => {
    const results: Record<string, unknown>[] = [];
    const errors: TxnError[] = [];
    ops.forEach((op, i) => {
      if (fault && fault.opIndex === i) {
        errors.push({ OpIndex: i, What: fault.what });
        return;
      }
      try {
        for (const e of runOp(txn, op)) {
          if (!call.authz.allowed('key', e.entry.key, 'read')) continue; // GETs are filtered, not denied
          results.push({ KV: entryJson(e.entry, e.withValue) });
        }
      } catch (err) {
        errors.push({ OpIndex: i, What: (err as Error).message });
      }
    });
    return { commit: writes && errors.length === 0, value: { results, errors } };
  });
  if (outcome.errors.length > 0) return conflict(outcome.errors);
  if (writes) return call.reply.json(200, { Results: outcome.results, Errors: null });
  return call.reply.json(200, { Results: outcome.results, Errors: null, ...readMeta }, readHeaders);
}

/** `kvsPreApply` for each op: a key is required (except delete-tree), then the ACL. */
function preCheck(ops: KvOp[], authz: Authorizer): TxnError[] {
  const errors: TxnError[] = [];
  ops.forEach((op, i) => {
    if (op.key === '' && op.verb !== 'delete-tree') {
      errors.push({ OpIndex: i, What: 'Must provide key' });
      return;
    }
    switch (op.verb) {
      case 'delete-tree':
        if (!authz.allowedPrefixWrite('key', op.key))
          errors.push({ OpIndex: i, What: authz.denied('key', op.key, 'write') });
        return;
      case 'get':
      case 'get-tree':
      case 'get-or-empty':
        return;
      case 'check-session':
      case 'check-index':
        if (!authz.allowed('key', op.key, 'read'))
          errors.push({ OpIndex: i, What: authz.denied('key', op.key, 'read') });
        return;
      default:
        if (WRITE_VERBS.has(op.verb) || op.verb === 'check-not-exists') {
          if (!authz.allowed('key', op.key, 'write'))
            errors.push({ OpIndex: i, What: authz.denied('key', op.key, 'write') });
        }
    }
  });
  return errors;
}

interface OpResult {
  entry: KvEntry;
  withValue: boolean;
}

/** `txnKVS`: one op; throws the Consul `What` text on failure. */
function runOp(txn: KvWriteTxn, op: KvOp): OpResult[] {
  const k = goQuote(op.key);
  const input = { key: op.key, value: op.value, flags: op.flags };
  const blank = (entry: KvEntry | undefined): OpResult[] => (entry ? [{ entry, withValue: false }] : []);
  switch (op.verb) {
    case 'set':
      return blank(txn.set(input));
    case 'cas': {
      const e = txn.cas(input, op.index);
      if (!e) throw new Error(`failed to set key ${k}, index is stale`);
      return blank(e);
    }
    case 'lock': {
      const e = txn.lock({ ...input, session: op.session });
      if (!e) throw new Error(`failed to lock key ${k}, lock is already held`);
      return blank(e);
    }
    case 'unlock': {
      const e = txn.unlock({ ...input, session: op.session });
      if (!e) throw new Error(`failed to unlock key ${k}, lock isn't held, or is held by another session`);
      return blank(e);
    }
    case 'get': {
      const e = txn.get(op.key);
      if (!e) throw new Error(`key ${k} doesn't exist`);
      return [{ entry: e, withValue: true }];
    }
    case 'get-or-empty': {
      const e = txn.get(op.key) ?? {
        key: op.key,
        value: null,
        flags: 0n,
        lockIndex: 0,
        session: '',
        createIndex: 0,
        modifyIndex: 0,
      };
      return [{ entry: e, withValue: true }];
    }
    case 'get-tree':
      return txn.list(op.key).map((entry) => ({ entry, withValue: true }));
    case 'check-index': {
      const e = txn.get(op.key);
      if (!e) throw new Error(`failed to check index, key ${k} doesn't exist`);
      if (BigInt(e.modifyIndex) !== op.index)
        throw new Error(`failed index check for key ${k}, current modify index ${e.modifyIndex} != ${op.index}`);
      return blank(e);
    }
    case 'check-session': {
      const e = txn.get(op.key);
      if (!e) throw new Error(`failed to check session, key ${k} doesn't exist`);
      if (e.session !== op.session)
        throw new Error(
          `failed session check for key ${k}, current session ${goQuote(e.session)} != ${goQuote(op.session)}`,
        );
      return blank(e);
    }
    case 'check-not-exists':
      if (txn.get(op.key)) throw new Error(`key ${k} exists`);
      return [];
    case 'delete':
      txn.delete(op.key);
      return [];
    case 'delete-tree':
      txn.deleteTree(op.key);
      return [];
    case 'delete-cas':
      if (!txn.deleteCas(op.key, op.index)) throw new Error(`failed to delete key ${k}, index is stale`);
      return [];
    default:
      throw new Error(`unknown KV verb ${goQuote(op.verb)}`);
  }
}

// ---- decoding the body the way Go's encoding/json (DisallowUnknownFields) does -------------

class UnsupportedOp extends Error {}

function parseOps(body: Buffer): KvOp[] {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new ParseError('EOF');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError(goSyntaxError(err as Error, text));
  }
  if (!Array.isArray(doc))
    throw new ParseError(`json: cannot unmarshal ${jsonKind(doc)} into Go value of type api.TxnOps`);
  return doc.map((item, i) => {
    if (item === null) throw new UnsupportedOp(`test server: transaction operation ${i} is null`);
    if (typeof item !== 'object' || Array.isArray(item)) {
      throw new ParseError(`json: cannot unmarshal ${jsonKind(item)} into Go value of type api.TxnOp`);
    }
    let kv: unknown;
    for (const [name, value] of Object.entries(item as Record<string, unknown>)) {
      const f = foldKey(name);
      if (f === 'kv') kv = value;
      else if (f === 'node' || f === 'service' || f === 'check') {
        if (value !== null)
          throw new UnsupportedOp(`test server: ${name} operations in /v1/txn are not implemented (op ${i})`);
      } else throw new ParseError(`json: unknown field ${goQuote(name)}`);
    }
    if (kv === undefined || kv === null)
      throw new UnsupportedOp(`test server: transaction operation ${i} has no KV member`);
    return parseKvOp(kv);
  });
}

function parseKvOp(raw: unknown): KvOp {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ParseError(`json: cannot unmarshal ${jsonKind(raw)} into Go struct field TxnOp.KV of type api.TxnKVOp`);
  }
  const op: KvOp = { verb: '', key: '', value: null, flags: 0n, index: 0n, session: '' };
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    const f = foldKey(name) as (typeof KV_FIELDS)[number];
    if (!KV_FIELDS.includes(f)) throw new ParseError(`json: unknown field ${goQuote(name)}`);
    if (value === null) continue;
    const field = `TxnOp.KV.${name}`;
    switch (f) {
      case 'verb':
      case 'key':
      case 'session':
      case 'namespace':
      case 'partition':
        if (typeof value !== 'string')
          throw new ParseError(
            `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${field} of type string`,
          );
        if (f === 'verb') op.verb = value;
        else if (f === 'key') op.key = value;
        else if (f === 'session') op.session = value;
        break;
      case 'value':
        if (typeof value !== 'string')
          throw new ParseError(
            `json: cannot unmarshal ${jsonKind(value)} into Go struct field ${field} of type []uint8`,
          );
        op.value = decodeGoBase64(value);
        break;
      case 'flags':
      case 'index':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
          const shown = typeof value === 'number' ? `number ${value}` : jsonKind(value);
          throw new ParseError(`json: cannot unmarshal ${shown} into Go struct field ${field} of type uint64`);
        }
        op[f] = BigInt(value);
        break;
    }
  }
  return op;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

function goSyntaxError(err: Error, text: string): string {
  if (/end of (JSON )?input/i.test(err.message)) return 'unexpected end of JSON input';
  const pos = /position (\d+)/.exec(err.message);
  const at = pos ? Number(pos[1]) : -1;
  const ch = at >= 0 ? text[at] : undefined;
  return ch !== undefined ? `invalid character '${ch}' looking for beginning of value` : err.message;
}

/** `base64.StdEncoding.DecodeString`, with Go's `illegal base64 data at input byte N`. */
export function decodeGoBase64(s: string): Buffer {
  const src = Buffer.from(s, 'utf8');
  const alphabet = (b: number): boolean =>
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2f;
  const nl = (b: number | undefined): boolean => b === 0x0a || b === 0x0d;
  const fail = (at: number): never => {
    throw new ParseError(`illegal base64 data at input byte ${at}`);
  };
  let si = 0;
  while (si < src.length) {
    let j = 0;
    for (; j < 4; j++) {
      while (si < src.length && nl(src[si])) si++;
      if (si === src.length) {
        if (j === 0) break;
        fail(si - j);
      }
      const c = src[si++]!;
      if (alphabet(c)) continue;
      if (c !== 0x3d) fail(si - 1);
      if (j === 0 || j === 1) fail(si - 1);
      if (j === 2) {
        while (si < src.length && nl(src[si])) si++;
        if (si === src.length) fail(src.length);
        if (src[si] !== 0x3d) fail(si - 1);
        si++;
      }
      while (si < src.length && nl(src[si])) si++;
      if (si < src.length) fail(si);
      break;
    }
  }
  return Buffer.from(s.replace(/[\r\n]/g, ''), 'base64');
}
