/**
 * Following the Connect material (docs/tls.md) with two blocking queries on the watcher's session:
 * the leaf (Consul answers when the agent has replaced it, before it expires, or after a root
 * rotation) and the roots. Each new answer is checked and, when it is good and differs from what is
 * written, the files are rewritten and the watcher runs a cycle, in which the marked group's keys
 * are reported changed. A leaf that must not be used is reported as an `error` event and the last
 * good material stays.
 */
import type { ConsulSession } from '../consul/session.ts';
import { classify } from '../consul/failure.ts';
import type { PemFileOptions } from '../pem-files.ts';
import type { Env } from '../sources/env.ts';
import type { Logger, ServiceSpec } from '../types.ts';
import { BlockingQuery, type BlockingAnswer } from '../watch/blocking.ts';
import type { WatchedThing } from '../watch/events.ts';
import type { Backoff, RateLimit } from '../watch/pacing.ts';
import { connectFiles } from './files.ts';
import { leafOf, rootsOf, type ConnectLeaf, type ConnectRoots } from './material.ts';
import { connectFailureProblem, useMaterial } from './source.ts';
import { formatProblem } from '../problems.ts';

export interface ConnectWatchOptions {
  session: ConsulSession;
  files: PemFileOptions;
  env: Env;
  blockMs: number;
  backoff?: Backoff | undefined;
  rateLimit?: RateLimit | undefined;
}

/** The watch, and what changed since the watcher's last cycle asked. */
export interface ConnectWatch extends WatchedThing {
  /** What was rewritten since the last call (`leaf 0a → 0b`, `roots rotated`), then forgets it. */
  takeChange(): string | undefined;
}

export function connectWatched(service: ServiceSpec, options: ConnectWatchOptions): ConnectWatch {
  const pending: string[] = [];
  return {
    name: 'connect',
    takeChange() {
      const what = pending.length > 0 ? [...new Set(pending)].join(', ') : undefined;
      pending.length = 0;
      return what;
    },
    start(changed, context) {
      const { session } = options;
      const location = session.location!;
      const logger: Logger = context.logger;
      let leaf: ConnectLeaf | undefined;
      let roots: ConnectRoots | undefined;
      const apply = () => {
        if (!leaf || !roots) return;
        // The leaf answer comes before the roots it chains to, or after: wait for both to agree.
        try {
          const before = connectFiles(service.name);
          const { files, changed: what } = useMaterial(service, { leaf, roots }, options.files, options.env, {
            ...logger,
            error: (m) => context.report.failure(new Error(m), 1, 0),
          });
          if (what && files !== before) {
            logger.info(`${service.name}: Connect material rewritten (${what})`);
            pending.push(what);
            changed();
          }
        } catch (error) {
          context.report.failure(error, 1, 0);
        }
      };
      const timeoutMs = options.blockMs + Math.ceil(options.blockMs / 16) + location.requestTimeoutMs;
      const pacing = { backoff: options.backoff ?? {}, rateLimit: options.rateLimit ?? {}, waitMs: options.blockMs };
      const report = (error: unknown, attempt: number, retryInMs: number) => {
        const failure = classify(error);
        const problem = connectFailureProblem(service, failure, location);
        context.report.failure(new Error(formatProblem(problem)), attempt, retryInMs);
      };
      /** A blocking query whose answers, once read, are kept by `keep` and tried together. */
      const follow = <T>(
        read: (index: number, signal: AbortSignal) => Promise<BlockingAnswer<T>>,
        keep: (t: T) => void,
      ) =>
        new BlockingQuery(
          read,
          {
            data: (data) => {
              keep(data);
              apply();
            },
            failure: report,
            recovered: (attempts, downMs) => context.report.recovered(attempts, downMs),
          },
          pacing,
        );
      const query = { waitMs: options.blockMs, timeoutMs };
      const leafQuery = follow(
        async (index, signal) => {
          const read = await (await session.client()).connectLeaf(service.name, { ...query, index, signal });
          return { index: read.index, data: leafOf(read.body, service.name) };
        },
        (data) => (leaf = data),
      );
      const rootsQuery = follow(
        async (index, signal) => {
          const read = await (await session.client()).connectRoots({ ...query, index, signal });
          return { index: read.index, data: rootsOf(read.body) };
        },
        (data) => (roots = data),
      );
      leafQuery.start();
      rootsQuery.start();
      return async () => {
        await Promise.all([leafQuery.stop(), rootsQuery.stop()]);
      };
    },
  };
}
