/**
 * Fault injection for tests (`server.faults`). Every fault is off until switched on, and
 * `clear()` switches all of them off again (connections are re-accepted if refused).
 *
 * Path matchers: a string matches as a prefix of the percent-decoded path (`'/v1/kv/'`), a
 * RegExp is tested against it; `method` narrows further.
 */
export interface RequestMatch {
  path?: string | RegExp;
  method?: string;
}

export interface FailOptions extends RequestMatch {
  /** Default 500. */
  status?: number;
  /** Default `No cluster leader`, what Consul answers while it has no leader. */
  body?: string;
}

export interface DropOptions extends RequestMatch {
  /**
   * `mid-body` (default): headers and half the body, then the connection closes. `before-headers`: close without
   * answering.
   */
  phase?: 'before-headers' | 'mid-body';
}

/** What the server lets the faults do to it. */
export interface FaultHost {
  closeListener(): Promise<void>;
  reopenListener(): Promise<void>;
  resetIndex(to: number): void;
  restarted(): void;
}

export interface RestartOptions {
  /** How long the server stays down (connections refused), in ms. Default 0: it listens again at once. */
  downMs?: number;
  /** The raft index it comes back with (KV data kept, every index above it lowered to it). Default 1. */
  resetIndexTo?: number;
}

interface Armed<T> {
  remaining: number;
  options: T;
}

function matches(m: RequestMatch, method: string, path: string): boolean {
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? path.startsWith(m.path) : m.path.test(path);
}

/** Take one use of the first armed fault that matches; drop it when used up. */
function take<T extends RequestMatch>(list: Armed<T>[], method: string, path: string): T | undefined {
  const i = list.findIndex((a) => matches(a.options, method, path));
  if (i < 0) return undefined;
  const armed = list[i]!;
  armed.remaining--;
  if (armed.remaining <= 0) list.splice(i, 1);
  return armed.options;
}

export class Faults {
  private delays: Armed<RequestMatch & { ms: number }>[] = [];
  private failures: Armed<FailOptions>[] = [];
  private drops: Armed<DropOptions>[] = [];
  private txnFaults: { opIndex: number; what: string }[] = [];
  private refused = false;
  private leader = true;
  private lostAt = 0;

  constructor(private readonly host: FaultHost) {}

  /** Delay every matching response by `ms` (0 switches it off). */
  delay(ms: number, match: RequestMatch = {}): void {
    this.delays = ms > 0 ? [{ remaining: Number.POSITIVE_INFINITY, options: { ...match, ms } }] : [];
  }

  /** Answer the next `n` matching requests with an error (500 `No cluster leader` by default). */
  failNext(n = 1, options: FailOptions = {}): void {
    this.failures.push({ remaining: n, options });
  }

  /** Answer every matching request with an error until `stopFailing()` or `clear()`. */
  failAll(options: FailOptions = {}): void {
    this.failures.push({ remaining: Number.POSITIVE_INFINITY, options });
  }

  stopFailing(): void {
    this.failures = [];
  }

  /** Cut the connection while answering the next `n` matching requests. */
  dropNext(n = 1, options: DropOptions = {}): void {
    this.drops.push({ remaining: n, options });
  }

  /**
   * Make the next write transaction fail at op `opIndex` (0-based): the ops before it run, then
   * it reports `{OpIndex, What}` with 409 and nothing is applied. Queued, one per transaction;
   * a transaction with `opIndex` ops or fewer leaves it queued.
   */
  failTxnAtOp(opIndex: number, what = 'injected fault: transaction failed at this operation'): void {
    this.txnFaults.push({ opIndex, what });
  }

  /**
   * Make the raft index go backwards to `to` (default 1), as after a snapshot restore: every
   * stored index above it is lowered to it, and blocked queries return at once with their OLD
   * answer (as Consul releases them on a restore); the lower index shows on the next request.
   */
  resetIndex(to = 1): void {
    this.host.resetIndex(Math.max(1, to));
  }

  /** Close the listening socket and every open connection: new connections are refused. */
  async refuseConnections(): Promise<void> {
    if (this.refused) return;
    this.refused = true;
    await this.host.closeListener();
  }

  /**
   * A server restart: every connection dropped (blocked queries cut mid-wait, as a killed process
   * does), connections refused for `downMs`, then served again on the same port with the index
   * reset (as a dev agent, or a cluster rebuilt from a snapshot, comes back). Resolves once it
   * listens again.
   */
  async restart(options: RestartOptions = {}): Promise<void> {
    await this.refuseConnections();
    this.host.resetIndex(Math.max(1, options.resetIndexTo ?? 1));
    this.host.restarted();
    if ((options.downMs ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, options.downMs));
    await this.acceptConnections();
  }

  /** Listen again, on the same host and port. */
  async acceptConnections(): Promise<void> {
    if (!this.refused) return;
    await this.host.reopenListener();
    this.refused = false;
  }

  get connectionsRefused(): boolean {
    return this.refused;
  }

  /**
   * Without a leader, `/v1/status/leader` answers `""` and KV, txn, health and catalog answer 500
   * `No cluster leader` — except `?stale` reads, which the follower answers from its own state with
   * `X-Consul-Knownleader: false` and an `X-Consul-Lastcontact` that grows from the moment the leader was lost.
   */
  setLeader(hasLeader: boolean): void {
    if (this.leader && !hasLeader) this.lostAt = Date.now();
    this.leader = hasLeader;
  }

  get hasLeader(): boolean {
    return this.leader;
  }

  /** When the leader was lost (ms since the epoch); undefined while there is one. */
  get leaderLostAt(): number | undefined {
    return this.leader ? undefined : this.lostAt;
  }

  /** Switch every fault off (and accept connections again). */
  async clear(): Promise<void> {
    this.delays = [];
    this.failures = [];
    this.drops = [];
    this.txnFaults = [];
    this.leader = true;
    await this.acceptConnections();
  }

  // ---- used by the server ------------------------------------------------------------------

  /** @internal */
  delayFor(method: string, path: string): number {
    return this.delays.find((d) => matches(d.options, method, path))?.options.ms ?? 0;
  }

  /** @internal */
  takeFailure(method: string, path: string): FailOptions | undefined {
    return take(this.failures, method, path);
  }

  /** @internal */
  takeDrop(method: string, path: string): DropOptions | undefined {
    return take(this.drops, method, path);
  }

  /** @internal The first queued txn fault that falls inside a transaction of `opCount` ops. */
  takeTxnFault(opCount: number): { opIndex: number; what: string } | undefined {
    const i = this.txnFaults.findIndex((f) => f.opIndex < opCount);
    return i < 0 ? undefined : this.txnFaults.splice(i, 1)[0];
  }
}
