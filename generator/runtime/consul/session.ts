/**
 * One Consul session per load, per watcher, per command: Consul located once, one client (one
 * keep-alive connection pool) opened on first use and handed to everything that talks to Consul —
 * dependency waiting, the KV source, discovery, the watcher's blocking queries, `seed`/`diff`.
 * The HTTP client module is imported only when a request is made, so a service without Consul
 * never loads it. The session also holds the one check every read shares: an answer from which
 * ACLs hid what was asked for.
 */
import type { Logger } from '../types.ts';
import type { Env } from '../sources/env.ts';
import type { ConsulClient, ReadMeta, TreeRead } from './client.ts';
import { ConsulFailure } from './failure.ts';
import { locateConsul, type ConsulLocation, type ConsulOptions, type Locating } from './locate.ts';
import { LeaderNotice, readMode, type ReadPurpose } from './staleness.ts';
import { ConsulUnavailable, problemOf, waitForConsul } from './wait.ts';

export class ConsulSession {
  private opened: Promise<ConsulClient> | undefined;
  private closed = false;
  private readonly leader = new LeaderNotice();

  private constructor(readonly located: Locating) {}

  /** Locates Consul (options, `WAZO_CONSUL_*`, /etc/wazo-platform/consul); `false`: never. Opens no connection. */
  static open(options: ConsulOptions | false | undefined, env: Env): ConsulSession {
    return new ConsulSession(options === false ? { kind: 'off', reason: 'consul: false' } : locateConsul(options, env));
  }

  /** Where Consul is; undefined when it is not used or its location is invalid. */
  get location(): ConsulLocation | undefined {
    return this.located.kind === 'consul' ? this.located.location : undefined;
  }

  /** The session's one client, opened on first use. Throws a `ca-file` ConsulFailure, or when Consul is not located. */
  client(): Promise<ConsulClient> {
    const location = this.location;
    if (!location)
      return Promise.reject(
        new Error(
          `Consul is not used: ${this.located.kind === 'off' ? this.located.reason : 'its location is invalid'}`,
        ),
      );
    this.opened ??= import('./client.ts').then(({ ConsulClient }) => new ConsulClient(location));
    return this.opened;
  }

  /**
   * Every key under `prefix/` with ONE recursive query, waiting for Consul as the location says.
   * Keys hidden by ACLs count as a denial: a config read without them would be wrong in silence.
   * `purpose` picks the consistency mode (staleness.ts): `load` as the location says, `leader` for
   * a person's command. Throws ConsulUnavailable.
   */
  async readPrefix(prefix: string, what: string, logger: Logger, purpose: ReadPurpose = 'load'): Promise<TreeRead> {
    const location = this.location!;
    let client: ConsulClient;
    try {
      client = await this.client();
    } catch (error) {
      if (error instanceof ConsulFailure) throw new ConsulUnavailable(error, problemOf(error, location, prefix));
      throw error;
    }
    const read = await waitForConsul(location, what, prefix, logger, (timeoutMs) =>
      client.readTree(prefix + '/', { timeoutMs, ...readMode(location, purpose) }),
    );
    this.noteRead(read, logger, what);
    const hidden = hiddenByAcl(read, read.entries.length === 0, location, `keys under ${prefix}/`);
    if (hidden) throw new ConsulUnavailable(hidden, problemOf(hidden, location, prefix));
    return read;
  }

  /** Logs what an answer says about the cluster's leader: once per leaderless episode (staleness.ts). */
  noteRead(meta: ReadMeta, logger: Logger, what: string): void {
    if (this.location) this.leader.note(meta, this.location, logger, what);
  }

  /** Closes the client's connections; a later `client()` opens a new one. */
  close(): void {
    const opened = this.opened;
    this.opened = undefined;
    this.closed = true;
    void opened?.then(
      (client) => client.close(),
      () => undefined,
    );
  }

  /** Whether `close()` was called (a watcher's session stays open until the watcher closes). */
  get isClosed(): boolean {
    return this.closed;
  }
}

/**
 * The one ACL check of a read, KV or health: what was asked for is hidden when Consul says it
 * filtered items out (`X-Consul-Results-Filtered-By-ACLs`), or — since Consul drops that header
 * for requests without a token (`maskResultsFilteredByACLs`) — when the answer is empty, no token
 * was sent and Consul's default policy is `deny` (`X-Consul-Default-Acl-Policy`, Consul ≥ 1.9).
 * `what` names it: `keys under config/wazo-auth/`, `instances of wazo-auth`.
 */
export function hiddenByAcl(
  meta: ReadMeta,
  empty: boolean,
  location: ConsulLocation,
  what: string,
): ConsulFailure | undefined {
  if (meta.filteredByAcl)
    return new ConsulFailure(
      'acl',
      `${what} were left out by ACL filtering (X-Consul-Results-Filtered-By-ACLs)`,
      false,
      403,
    );
  if (empty && location.token === undefined && meta.defaultAclPolicy === 'deny') {
    return new ConsulFailure(
      'acl',
      `ACLs deny by default and no token was given (X-Consul-Default-Acl-Policy: deny), so Consul answers as if there were no ${what}`,
      false,
      403,
    );
  }
  return undefined;
}
