/** What every command shares: the project root and how user errors end a command. */
import { resolve } from 'node:path';
import { ConfigError } from '../runtime/problems.ts';
import { GenerateError } from '../schema-problems.ts';

/** The folder holding `schemas/` and `generated/`: the working directory, or `WAZO_CONFIG_ROOT`. */
export function projectRoot(): string {
  return resolve(process.env.WAZO_CONFIG_ROOT ?? process.cwd());
}

/**
 * Errors users can fix print their message alone and exit 1. Anything else is a bug: one line
 * (the stack with WAZO_CONFIG_DEBUG=1) and exit 70 (EX_SOFTWARE); never the usage text, which is
 * for usage errors.
 */
export async function run(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (error) {
    if (error instanceof GenerateError) {
      console.error(error.message);
      console.error(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}; nothing was written.`);
      process.exitCode = 1;
    } else if (error instanceof ConfigError || error instanceof UserError) {
      console.error(error.message);
      process.exitCode = 1;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      const debug = process.env.WAZO_CONFIG_DEBUG ? `\n${(error as Error).stack ?? ''}` : ' (WAZO_CONFIG_DEBUG=1 prints the stack)';
      console.error(`internal error: ${message.split('\n')[0]}${debug}`);
      process.exitCode = 70;
    }
  }
}

/** An error in what the user asked for (a missing file, Consul unreachable…): its message is the whole story. */
export class UserError extends Error {
  override name = 'UserError';
}
