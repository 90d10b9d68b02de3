/**
 * What every endpoint handler receives, and the per-request parsing that Consul's `s.parse()`
 * does before any handler logic (§1.4): enterprise-only parameters, consistency flags, `wait`,
 * `index`; plus the checks an RPC makes (datacenter, leader) and the read meta headers.
 */
import type { AclSystem, Authorizer } from './acl.ts';
import type { BlockingConfig, BlockingParams } from './blocking.ts';
import type { Catalog } from './catalog.ts';
import type { ConnectCa } from './connect-ca.ts';
import { parseGoDuration } from './go-duration.ts';
import type { HeaderMap, Reply, RequestContext } from './http-io.ts';
import type { KvStore } from './kv-store.ts';
import type { RaftIndex } from './raft-index.ts';

export interface CoreSettings {
  datacenter: string;
  nodeName: string;
  nodeId: string;
  version: string;
  maxTxnOps: number;
  /** How late a TTL check update reaches the catalog (the agent's asynchronous sync); 0: at once. */
  agentSyncDelayMs: number;
  /** Set when the agent's server is a follower: its last contact with the leader, for `?stale` reads. */
  followerLastContactMs: number | undefined;
  kvMaxValueSize: number;
  txnMaxReqLen: number;
  blocking: BlockingConfig;
}

/** Reads by consistency mode (`?stale`, none, `?consistent`): which server would answer each. */
export interface ReadCounts {
  stale: number;
  default: number;
  consistent: number;
}

/** The state shared by all endpoints. */
export interface ServerCore {
  /** Counted as each read's query string is parsed. */
  readonly reads: ReadCounts;
  readonly raft: RaftIndex;
  readonly kv: KvStore;
  readonly catalog: Catalog;
  readonly acl: AclSystem;
  /** The Connect CA, when the server runs with `connect`. */
  readonly connect: ConnectCa | undefined;
  readonly settings: CoreSettings;
  /** False while the `noLeader` fault is on. */
  hasLeader(): boolean;
  /** When the leader was lost (ms since the epoch), while there is none. */
  leaderLostAt(): number | undefined;
  /** A pending `failTxnAtOp` fault, consumed by the txn endpoint. */
  takeTxnFault(opCount: number): { opIndex: number; what: string } | undefined;
}

export interface Call {
  readonly ctx: RequestContext;
  readonly reply: Reply;
  readonly core: ServerCore;
  readonly authz: Authorizer;
}

export interface QueryOptions extends BlockingParams {
  stale: boolean;
  consistent: boolean;
}

/** Enterprise-only namespace/partition selectors are rejected on CE. */
export function rejectEnterpriseParams(call: Call): boolean {
  const { query, req } = call.ctx;
  if (query.has('ns') || req.headers['x-consul-namespace'] !== undefined) {
    call.reply.text(400, 'Invalid query parameter: "ns" - Namespaces are a Consul Enterprise feature');
    return true;
  }
  if (query.has('partition') || req.headers['x-consul-partition'] !== undefined) {
    call.reply.text(400, 'Invalid query parameter: "partition" - Partitions are a Consul Enterprise feature');
    return true;
  }
  return false;
}

/** `s.parse()`: consistency, wait, index. Returns undefined when it already answered 400. */
export function parseQueryOptions(call: Call): QueryOptions | undefined {
  if (rejectEnterpriseParams(call)) return undefined;
  const { query } = call.ctx;
  const stale = query.has('stale');
  const consistent = query.has('consistent');
  if (stale && consistent) {
    call.reply.text(400, 'Cannot specify ?stale with ?consistent, conflicting semantics.');
    return undefined;
  }
  let waitMs: number | undefined;
  const wait = query.get('wait');
  if (wait) {
    waitMs = parseGoDuration(wait);
    if (waitMs === undefined) {
      call.reply.text(400, 'Invalid wait time');
      return undefined;
    }
  }
  let minIndex = 0;
  const index = query.get('index');
  if (index) {
    if (!/^[0-9]+$/.test(index) || BigInt(index) > 0xffff_ffff_ffff_ffffn) {
      call.reply.text(400, 'Invalid index');
      return undefined;
    }
    minIndex = Number(index);
  }
  if (call.ctx.method === 'GET') call.core.reads[stale ? 'stale' : consistent ? 'consistent' : 'default']++;
  return { stale, consistent, waitMs, minIndex };
}

/**
 * What an RPC to the servers checks first: the datacenter, a leader (not for `?stale`: any server answers), then the
 * token exists.
 */
export function rpcGuard(call: Call): boolean {
  const dc = call.ctx.query.get('dc');
  if (dc && dc !== call.core.settings.datacenter) {
    call.reply.text(500, 'No path to datacenter');
    return false;
  }
  if (!call.core.hasLeader() && !call.ctx.query.has('stale')) {
    call.reply.text(500, 'No cluster leader');
    return false;
  }
  if (call.authz.notFound) {
    call.reply.text(403, 'ACL not found');
    return false;
  }
  return true;
}

/**
 * `setMeta`: the headers of a read. The index is never 0 (rewritten to 1). A default or
 * `?consistent` read is answered by the leader (`Lastcontact: 0`); a `?stale` one by the agent's
 * server, a follower when `follower` is set: its last contact with the leader, growing while
 * there is no leader (then `Knownleader: false`).
 */
export function readMeta(call: Call, index: number, extra: HeaderMap = {}): HeaderMap {
  const { core } = call;
  const stale = call.ctx.query.has('stale');
  const lostAt = core.leaderLostAt();
  const base = core.settings.followerLastContactMs ?? 0;
  const lastContact = !stale ? 0 : lostAt !== undefined ? base + (Date.now() - lostAt) : base;
  return {
    'X-Consul-Index': String(Math.max(1, index)),
    'X-Consul-Knownleader': String(core.hasLeader()),
    'X-Consul-Lastcontact': String(Math.round(lastContact)),
    'X-Consul-Query-Backend': 'blocking-query',
    ...extra,
  };
}

/**
 * `X-Consul-Results-Filtered-By-ACLs` when items were left out — but never for a request without
 * a token: Consul masks it then (`maskResultsFilteredByACLs`, agent/consul/rpc.go), so an anonymous
 * read of a hidden prefix looks empty; only `X-Consul-Default-Acl-Policy: deny` tells.
 */
export function filteredHeader(call: Call, filtered: boolean): HeaderMap {
  return filtered && call.authz.tokenGiven ? { 'X-Consul-Results-Filtered-By-ACLs': 'true' } : {};
}
