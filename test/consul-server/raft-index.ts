/**
 * The single, global, raft-like index shared by KV and the catalog, and the change feed that
 * wakes blocking queries. Every committed write takes `index + 1`; a reset (snapshot restore,
 * or the `resetIndex` fault) moves it backwards and bumps `generation`.
 */
export class RaftIndex {
  private current: number;
  private gen = 0;
  private readonly listeners = new Set<() => void>();
  private readonly resetListeners = new Set<(to: number) => void>();

  constructor(initial: number) {
    this.current = initial;
  }

  /** The last committed index. */
  get value(): number {
    return this.current;
  }

  /** Incremented by every reset; blocking queries started before a reset return at once. */
  get generation(): number {
    return this.gen;
  }

  /** The index the next write will take. */
  next(): number {
    return this.current + 1;
  }

  /** Record a committed write at `index` and wake every watcher. */
  commit(index: number): void {
    if (index > this.current) this.current = index;
    this.notify();
  }

  /** Move the index to `to` (possibly backwards), as a snapshot restore does. */
  reset(to: number): void {
    this.current = to;
    this.gen++;
    for (const fn of [...this.resetListeners]) fn(to);
    this.notify();
  }

  /** Wake every watcher without a write (state changed outside a raft apply, e.g. TTL expiry goes through commit). */
  notify(): void {
    for (const fn of [...this.listeners]) fn();
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onReset(fn: (to: number) => void): () => void {
    this.resetListeners.add(fn);
    return () => this.resetListeners.delete(fn);
  }
}
