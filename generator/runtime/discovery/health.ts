/**
 * What the discovery helpers share: one service's passing instances followed with blocking
 * queries under the client rules of consul-http-api.md §3.3 (an index that goes backwards resets
 * to 0, 0 is read as 1, no tight loops), through the session's client.
 */
import type { ConsulClient, HealthInstance } from '../consul/client.ts';
import { hiddenByAcl } from '../consul/session.ts';
import { readMode } from '../consul/staleness.ts';
import type { ConsulFailure } from '../consul/failure.ts';
import { VARIABLES, type ConsulLocation } from '../consul/locate.ts';
import type { Problem } from '../problems.ts';
import { sleep } from '../watch/pacing.ts';

/**
 * The instance a discovering service uses: the first passing one by ID, so that every reader agrees and a re-read does
 * not flap.
 */
export function chooseInstance(instances: readonly HealthInstance[]): HealthInstance | undefined {
  return instances[0];
}

/** What a discovering group takes from an instance; two instances with the same text are the same address. */
export function addressOf(instance: HealthInstance | undefined): string {
  if (!instance) return 'none';
  const scheme = instance.meta.scheme ? `${instance.meta.scheme}://` : '';
  return `${scheme}${instance.address.includes(':') ? `[${instance.address}]` : instance.address}:${instance.port}`;
}

/** The 403 of a health read (or instances hidden by ACLs), said for a health read (the shared wording speaks of KV). */
export function healthDenied(failure: ConsulFailure, location: ConsulLocation, service: string): Problem {
  const policy = `service "${service}" { policy = "read" } and node_prefix "" { policy = "read" }`;
  return {
    key: `consul ${location.url}`,
    source: `located by ${location.how}`,
    message: `Consul denied reading the health of ${service}: ${failure.detail}`,
    hint: location.token
      ? `give the ACL token (from ${location.tokenOrigin}) a policy with ${policy}`
      : `the request carried no ACL token: set ${VARIABLES.token} to a token with a policy with ${policy}`,
  };
}

/** Blocking reads of one service's passing instances, each answering when they change or after `waitMs`. */
export class HealthFollower {
  private index = 0;
  private lastStart = -Infinity;

  constructor(
    private readonly client: ConsulClient,
    readonly service: string,
    /** The least time between two reads, against servers that answer blocking queries at once. */
    private readonly minIntervalMs = 100,
  ) {}

  /** The next read answers at once (from index 0): after a lost connection, Consul's index may have gone anywhere. */
  restart(): void {
    this.index = 0;
  }

  /**
   * The first call (and the first after the index went backwards) answers at once; later ones block up to `waitMs`.
   * Throws ConsulFailure.
   */
  async next(waitMs: number, requestTimeoutMs: number, signal?: AbortSignal): Promise<HealthInstance[]> {
    await sleep(this.lastStart + this.minIntervalMs - Date.now(), signal);
    this.lastStart = Date.now();
    const wait = Math.max(1, Math.ceil(waitMs));
    // Consul adds up to wait/16 of jitter; the request timeout covers it, so a cut answer still ends.
    const blocking = this.index > 0;
    const timeoutMs = requestTimeoutMs + (blocking ? Math.ceil((wait * 17) / 16) : 0);
    const read = await this.client.healthService(this.service, {
      timeoutMs,
      ...readMode(this.client.location, 'watch'),
      ...(blocking ? { index: this.index, waitMs: wait } : {}),
      ...(signal ? { signal } : {}),
    });
    const hidden = hiddenByAcl(read, read.instances.length === 0, this.client.location, `instances of ${this.service}`);
    if (hidden) throw hidden;
    const early = blocking && read.index === this.index && Date.now() - this.lastStart < wait / 2;
    // Backwards: a snapshot restore or a new cluster; start over. Early with the same index: Consul
    // releases blocked queries on a restore without running them again, so look at once with index 0.
    this.index = read.index < this.index || early ? 0 : read.index;
    return read.instances;
  }
}
