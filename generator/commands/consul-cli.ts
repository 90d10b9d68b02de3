/**
 * What `seed`, `diff` and `explain` share: the Consul flags, locating Consul as the loader does,
 * reading a service's prefix, and a progress bar.
 */
import type { Argv } from 'yargs';
import type { ConsulClient } from '../runtime/consul/client.ts';
import { ConsulFailure } from '../runtime/consul/failure.ts';
import type { ConsulOptions } from '../runtime/consul/locate.ts';
import { ConsulSession } from '../runtime/consul/session.ts';
import { ConsulUnavailable, problemOf } from '../runtime/consul/wait.ts';
import { consoleLogger } from '../runtime/load.ts';
import { formatProblem } from '../runtime/problems.ts';
import type { ServiceSpec } from '../runtime/types.ts';
import { UserError } from './run.ts';

export interface ConsulArgs {
  'consul-url'?: string;
  token?: string;
  'ca-file'?: string;
  wait?: number;
}

export function withConsulFlags<T>(y: Argv<T>): Argv<T & ConsulArgs> {
  return y
    .option('consul-url', {
      type: 'string',
      describe: 'Consul address, http(s)://host[:port] (default: located as services locate it)',
    })
    .option('token', { type: 'string', describe: 'ACL token (default: WAZO_CONSUL_TOKEN)' })
    .option('ca-file', { type: 'string', describe: 'PEM CA file for https (default: WAZO_CONSUL_CACERT)' })
    .option('wait', {
      type: 'number',
      describe: 'seconds to wait for an unreachable Consul (default: WAZO_CONSUL_WAIT_TIMEOUT, else 60)',
    });
}

/** The flags as ConsulOptions; the rest is located from the environment and /etc/wazo-platform/consul. */
export function consulOptionsOf(args: ConsulArgs, required: boolean): ConsulOptions {
  const options: ConsulOptions = { required, origin: 'command-line flags' };
  if (args['consul-url'] !== undefined) options.url = args['consul-url'];
  if (args.token !== undefined) options.token = args.token;
  if (args['ca-file'] !== undefined) options.caFile = args['ca-file'];
  if (args.wait !== undefined) options.waitTimeoutMs = args.wait * 1000;
  return options;
}

/**
 * Consul as seed and diff talk to it: always (the defaults when nothing locates it); one session for the whole command.
 */
export function openSession(args: ConsulArgs): ConsulSession {
  const session = ConsulSession.open(consulOptionsOf(args, true), process.env);
  const { located } = session;
  if (located.kind === 'invalid') throw new UserError(located.problems.map(formatProblem).join('\n'));
  if (located.kind === 'off') throw new UserError(`Consul is not used: ${located.reason}`);
  return session;
}

/** The session's client; an unreadable CA file ends the command with the loader's message. */
export async function clientOf(session: ConsulSession): Promise<ConsulClient> {
  try {
    return await session.client();
  } catch (error) {
    if (error instanceof ConsulFailure) throw new UserError(formatProblem(problemOf(error, session.location!, '')));
    throw error;
  }
}

/**
 * Reads a service's prefix; a Consul that cannot be read (or hides it by ACLs) ends the command with the loader's
 * message.
 */
export async function readService(session: ConsulSession, service: ServiceSpec, what: string) {
  try {
    // A person compares or writes: the leader's copy, never a follower's.
    return await session.readPrefix(service.consulPrefix, what, consoleLogger, 'leader');
  } catch (error) {
    if (error instanceof ConsulUnavailable) throw new UserError(`${service.name}: ${formatProblem(error.problem)}`);
    throw error;
  }
}

/** `[#####-----] 120/300 keys` on stderr, redrawn in place; only on a terminal. */
export class Progress {
  private done = 0;
  private readonly shown: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    threshold = 64,
  ) {
    this.shown = stream.isTTY === true && total > threshold;
    this.draw();
  }

  add(n: number): void {
    this.done += n;
    this.draw();
  }

  end(): void {
    if (this.shown) this.stream.write('\n');
  }

  private draw(): void {
    if (!this.shown) return;
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    this.stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total} keys`);
  }
}
