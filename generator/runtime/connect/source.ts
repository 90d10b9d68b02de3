/**
 * The `connect` slot of the source table (docs/tls.md): for a service whose schema marks a group
 * `x-connect-tls`, when Consul is located, the leaf certificate and the roots from the local
 * agent, checked (material.ts), written to private files (files.ts), and the paths given to the
 * group's leaves, attributed `consul connect`. A leaf that must not be used (expired, not the
 * service's, not signed by the roots) is never written: the last good material of this process
 * stays, with a warning, or loading fails with the reason.
 */
import type { ConsulClient } from '../consul/client.ts';
import { ConsulFailure } from '../consul/failure.ts';
import type { ConsulLocation } from '../consul/locate.ts';
import type { ConsulSession } from '../consul/session.ts';
import { ConsulUnavailable, problemOf, waitForConsul } from '../consul/wait.ts';
import type { PemFileOptions } from '../pem-files.ts';
import { ConfigError, type Problem } from '../problems.ts';
import type { Env } from '../sources/env.ts';
import type { ConfigSource, SourceOutput } from '../sources/source.ts';
import { dotted } from '../tree.ts';
import type { ConnectTlsSpec, Logger, ServiceSpec } from '../types.ts';
import { connectFiles, writeConnectFiles, type ConnectFiles } from './files.ts';
import { leafOf, leafProblem, rootsOf, type ConnectLeaf, type ConnectRoots } from './material.ts';

export const CONNECT_SOURCE = 'consul connect';

/** The group's leaves set to the files' paths. */
export function connectOutput(spec: ConnectTlsSpec, files: ConnectFiles): SourceOutput {
  const values = [
    { path: spec.certificate, value: files.certificate, source: CONNECT_SOURCE },
    { path: spec.privateKey, value: files.privateKey, source: CONNECT_SOURCE },
    ...(spec.ca ? [{ path: spec.ca, value: files.ca, source: CONNECT_SOURCE }] : []),
  ];
  return { layers: [{ kind: 'values', values }], problems: [] };
}

/** A problem with the Connect material, named by the marked group. */
export function connectProblem(service: ServiceSpec, message: string, hint: string): Problem {
  return { key: dotted(service.connectTls!.path), source: CONNECT_SOURCE, message, hint };
}

/** What a failed Connect read means, with what to do. */
export function connectFailureProblem(service: ServiceSpec, failure: ConsulFailure, location: ConsulLocation): Problem {
  if (failure.kind === 'acl')
    return connectProblem(
      service,
      `Consul denied the Connect leaf certificate of ${service.name}: ${failure.detail}`,
      `the token ${location.token ? `from ${location.tokenOrigin}` : '(none was sent)'} needs service:write on ${service.name}: service "${service.name}" { policy = "write" }`,
    );
  if (failure.status === 500 && /Connect must be enabled/.test(failure.detail))
    return connectProblem(
      service,
      `Consul at ${location.url} has Connect disabled: ${failure.detail}`,
      "enable it in the agents' configuration (connect { enabled = true }), or load with connect: false and set the paths yourself",
    );
  return problemOf(failure, location, `agent/connect/ca/leaf/${service.name}`);
}

/** One non-blocking read of the leaf and of the roots, waiting for Consul as the loader does. */
export async function readConnect(
  session: ConsulSession,
  service: ServiceSpec,
  logger: Logger,
): Promise<{ leaf: ConnectLeaf; roots: ConnectRoots }> {
  const location = session.location!;
  try {
    let client: ConsulClient;
    try {
      client = await session.client();
    } catch (error) {
      if (error instanceof ConsulFailure) throw new ConsulUnavailable(error, problemOf(error, location, ''));
      throw error;
    }
    const read = <T>(what: string, call: (timeoutMs: number) => Promise<T>) =>
      waitForConsul(location, service.name, what, logger, call);
    const leaf = await read(`agent/connect/ca/leaf/${service.name}`, (timeoutMs) =>
      client.connectLeaf(service.name, { timeoutMs }),
    );
    const roots = await read('agent/connect/ca/roots', (timeoutMs) => client.connectRoots({ timeoutMs }));
    return { leaf: leafOf(leaf.body, service.name), roots: rootsOf(roots.body) };
  } catch (error) {
    if (error instanceof ConsulUnavailable)
      throw new ConfigError(service.name, [
        error.failure.kind === 'unreachable' ? error.problem : connectFailureProblem(service, error.failure, location),
      ]);
    if (error instanceof ConsulFailure)
      throw new ConfigError(service.name, [connectFailureProblem(service, error, location)]);
    throw error;
  }
}

/**
 * Checks and writes new material; when it must not be used, keeps what this process wrote last
 * (logged) or throws a ConfigError. Returns the files in use and what changed.
 */
export function useMaterial(
  service: ServiceSpec,
  material: { leaf: ConnectLeaf; roots: ConnectRoots },
  files: PemFileOptions,
  env: Env,
  logger: Logger,
): { files: ConnectFiles; changed: string | undefined } {
  const problem = leafProblem(material.leaf, material.roots);
  if (problem === undefined) return writeConnectFiles(service.name, material.leaf, material.roots, files, env);
  const last = connectFiles(service.name);
  if (!last)
    throw new ConfigError(service.name, [
      connectProblem(
        service,
        problem,
        "nothing was written; check the Consul agent (and this host's clock), or load with connect: false",
      ),
    ]);
  logger.error(`${service.name}: ${problem}; keeping the last good one (serial ${last.serial})`);
  return { files: last, changed: undefined };
}

export interface ConnectSourceOptions {
  /** Where the files go: the PEM files' private directory. */
  files: PemFileOptions;
  env: Env;
}

/** The `connect` slot: quiet and without a request when the service marks no group or nothing locates Consul. */
export function connectSource(session: ConsulSession, options: ConnectSourceOptions): ConfigSource {
  return {
    name: 'connect',
    async read({ service, logger }) {
      const spec = service.connectTls;
      if (!spec || !session.location) return { layers: [], problems: [] };
      const material = await readConnect(session, service, logger);
      return connectOutput(spec, useMaterial(service, material, options.files, options.env, logger).files);
    },
  };
}

/** The slot in a watcher's cycle: the files its own blocking queries keep current; no read of its own. */
export function watchedConnectSource(): ConfigSource {
  return {
    name: 'connect',
    async read({ service }) {
      const spec = service.connectTls;
      const files = connectFiles(service.name);
      return spec && files ? connectOutput(spec, files) : { layers: [], problems: [] };
    },
  };
}
