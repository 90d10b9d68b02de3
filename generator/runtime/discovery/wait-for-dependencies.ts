/**
 * `x-service.dependsOn` → waiting (docs/discovery.md): before loading, block on
 * `/v1/health/service/<name>?passing` until each dependency has a passing instance. The contract
 * is the one of waiting for Consul: Consul unreachable → capped exponential backoff with jitter,
 * one log line per attempt; a dependency absent → blocking queries, one log line per round; past
 * the timeout → one ConfigError naming every dependency still missing.
 */
import type { ConsulClient, HealthInstance } from '../consul/client.ts';
import { ConsulFailure } from '../consul/failure.ts';
import { VARIABLES } from '../consul/locate.ts';
import type { ConsulSession } from '../consul/session.ts';
import { realClock, type WaitClock } from '../clock.ts';
import { ConsulUnavailable, problemOf, waitForConsul } from '../consul/wait.ts';
import { ConfigError, type Problem } from '../problems.ts';
import type { Logger, ServiceSpec } from '../types.ts';
import { addressOf, healthDenied, HealthFollower } from './health.ts';

export interface DependencyOptions {
  /** The services to wait for; default the schema's `x-service.dependsOn`. */
  services?: readonly string[];
  /** How long to wait in all, in ms; default the Consul wait timeout (`WAZO_CONSUL_WAIT_TIMEOUT`, else 60 s). */
  timeoutMs?: number;
  /** The longest single blocking query, in ms; default 30 000. */
  blockMs?: number;
}

export interface DependencyContext {
  /** The load's Consul session. */
  session: ConsulSession;
  logger: Logger;
  clock?: WaitClock;
}

/** The least time between two "waiting for" lines of one dependency. */
const LOG_EVERY_MS = 10_000;

/**
 * Waits until every dependency has a passing instance, and returns the instance found for each.
 * Without Consul (not located, disabled, `consul: false`) there is nothing to wait on: it returns
 * at once. Throws a ConfigError on timeout, on an invalid location, or on an ACL/TLS failure.
 */
export async function waitForDependencies(
  service: ServiceSpec,
  options: true | DependencyOptions,
  context: DependencyContext,
): Promise<Map<string, HealthInstance>> {
  const opts = options === true ? {} : options;
  const services = [...(opts.services ?? service.dependsOn ?? [])];
  const found = new Map<string, HealthInstance>();
  if (services.length === 0) return found;
  const { located } = context.session;
  if (located.kind === 'invalid') throw new ConfigError(service.name, located.problems);
  if (located.kind === 'off') {
    context.logger.debug?.(`${service.name}: not waiting for ${services.join(', ')}: ${located.reason}`);
    return found;
  }
  const { location } = located;
  let client: ConsulClient;
  try {
    client = await context.session.client();
  } catch (error) {
    if (error instanceof ConsulFailure) throw new ConfigError(service.name, [problemOf(error, location, '')]);
    throw error;
  }
  const clock = context.clock ?? realClock;
  const timeoutMs = opts.timeoutMs ?? location.waitTimeoutMs;
  const deadline = clock.now() + timeoutMs;
  const said = {
    timeoutMs,
    optionName: opts.timeoutMs === undefined ? VARIABLES.waitTimeout : 'waitForDependencies.timeoutMs',
  };
  const results = await Promise.all(
    services.map(async (name): Promise<Problem | undefined> => {
      const follower = new HealthFollower(client, name);
      const started = clock.now();
      // Unrelated catalog writes wake a wait on a service never seen (its index is the catalog's):
      // one read per wake-up, and one log line per LOG_EVERY_MS at most.
      let logged = -Infinity;
      for (let round = 1; ; round++) {
        const left = deadline - clock.now();
        let instances: HealthInstance[];
        try {
          const waiting = { ...location, waitTimeoutMs: Math.max(0, left) };
          instances = await waitForConsul(
            waiting,
            service.name,
            `health/service/${name}`,
            context.logger,
            (t) => follower.next(Math.min(left, opts.blockMs ?? 30_000), t),
            clock,
          );
        } catch (error) {
          if (!(error instanceof ConsulUnavailable)) throw error;
          return error.failure.kind === 'acl' ? healthDenied(error.failure, location, name) : error.problem;
        }
        const seconds = ((clock.now() - started) / 1000).toFixed(1);
        if (instances.length > 0) {
          found.set(name, instances[0]!);
          if (round > 1)
            context.logger.info(`${service.name}: ${name} is up at ${addressOf(instances[0])} (waited ${seconds} s)`);
          return undefined;
        }
        if (clock.now() >= deadline) return missing(name, said);
        if (clock.now() - logged >= LOG_EVERY_MS) {
          logged = clock.now();
          context.logger.info(
            `${service.name}: waiting for ${name}: no passing instance in Consul at ${location.url} yet (${seconds} s; waiting up to ${timeoutMs / 1000} s in all)`,
          );
        }
      }
    }),
  );
  const problems = results.filter((p): p is Problem => p !== undefined);
  if (problems.length > 0) throw new ConfigError(service.name, problems);
  return found;
}

function missing(name: string, said: { timeoutMs: number; optionName: string }): Problem {
  return {
    key: `dependency ${name}`,
    source: `consul health/service/${name}?passing`,
    message: `no passing instance of ${name} within ${said.timeoutMs / 1000} s`,
    hint: `start ${name} with service_discovery.enabled: true so that it registers in Consul and its TTL check passes; ${said.optionName} sets how long to wait`,
  };
}
