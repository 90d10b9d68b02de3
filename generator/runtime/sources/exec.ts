/**
 * Wazo's `!exec` tag (SEMANTICS.md §2): a mapping `!exec {command: …}` stands for what the command
 * prints, read as YAML. As `xivo.config_helper` runs it: the command is split on single spaces
 * (Python's `str.split(' ')`: no shell, no quoting, no globbing), stderr is not part of the value,
 * and the output may not use `!exec` itself.
 */
import { execFileSync } from 'node:child_process';
import { visit, type CollectionTag, type Document, type LineCounter, type YAMLMap } from 'yaml';
import type { Problem } from '../problems.ts';

/** Always recognised, so that an `!exec` file is named as such even when running commands is off. */
export const EXEC_TAG: CollectionTag = { tag: '!exec', collection: 'map', resolve: (map) => map };

/** How long a command may run before it counts as failed (Wazo waits forever). */
export const EXEC_TIMEOUT_MS = 60_000;

export interface ExecNode {
  node: YAMLMap;
  /** The `command` value as written; null when the mapping has none (the node then reads as null, as in Wazo). */
  command: unknown;
  /** 1-based line of the node. */
  line: number;
}

export function execNodes(doc: Document, lineCounter: LineCounter): ExecNode[] {
  const found: ExecNode[] = [];
  visit(doc, {
    Map(_key, node) {
      if (node.tag !== '!exec') return;
      const value = node.toJS(doc) as Record<string, unknown>;
      found.push({ node, command: value.command ?? null, line: lineCounter.linePos(node.range?.[0] ?? 0).line });
    },
  });
  return found;
}

export type CommandResult = { stdout: string } | { failure: string };

/** Runs `command` as Wazo does: split on single spaces, no shell. Its stdout, or why it failed. */
export function runCommand(command: string, timeoutMs = EXEC_TIMEOUT_MS): CommandResult {
  const [file = '', ...args] = command.split(' ');
  try {
    const stdout = execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return { stdout };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { status?: number | null; signal?: string | null; stderr?: string };
    if (e.code === 'ENOENT') return { failure: `command not found: ${JSON.stringify(file)}` };
    if (e.code === 'EACCES') return { failure: `not allowed to run ${JSON.stringify(file)}` };
    if (e.code === 'ETIMEDOUT') return { failure: `did not finish within ${timeoutMs / 1000} s` };
    const stderr = (e.stderr ?? '').trim().split('\n').pop()?.trim();
    const how = e.status != null ? `exited with status ${e.status}` : e.signal ? `was killed by ${e.signal}` : (e.message.split('\n')[0] ?? 'failed');
    return { failure: stderr ? `${how}: ${stderr.slice(0, 200)}` : how };
  }
}

export interface ExecContext {
  file: string;
  lineCounter: LineCounter;
  /** Run the commands (`LoadOptions.wazoCompat.exec`); otherwise each `!exec` node is a problem. */
  run: boolean;
  /** Reads a command's output as the file's YAML is read; its value, or what is wrong with it. */
  parseOutput(text: string): { value: unknown } | { failure: string };
}

/** Replaces each `!exec` node of `doc` by its command's output; the first problem, if any. */
export function resolveExec(doc: Document, context: ExecContext): Problem | undefined {
  const nodes = execNodes(doc, context.lineCounter);
  const values = new Map<YAMLMap, unknown>();
  for (const { node, command, line } of nodes) {
    const at = (message: string, hint: string): Problem => ({ key: `${context.file}:${line}`, source: `file ${context.file}`, message, hint });
    if (command === null) {
      values.set(node, null);
      continue;
    }
    if (typeof command !== 'string') return at('the command of an !exec node must be text', 'write command: <program> <arguments separated by single spaces>');
    const what = `!exec command ${JSON.stringify(command)}`;
    if (!context.run) return at(`${what} not run: running commands is off`, 'load with wazoCompat: { exec: true } to run it as Wazo does, or write its output into the file');
    const result = runCommand(command);
    if ('failure' in result) return at(`${what} failed: ${result.failure}`, 'run the command by hand to see why it fails');
    const output = context.parseOutput(result.stdout);
    if ('failure' in output) return at(`${what} printed invalid YAML: ${output.failure}`, 'the command must print YAML');
    values.set(node, output.value);
  }
  if (values.size > 0) {
    visit(doc, {
      Map(_key, node) {
        return values.has(node) ? doc.createNode(values.get(node)) : undefined;
      },
    });
  }
  return undefined;
}
