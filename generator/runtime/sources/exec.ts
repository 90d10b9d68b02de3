/**
 * Wazo's `!exec` tag (SEMANTICS.md §2): a mapping `!exec {command: …}` stands for what the command
 * prints, read as YAML. As `xivo.config_helper` runs it: the command is split on single spaces
 * (Python's `str.split(' ')`: no shell, no quoting, no globbing), stderr is not part of the value,
 * and the output may not use `!exec` itself.
 */
import type { Problem } from '../problems.ts';
import type { ExecRequest } from '../yaml11.ts';

/** How long a command may run before it counts as failed (Wazo waits forever). */
export const EXEC_TIMEOUT_MS = 60_000;

export type CommandResult = { stdout: string } | { failure: string };

/** Runs `command` as Wazo does: split on single spaces, no shell. Its stdout, or why it failed. */
export function runCommand(command: string, timeoutMs = EXEC_TIMEOUT_MS): CommandResult {
  const [file = '', ...args] = command.split(' ');
  // Fetched here, not imported: node:child_process is costly to load and only `!exec` files need it.
  const { execFileSync } = process.getBuiltinModule('node:child_process');
  try {
    const stdout = execFileSync(file, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number | null; signal?: string | null; stderr?: string };
    if (e.code === 'ENOENT') return { failure: `command not found: ${JSON.stringify(file)}` };
    if (e.code === 'EACCES') return { failure: `not allowed to run ${JSON.stringify(file)}` };
    if (e.code === 'ETIMEDOUT') return { failure: `did not finish within ${timeoutMs / 1000} s` };
    const stderr = (e.stderr ?? '').trim().split('\n').pop()?.trim();
    const how =
      e.status != null
        ? `exited with status ${e.status}`
        : e.signal
          ? `was killed by ${e.signal}`
          : (e.message.split('\n')[0] ?? 'failed');
    return { failure: stderr ? `${how}: ${stderr.slice(0, 200)}` : how };
  }
}

export interface ExecContext {
  file: string;
  /** Run the commands (`LoadOptions.wazoCompat.exec`); otherwise each `!exec` node is a problem. */
  run: boolean;
  /** Reads a command's output as the file's YAML is read; its value, or what is wrong with it. */
  parseOutput(text: string): { value: unknown } | { failure: string };
}

/**
 * Runs each `!exec` request of a parsed file (yaml11.ts markers), keeping its output as `value`; the first problem, if
 * any.
 */
export function resolveExec(requests: readonly ExecRequest[], context: ExecContext): Problem | undefined {
  for (const request of requests) {
    const { command, line } = request;
    const at = (message: string, hint: string): Problem => ({
      key: `${context.file}:${line}`,
      source: `file ${context.file}`,
      message,
      hint,
    });
    if (command === null) {
      request.value = null;
      continue;
    }
    if (typeof command !== 'string')
      return at(
        'the command of an !exec node must be text',
        'write command: <program> <arguments separated by single spaces>',
      );
    const what = `!exec command ${JSON.stringify(command)}`;
    if (!context.run)
      return at(
        `${what} not run: running commands is off`,
        'load with wazoCompat: { exec: true } to run it as Wazo does, or write its output into the file',
      );
    const result = runCommand(command);
    if ('failure' in result)
      return at(`${what} failed: ${result.failure}`, 'run the command by hand to see why it fails');
    const output = context.parseOutput(result.stdout);
    if ('failure' in output)
      return at(`${what} printed invalid YAML: ${output.failure}`, 'the command must print YAML');
    request.value = output.value;
  }
  return undefined;
}
