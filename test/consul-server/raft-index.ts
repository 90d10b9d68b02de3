/**
 * The single, global, raft-like index shared by KV and the catalog, and the change feed that
 * wakes blocking queries. Every committed write takes `index + 1`; a reset (snapshot restore,
 * or the `resetIndex` fault) moves it backwards and bumps `generation`.
 */
export class RaftIndex {
  private current: number;
  private gen = 0;
  private readonly listeners = new Set<() => void>();
  private mostListeners = 0;
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

  /** One per blocking query waiting for a change. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    if (this.listeners.size > this.mostListeners) this.mostListeners = this.listeners.size;
    return () => this.listeners.delete(fn);
  }

  /** The blocking queries waiting now, and the most that ever waited at once. */
  get waiting(): { now: number; most: number } {
    return { now: this.listeners.size, most: this.mostListeners };
  }

  onReset(fn: (to: number) => void): () => void {
    this.resetListeners.add(fn);
    return () => this.resetListeners.delete(fn);
  }
}
