/**
 * Stale reads (docs/consul.md "Stale reads"): which consistency mode a read asks for, and the one
 * log line per leaderless episode. With `maxStale` (default 2 s, as consul-template), reads ask
 * `?stale` so that every Consul server answers from its own copy instead of forwarding to the
 * leader, which then serves only writes and the reads that were too stale; the client asks the
 * leader again when an answer's `X-Consul-LastContact` is above `maxStale` (client.ts).
 */
import type { Logger } from '../types.ts';
import type { ConsulReadOptions, ReadMeta } from './client.ts';
import type { ConsulLocation } from './locate.ts';

/** Why a read is made: loadConfig's start-up read, a blocking query of a watch, or a command a person runs. */
export type ReadPurpose = 'load' | 'watch' | 'leader';

/** The consistency options of a read, from the location's `maxStaleMs` and `consistentLoad`. */
export function readMode(
  location: ConsulLocation,
  purpose: ReadPurpose,
): Pick<ConsulReadOptions, 'consistency' | 'maxStaleMs'> {
  if (purpose === 'leader') return {};
  if (purpose === 'load' && location.consistentLoad) return { consistency: 'consistent' };
  return location.maxStaleMs > 0 ? { consistency: 'stale', maxStaleMs: location.maxStaleMs } : {};
}

/**
 * What a session says about the answers it got: a server without a known leader is logged once
 * when the episode starts and once when it ends, never per answer (a watcher gets one per wait);
 * an answer too stale and read again from the leader, at debug level.
 */
export class LeaderNotice {
  private leaderless = false;

  note(meta: ReadMeta, location: ConsulLocation, logger: Logger, what: string): void {
    if (meta.tooStaleMs !== undefined) {
      logger.debug?.(
        `${what}: Consul at ${location.url} answered ${meta.tooStaleMs} ms behind its leader, over maxStale ` +
          `(${location.maxStaleMs} ms, ${location.maxStaleOrigin}); read again from the leader`,
      );
    }
    if (meta.knownLeader === false && !this.leaderless) {
      this.leaderless = true;
      const behind = meta.lastContactMs === undefined ? '' : ` (last contact ${meta.lastContactMs} ms ago)`;
      logger.warn(
        `${what}: Consul at ${location.url} has no known leader (X-Consul-KnownLeader: false): ` +
          `reading a server's own copy${behind}; writes made meanwhile show once a leader is back`,
      );
    } else if (meta.knownLeader === true && this.leaderless) {
      this.leaderless = false;
      logger.info(`${what}: Consul at ${location.url} has a leader again`);
    }
  }
}
