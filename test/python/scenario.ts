/**
 * A Python scenario script run as its own process (Debian's /usr/bin/python3, the runtime from
 * python/): its argument is one JSON request, each line it prints is one JSON object (a log line, an
 * event, a result), and its stdin takes the driving test's commands.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanEnv } from '../consul/helpers.ts';
import { REPO } from '../helpers.ts';
import { PYTHON } from './harness.ts';

export interface Scenario {
  lines: Record<string, unknown>[];
  send(line: string): void;
  exited: Promise<number | null>;
  kill(): void;
}

/** Starts `test/python/<script>` with the request. */
export function scenario(request: Record<string, unknown>, script = 'consul_scenario.py'): Scenario {
  const child = spawn(PYTHON, [join(REPO, 'test/python', script), JSON.stringify(request)], {
    cwd: REPO,
    env: cleanEnv({ PYTHONPATH: join(REPO, 'python'), PYTHONDONTWRITEBYTECODE: '1' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    parts.filter(Boolean).forEach((p) => lines.push(JSON.parse(p) as Record<string, unknown>));
  });
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code !== 0 && errors) lines.push({ stderr: errors });
      resolve(code);
    }),
  );
  return { lines, send: (line) => child.stdin.write(line + '\n'), exited, kill: () => child.kill('SIGKILL') };
}

/** Runs a scenario to its end: its result line, and every line it printed. */
export async function result(
  request: Record<string, unknown>,
  script?: string,
): Promise<Record<string, unknown> & { lines: Record<string, unknown>[] }> {
  const s = scenario(request, script);
  await s.exited;
  const found = s.lines.find((l) => l.result);
  assert.ok(found, JSON.stringify(s.lines));
  return { ...found, lines: s.lines };
}
