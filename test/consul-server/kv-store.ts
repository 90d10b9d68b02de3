/**
 * Consul's KV state store (`state/kvs.go`, `graveyard.go`): entries, tombstones, the `kvs` and
 * `tombstones` table indexes, and the write semantics of set / cas / lock / unlock / delete /
 * delete-cas / delete-tree. Writes run on a copy of the tables and are swapped in at one raft
 * index, so a transaction is all or nothing.
 */
import { goQuote } from './go-json.ts';
import type { RaftIndex } from './raft-index.ts';

export interface KvEntry {
  readonly key: string;
  /** `null` when the stored value is empty (it reads back as `"Value": null`). */
  readonly value: Buffer | null;
  readonly flags: bigint;
  readonly lockIndex: number;
  /** `''` when no session holds the key. */
  readonly session: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface Tombstone {
  readonly key: string;
  readonly index: number;
}

/** A point-in-time copy of the KV state, indexes included (see `KvStore.restore`). */
export interface KvSnapshot {
  readonly raftIndex: number;
  readonly entries: readonly KvEntry[];
  readonly tombstones: readonly Tombstone[];
  readonly kvsIndex: number;
  readonly tombstonesIndex: number;
  readonly sessions: readonly string[];
}

/** Byte order of the UTF-8 keys, as memdb's radix tree iterates them. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

class KvTables {
  constructor(
    readonly entries = new Map<string, KvEntry>(),
    readonly tombstones = new Map<string, number>(),
    public kvsIndex = 0,
    public tombstonesIndex = 0,
    readonly sessions = new Set<string>(),
  ) {}

  clone(): KvTables {
    return new KvTables(
      new Map(this.entries),
      new Map(this.tombstones),
      this.kvsIndex,
      this.tombstonesIndex,
      new Set(this.sessions),
    );
  }

  get tableMax(): number {
    return Math.max(this.kvsIndex, this.tombstonesIndex);
  }

  list(prefix: string): KvEntry[] {
    const out: KvEntry[] = [];
    for (const e of this.entries.values()) if (e.key.startsWith(prefix)) out.push(e);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return (a ?? Buffer.alloc(0)).equals(b ?? Buffer.alloc(0));
}

function normaliseValue(v: Buffer | null | undefined): Buffer | null {
  return v && v.length > 0 ? Buffer.from(v) : null;
}

export interface SetInput {
  key: string;
  value: Buffer | null;
  flags?: bigint;
  /** The LockIndex carried by the request (0 for a plain PUT; Consul does not preserve it). */
  lockIndex?: number;
  session?: string;
}

/** A write in progress, at one raft index, on a private copy of the tables. */
export class KvWriteTxn {
  changed = false;

  constructor(
    readonly tables: KvTables,
    readonly index: number,
  ) {}

  get(key: string): KvEntry | undefined {
    return this.tables.entries.get(key);
  }

  list(prefix: string): KvEntry[] {
    return this.tables.list(prefix);
  }

  hasSession(id: string): boolean {
    return this.tables.sessions.has(id);
  }

  /** `kvsSetTxn`: CreateIndex kept, Session kept unless `updateSession`; an identical entry is not rewritten. */
  set(input: SetInput, updateSession = false): KvEntry {
    const existing = this.get(input.key);
    const candidate: KvEntry = {
      key: input.key,
      value: normaliseValue(input.value),
      flags: input.flags ?? 0n,
      lockIndex: input.lockIndex ?? 0,
      session: updateSession ? (input.session ?? '') : (existing?.session ?? ''),
      createIndex: existing?.createIndex ?? this.index,
      modifyIndex: this.index,
    };
    if (
      existing &&
      existing.lockIndex === candidate.lockIndex &&
      existing.flags === candidate.flags &&
      existing.session === candidate.session &&
      sameBytes(existing.value, candidate.value)
    ) {
      return existing;
    }
    this.tables.entries.set(input.key, candidate);
    this.tables.kvsIndex = this.index;
    this.changed = true;
    return candidate;
  }

  /** `kvsSetCASTxn`: cas 0 = create only; cas N = only if it exists with ModifyIndex N. */
  cas(input: SetInput, cas: bigint): KvEntry | undefined {
    const existing = this.get(input.key);
    if (cas === 0n && existing) return undefined;
    if (cas !== 0n && (!existing || BigInt(existing.modifyIndex) !== cas)) return undefined;
    return this.set(input);
  }

  /** `kvsLockTxn`. Throws the Consul error text for a missing or unknown session. */
  lock(input: SetInput & { session: string }): KvEntry | undefined {
    if (input.session === '') throw new Error('missing session');
    if (!this.hasSession(input.session)) throw new Error(`invalid session ${goQuote(input.session)}`);
    const existing = this.get(input.key);
    let lockIndex = 1;
    if (existing) {
      if (existing.session === input.session) lockIndex = existing.lockIndex;
      else if (existing.session !== '') return undefined;
      else lockIndex = existing.lockIndex + 1;
    }
    return this.set({ ...input, lockIndex }, true);
  }

  /** `kvsUnlockTxn`: only the holding session may release; LockIndex is kept. */
  unlock(input: SetInput & { session: string }): KvEntry | undefined {
    const existing = this.get(input.key);
    if (!existing || existing.session !== input.session) return undefined;
    return this.set({ ...input, session: '', lockIndex: existing.lockIndex }, true);
  }

  /** `kvsDeleteTxn`: a missing key is a no-op (no tombstone, no index bump). */
  delete(key: string): void {
    if (!this.tables.entries.has(key)) return;
    this.tables.entries.delete(key);
    this.tombstone(key);
    this.tables.kvsIndex = this.index;
    this.changed = true;
  }

  /** `kvsDeleteCASTxn`: true for a missing key; false unless ModifyIndex matches. */
  deleteCas(key: string, cas: bigint): boolean {
    const existing = this.get(key);
    if (!existing) return true;
    if (BigInt(existing.modifyIndex) !== cas) return false;
    this.delete(key);
    return true;
  }

  /** `kvsDeleteTreeTxn`: one tombstone for the prefix (none for the empty prefix). */
  deleteTree(prefix: string): void {
    const doomed = this.list(prefix);
    if (doomed.length === 0) return;
    for (const e of doomed) this.tables.entries.delete(e.key);
    if (prefix !== '') this.tombstone(prefix);
    this.tables.kvsIndex = this.index;
    this.changed = true;
  }

  private tombstone(key: string): void {
    this.tables.tombstones.set(key, this.index);
    this.tables.tombstonesIndex = this.index;
  }
}

export class KvStore {
  private tables = new KvTables();

  constructor(private readonly raft: RaftIndex) {}

  // ---- reads -------------------------------------------------------------------------------

  get(key: string): KvEntry | undefined {
    return this.tables.entries.get(key);
  }

  /** Every entry whose key has the string prefix, sorted by key bytes. */
  list(prefix: string): KvEntry[] {
    return this.tables.list(prefix);
  }

  /** `max(index["kvs"], index["tombstones"])`: the last KV write or delete anywhere. */
  get tableMax(): number {
    return this.tables.tableMax;
  }

  tombstones(): Tombstone[] {
    return [...this.tables.tombstones]
      .map(([key, index]) => ({ key, index }))
      .sort((a, b) => compareKeys(a.key, b.key));
  }

  /** The raw (possibly 0) index of a single-key read, §2.3. */
  indexForKey(key: string): number {
    return this.get(key)?.modifyIndex ?? this.tableMax;
  }

  /** The raw (possibly 0) index of a recurse/keys read, §2.3. */
  indexForPrefix(prefix: string): number {
    if (prefix === '') return this.tableMax;
    let max = 0;
    for (const e of this.tables.entries.values())
      if (e.key.startsWith(prefix) && e.modifyIndex > max) max = e.modifyIndex;
    for (const [key, index] of this.tables.tombstones) if (key.startsWith(prefix) && index > max) max = index;
    return max === 0 ? this.tableMax : max;
  }

  hasSession(id: string): boolean {
    return this.tables.sessions.has(id);
  }

  // ---- writes ------------------------------------------------------------------------------

  /**
   * Run `fn` on a copy of the tables at the next raft index. The copy replaces the live tables
   * only if `fn` returns `commit: true` and something actually changed; then the raft index
   * advances and blocking queries wake. Nothing is visible before that.
   */
  transact<T>(fn: (txn: KvWriteTxn) => { commit: boolean; value: T }): T {
    const txn = new KvWriteTxn(this.tables.clone(), this.raft.next());
    const { commit, value } = fn(txn);
    if (commit && txn.changed) {
      this.tables = txn.tables;
      this.raft.commit(txn.index);
    }
    return value;
  }

  /** Shorthand for a single write that always commits. */
  write<T>(fn: (txn: KvWriteTxn) => T): T {
    return this.transact((txn) => ({ commit: true, value: fn(txn) }));
  }

  /** Register a session id so `acquire`/`lock` accept it (sessions have no HTTP API here). */
  addSession(id: string): void {
    this.tables.sessions.add(id);
  }

  /** Drop tombstones with index ≤ `upTo` (all by default), as the leader's GC does after `tombstone_ttl`. */
  reapTombstones(upTo = Number.POSITIVE_INFINITY): number {
    const doomed = [...this.tables.tombstones].filter(([, index]) => index <= upTo);
    if (doomed.length === 0) return 0;
    const next = this.tables.clone();
    for (const [key] of doomed) next.tombstones.delete(key);
    const index = this.raft.next();
    next.tombstonesIndex = index;
    this.tables = next;
    this.raft.commit(index);
    return doomed.length;
  }

  snapshot(): KvSnapshot {
    const t = this.tables;
    return {
      raftIndex: this.raft.value,
      entries: [...t.entries.values()].map((e) => ({ ...e, value: e.value && Buffer.from(e.value) })),
      tombstones: this.tombstones(),
      kvsIndex: t.kvsIndex,
      tombstonesIndex: t.tombstonesIndex,
      sessions: [...t.sessions],
    };
  }

  /** Load a snapshot, indexes included: the raft index moves to the snapshot's (possibly backwards). */
  restore(snapshot: KvSnapshot): void {
    this.tables = new KvTables(
      new Map(snapshot.entries.map((e) => [e.key, { ...e, value: e.value && Buffer.from(e.value) }])),
      new Map(snapshot.tombstones.map((t) => [t.key, t.index])),
      snapshot.kvsIndex,
      snapshot.tombstonesIndex,
      new Set(snapshot.sessions),
    );
    this.raft.reset(snapshot.raftIndex);
  }

  /** Lower every index above `to` to `to` (the index-reset fault). Does not notify. */
  clampIndexes(to: number): void {
    const t = this.tables.clone();
    for (const [k, e] of t.entries)
      t.entries.set(k, { ...e, createIndex: Math.min(e.createIndex, to), modifyIndex: Math.min(e.modifyIndex, to) });
    for (const [k, i] of t.tombstones) t.tombstones.set(k, Math.min(i, to));
    t.kvsIndex = Math.min(t.kvsIndex, to);
    t.tombstonesIndex = Math.min(t.tombstonesIndex, to);
    this.tables = t;
  }
}
