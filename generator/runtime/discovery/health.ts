/**
 * What the discovery helpers share: Consul located as the loader locates it, and one service's
 * passing instances followed with blocking queries under the client rules of
 * consul-http-api.md §3.3 (an index that goes backwards resets to 0, 0 is read as 1, no tight loops).
 */
import { ConsulFailure, ConsulKv, type HealthInstance } from '../consul/client.ts';
import { locateConsul, type ConsulLocation, type ConsulOptions } from '../consul/locate.ts';
import { problemOf } from '../consul/wait.ts';
import type { Problem } from '../problems.ts';
import type { Env } from '../sources/env.ts';
import { sleep } from '../watch/pacing.ts';

export type OpenedConsul = { kind: 'off'; reason: string } | { kind: 'invalid'; problems: Problem[] } | { kind: 'consul'; kv: ConsulKv };

/** A client for the Consul that `options` and the `WAZO_CONSUL_*` variables locate, if any. */
export function openConsul(options: ConsulOptions | undefined, env: Env): OpenedConsul {
  const located = locateConsul(options, env);
  if (located.kind !== 'consul') return located;
  try {
    return { kind: 'consul', kv: new ConsulKv(located.location) };
  } catch (error) {
    if (error instanceof ConsulFailure) return { kind: 'invalid', problems: [problemOf(error, located.location, '')] };
    throw error;
  }
}

/** The instance a discovering service uses: the first passing one by ID, so that every reader agrees and a re-read does not flap. */
export function chooseInstance(instances: readonly HealthInstance[]): HealthInstance | undefined {
  return instances[0];
}

/** What a discovering group takes from an instance; two instances with the same text are the same address. */
export function addressOf(instance: HealthInstance | undefined): string {
  if (!instance) return 'none';
  const scheme = instance.meta.scheme ? `${instance.meta.scheme}://` : '';
  return `${scheme}${instance.address.includes(':') ? `[${instance.address}]` : instance.address}:${instance.port}`;
}

/** The 403 of a health read, said for a health read (the shared wording speaks of KV). */
export function healthDenied(failure: ConsulFailure, location: ConsulLocation, service: string): Problem {
  return {
    key: `consul ${location.url}`,
    source: `located by ${location.how}`,
    message: `Consul denied reading the health of ${service}: ${failure.detail}`,
    hint: `give the ACL token${location.tokenOrigin ? ` (from ${location.tokenOrigin})` : ''} a policy with service "${service}" { policy = "read" } and node_prefix "" { policy = "read" }`,
  };
}

/** Blocking reads of one service's passing instances, each answering when they change or after `waitMs`. */
export class HealthFollower {
  private index = 0;
  private lastStart = -Infinity;

  constructor(
    private readonly kv: ConsulKv,
    readonly service: string,
    /** The least time between two reads, against servers that answer blocking queries at once. */
    private readonly minIntervalMs = 100,
  ) {}

  /** The first call answers at once; later ones block up to `waitMs`. Throws ConsulFailure. */
  async next(waitMs: number, requestTimeoutMs: number, signal?: AbortSignal): Promise<HealthInstance[]> {
    await sleep(this.lastStart + this.minIntervalMs - Date.now(), signal);
    this.lastStart = Date.now();
    const wait = Math.max(1, Math.ceil(waitMs));
    // Consul adds up to wait/16 of jitter; the request timeout covers it, so a cut answer still ends.
    const blocking = this.index > 0 ? { index: this.index, waitMs: wait, ...(signal ? { signal } : {}) } : undefined;
    const timeout = requestTimeoutMs + (blocking ? Math.ceil(wait * 17 / 16) : 0);
    const read = await this.kv.healthService(this.service, timeout, blocking);
    if (read.filteredByAcl) throw new ConsulFailure('acl', 'instances were left out by ACL filtering (X-Consul-Results-Filtered-By-ACLs)', false, 403);
    this.index = read.index < this.index ? 0 : Math.max(read.index, 1);
    return read.instances;
  }
}
