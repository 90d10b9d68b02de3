/**
 * The service's Consul prefix, watched with ONE blocking query (`GET /v1/kv/<prefix>/?recurse`
 * with `index` and `wait`) on one client, so one connection per service; and the config source
 * that serves the last answer to each cycle, decoded exactly as the loader decodes a read.
 */
import { ConsulFailure, ConsulKv, type KvEntry, type TreeRead } from '../consul/client.ts';
import { decodeEntries } from '../consul/decode.ts';
import type { ConsulLocation } from '../consul/locate.ts';
import { problemOf } from '../consul/wait.ts';
import { formatProblem } from '../problems.ts';
import type { ConfigSource } from '../sources/source.ts';
import { BlockingQuery, type BlockingHandlers, type BlockingOptions } from './blocking.ts';

export const DEFAULT_BLOCKING_WAIT_MS = 60_000;

export interface ConsulFeed {
  readonly query: BlockingQuery<TreeRead>;
  close(): Promise<void>;
}

export function consulFeed(location: ConsulLocation, prefix: string, waitMs: number, handlers: BlockingHandlers<TreeRead>, options: BlockingOptions): ConsulFeed {
  const kv = new ConsulKv(location);
  // Consul answers within wait + wait/16 (its jitter); the request timeout covers the rest.
  const timeoutMs = waitMs + Math.ceil(waitMs / 16) + location.requestTimeoutMs;
  const query = new BlockingQuery<TreeRead>(
    async (index, signal) => {
      const read = await kv.readTree(prefix + '/', timeoutMs, { index, waitMs, signal });
      if (read.filteredByAcl) {
        throw new ConsulFailure('acl', `keys under ${prefix}/ were left out by ACL filtering (X-Consul-Results-Filtered-By-ACLs)`, false);
      }
      return { index: read.index, data: read };
    },
    handlers,
    options,
  );
  return {
    query,
    close: async () => {
      await query.stop();
      kv.close();
    },
  };
}

/** One line for a failed query: where Consul is, what happened, and for ACL or TLS what to do. */
export function describeFailure(failure: ConsulFailure, location: ConsulLocation, prefix: string): string {
  if (failure.kind === 'unreachable' || failure.kind === 'http') {
    return `Consul at ${location.url} (located by ${location.how}) did not answer the watch on ${prefix}/: ${failure.detail}`;
  }
  return formatProblem(problemOf(failure, location, prefix));
}

/** The `consul` source of a cycle: the entries of the last answer, unknown keys as the loader treats them. */
export function snapshotSource(entries: readonly KvEntry[], strict: boolean): ConfigSource {
  return {
    name: 'consul',
    async read({ index }) {
      const { layer, invalid, unknown } = decodeEntries(entries, index);
      if (strict) return { layers: [layer], problems: [...invalid, ...unknown] };
      return { layers: [layer], problems: invalid, warnings: unknown.map((p) => `unknown key ${p.key} (${p.source}): ${p.hint}`) };
    },
  };
}

/** What a cycle reads of an answer: two answers with the same keys and values give the same config. */
export function contentOf(read: TreeRead): string {
  return JSON.stringify(read.entries.map((e) => [e.key, e.value]));
}
