/**
 * Whether a real tool the tests drive is installed: `false`, or the reason to give as a test's
 * `skip` (counted and listed by test/skips-reporter.ts; a failure when CI=true). A test that needs a
 * tool never passes without it.
 */
import { spawnSync } from 'node:child_process';

const probed = new Map<string, string | false>();

/** `false` when `command args…` runs and exits 0; else "<command> is not installed (apt-get install <pkg>)". */
export function missingTool(command: string, args: string[], debianPackage: string): string | false {
  const key = [command, ...args].join(' ');
  let result = probed.get(key);
  if (result === undefined) {
    const run = spawnSync(command, args, { stdio: 'ignore' });
    result =
      run.status === 0 ? false : `${command} is not installed (apt-get install ${debianPackage}; see .ci/apt-packages)`;
    probed.set(key, result);
  }
  return result;
}
