/**
 * The service's Consul prefix, watched with ONE blocking query (`GET /v1/kv/<prefix>/?recurse`
 * with `index` and `wait`) on the watcher's session, so one connection per service; and the
 * config source that serves the last answer to each cycle, decoded exactly as the loader decodes a read.
 */
import type { KvEntry, TreeRead } from '../consul/client.ts';
import { consulOutput } from '../consul/decode.ts';
import type { ConsulFailure } from '../consul/failure.ts';
import type { ConsulLocation } from '../consul/locate.ts';
import { hiddenByAcl, type ConsulSession } from '../consul/session.ts';
import { readMode } from '../consul/staleness.ts';
import { problemOf } from '../consul/wait.ts';
import { formatProblem } from '../problems.ts';
import type { ConfigSource } from '../sources/source.ts';
import type { Logger } from '../types.ts';
import { BlockingQuery, type BlockingHandlers, type BlockingOptions } from './blocking.ts';

export const DEFAULT_BLOCKING_WAIT_MS = 60_000;

export interface ConsulFeed {
  readonly query: BlockingQuery<TreeRead>;
  close(): Promise<void>;
}

export function consulFeed(
  session: ConsulSession,
  prefix: string,
  waitMs: number,
  handlers: BlockingHandlers<TreeRead>,
  options: BlockingOptions,
  logger: Logger,
  what: string,
): ConsulFeed {
  const location = session.location!;
  const mode = readMode(location, 'watch');
  // Consul answers within wait + wait/16 (its jitter); the request timeout covers the rest.
  const timeoutMs = waitMs + Math.ceil(waitMs / 16) + location.requestTimeoutMs;
  const query = new BlockingQuery<TreeRead>(
    async (index, signal) => {
      const client = await session.client();
      const read = await client.readTree(prefix + '/', { index, waitMs, signal, timeoutMs, ...mode });
      session.noteRead(read, logger, what);
      const hidden = hiddenByAcl(read, read.entries.length === 0, location, `keys under ${prefix}/`);
      if (hidden) throw hidden;
      return { index: read.index, data: read };
    },
    handlers,
    { ...options, waitMs },
  );
  return { query, close: () => query.stop() };
}

/** One line for a failed query: where Consul is, what happened, and for ACL, TLS or a non-Consul answer what to do. */
export function describeFailure(failure: ConsulFailure, location: ConsulLocation, prefix: string): string {
  if (failure.kind === 'unreachable' || failure.kind === 'http') {
    return `Consul at ${location.url} (located by ${location.how}) did not answer the watch on ${prefix}/: ${failure.detail}`;
  }
  return formatProblem(problemOf(failure, location, prefix));
}

/** The `consul` source of a cycle: the entries of the last answer, unknown keys as the loader treats them. */
export function snapshotSource(entries: readonly KvEntry[], strict: boolean): ConfigSource {
  return { name: 'consul', read: async ({ index }) => consulOutput(entries, index, strict) };
}

/** What a cycle reads of an answer: two answers with the same keys and values give the same config. */
export function contentOf(read: TreeRead): string {
  return JSON.stringify(read.entries.map((e) => [e.key, e.value, e.notUtf8 ?? false]));
}
