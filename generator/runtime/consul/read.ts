/** One service prefix read with waiting, the way the loader and the CLI commands read it. */
import type { Logger } from '../types.ts';
import { ConsulFailure, type ConsulKv, type TreeRead } from './client.ts';
import { ConsulUnavailable, problemOf, waitForConsul } from './wait.ts';

/**
 * Reads every key under `prefix/` with ONE recursive query, waiting for Consul as the location
 * says. Keys hidden by ACL filtering count as a denial: a config read without them would be wrong
 * in silence. Throws ConsulUnavailable.
 */
export async function readPrefix(kv: ConsulKv, prefix: string, what: string, logger: Logger): Promise<TreeRead> {
  const read = await waitForConsul(kv.location, what, prefix, logger, (timeoutMs) => kv.readTree(prefix + '/', timeoutMs));
  if (read.filteredByAcl) {
    const failure = new ConsulFailure('acl', `keys under ${prefix}/ were left out by ACL filtering (X-Consul-Results-Filtered-By-ACLs)`, false);
    throw new ConsulUnavailable(failure, problemOf(failure, kv.location, prefix));
  }
  return read;
}
