/**
 * Waiting for Consul (docs/design.md "Sources"): while it is unreachable (connection refused, no DNS
 * name yet, no leader, a timeout), retry with capped exponential backoff and jitter, one log line
 * per attempt, up to the location's wait timeout; then one clear problem. ACL and TLS failures
 * are not waited for: they need a person, so they end the wait at once with a hint.
 */
import type { Problem } from '../problems.ts';
import { realClock, type WaitClock } from '../clock.ts';
import type { Logger } from '../types.ts';
import { ConsulFailure, classify } from './failure.ts';
import { CONSUL_FILE, VARIABLES, type ConsulLocation } from './locate.ts';

/** Thrown when waiting ends without an answer; `problem` says what, where, and what to do. */
export class ConsulUnavailable extends Error {
  override name = 'ConsulUnavailable';
  constructor(
    readonly failure: ConsulFailure,
    readonly problem: Problem,
  ) {
    super(`${problem.key} (${problem.source}): ${problem.message}`);
  }
}

/**
 * Runs `attempt` (given the request timeout to use) until it succeeds, a failure is not worth
 * waiting for, or the wait timeout passes. `what` names the caller in log lines (`wazo-auth`).
 */
export async function waitForConsul<T>(
  location: ConsulLocation,
  what: string,
  prefix: string,
  logger: Logger,
  attempt: (requestTimeoutMs: number) => Promise<T>,
  clock: WaitClock = realClock,
): Promise<T> {
  const start = clock.now();
  const deadline = start + location.waitTimeoutMs;
  for (let n = 1; ; n++) {
    try {
      const remaining = Math.max(deadline - clock.now(), 1_000);
      return await attempt(Math.min(location.requestTimeoutMs, remaining));
    } catch (error) {
      const failure = classify(error);
      if (!failure.retryable) throw new ConsulUnavailable(failure, problemOf(failure, location, prefix));
      const left = deadline - clock.now();
      if (left <= 0) {
        const waited = { attempts: n, seconds: (clock.now() - start) / 1000 };
        throw new ConsulUnavailable(failure, problemOf(failure, location, prefix, waited));
      }
      const capped = Math.min(location.backoff.maxMs, location.backoff.initialMs * 2 ** (n - 1));
      const delay = Math.min(Math.round(capped * (0.5 + clock.random() / 2)), left);
      logger.info(
        `${what}: Consul at ${location.url} (located by ${location.how}) is not reachable: ${failure.detail}; ` +
          `attempt ${n}, retrying in ${seconds(delay)} (waiting up to ${seconds(location.waitTimeoutMs)} in all)`,
      );
      await clock.sleep(delay);
    }
  }
}

/** The one problem a failure becomes: the address, how it was located, the error and what to do. */
export function problemOf(
  failure: ConsulFailure,
  location: ConsulLocation,
  prefix: string,
  waited?: { attempts: number; seconds: number },
): Problem {
  const base = { key: `consul ${location.url}`, source: `located by ${location.how}` };
  switch (failure.kind) {
    case 'acl':
      return {
        ...base,
        message: `Consul denied reading ${prefix}/: ${failure.detail}`,
        hint: location.token
          ? `the ACL token from ${location.tokenOrigin} is unknown to Consul or lacks key:read on ${prefix}/; give it a policy with key_prefix "${prefix}/" { policy = "read" }`
          : `the request carried no ACL token: set ${VARIABLES.token} (environment or ${CONSUL_FILE}) to a token with key:read on ${prefix}/`,
      };
    case 'tls':
      return {
        ...base,
        message: `TLS with ${location.url} failed: ${failure.detail}`,
        hint: location.caFile
          ? `the CA file ${location.caFile} (from ${location.caFileOrigin}) did not verify Consul's certificate: it must be the CA that signed it, for the name ${location.host}`
          : `set ${VARIABLES.caFile} to the PEM file of the CA that signed Consul's certificate`,
      };
    case 'ca-file':
      return {
        ...base,
        message: failure.detail,
        hint: `${VARIABLES.caFile} (from ${location.caFileOrigin}) must name a PEM file the service can read`,
      };
    case 'malformed':
      return {
        ...base,
        message: `what answered is not Consul: ${failure.detail}`,
        hint: `check that ${VARIABLES.host}, ${VARIABLES.port} and ${VARIABLES.scheme} (or ${CONSUL_FILE}) point at a Consul agent, not a proxy or another service`,
      };
    case 'unreachable':
    case 'http':
      if (!waited) {
        return {
          ...base,
          message: `Consul answered ${failure.detail}`,
          hint: 'check the address is a Consul agent and its logs',
        };
      }
      return {
        ...base,
        message:
          location.waitTimeoutMs === 0
            ? `Consul did not answer (one attempt, waiting is off); error: ${failure.detail}`
            : `Consul did not answer within ${seconds(location.waitTimeoutMs)} (${waited.attempts} attempt${waited.attempts === 1 ? '' : 's'}); last error: ${failure.detail}`,
        hint:
          `start Consul or fix its address (${VARIABLES.host}, ${VARIABLES.port}, ${VARIABLES.scheme} or ${CONSUL_FILE}); ` +
          `${VARIABLES.waitTimeout} sets how long to wait (seconds); ${VARIABLES.disabled}=true runs without Consul`,
      };
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}
