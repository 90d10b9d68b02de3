/**
 * Runs the Python test suite (test/python/test_*.py) with Debian's /usr/bin/python3 and pytest, so
 * that `npm test` covers the Python runtime too. pytest's exit 5 ("no tests collected") fails here
 * like any other: the suite must have run, and have run all of its tests.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { REPO } from '../helpers.ts';
import { PYTHON } from './harness.ts';

it('the Python suite passes under pytest', () => {
  const done = spawnSync(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', join(REPO, 'test/python')], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    timeout: 600_000,
  });
  const summary = done.stdout.trim().split('\n').pop() ?? '';
  assert.equal(
    done.status,
    0,
    `pytest exited with ${done.status}:\n${done.stdout.slice(-4000)}\n${done.stderr.slice(-2000)}`,
  );
  const passed = Number(/(\d+) passed/.exec(summary)?.[1] ?? 0);
  assert.ok(passed >= 12, summary);
  assert.doesNotMatch(summary, /skipped|xfail|deselected/, summary);
});
