/**
 * `wazo-config exec` as PID 1 of a new PID namespace (as in a container without an init): the
 * daemon leaves orphans behind, the kernel gives them to PID 1, and once they end none stays a
 * zombie — the wrapper runs itself under `tini -s`, which reaps them. With `--reap never` the same
 * daemon finds zombies (what the test would see without reaping). Signals still reach the daemon
 * through the chain, and the exit code is still the daemon's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { missingTool } from '../missing-tool.ts';
import { until, Wrapper } from './helpers.ts';

const skip =
  (process.getuid?.() !== 0 && 'a new PID namespace needs root (CI runs as root)') ||
  missingTool('unshare', ['--pid', '--fork', '--mount-proc', 'true'], 'util-linux') ||
  missingTool('tini', ['--version'], 'tini');

// Orphans: each subshell starts a short sleep in the background and exits at once, so the sleeps are
// re-parented to the reaper of the namespace. Once they have ended, the daemon counts the namespace's
// zombies from /proc (the namespace's own, mounted by --mount-proc) and exits 0 only when there are none.
const LEAVES_ORPHANS = [
  'for i in 1 2 3; do (sleep 0.1 &); done',
  'sleep 1.5',
  'zombies=$(grep -h "^State:" /proc/[0-9]*/status | grep -c zombie)',
  'echo "zombies in the namespace: $zombies"',
  'test "$zombies" -eq 0',
].join('; ');

describe('wazo-config exec as PID 1 of a PID namespace', { skip }, () => {
  let dir: string;
  const env = () => {
    const { WAZO_CONSUL_HOST: _host, WAZO_CONSUL_URL: _url, ...rest } = process.env;
    return { ...rest, WAZO_CONSUL_FILE: '' };
  };
  const asPid1 = (args: string[], daemon: string) =>
    new Wrapper(['kamailio', '--render-dir', dir, ...args, '--', 'sh', '-c', daemon], env(), [
      'unshare',
      '--pid',
      '--fork',
      '--mount-proc',
    ]);

  before(() => (dir = mkdtempSync(join(tmpdir(), 'wazo-exec-pid1-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves no zombie: the orphans are reaped under tini', async () => {
    const wrapper = asPid1([], LEAVES_ORPHANS);
    const { code } = await wrapper.exited;
    assert.ok(wrapper.lines.includes('zombies in the namespace: 0'), wrapper.lines.join('\n'));
    assert.equal(code, 0);
  });

  it('leaves zombies with --reap never (what reaping prevents)', async () => {
    const wrapper = asPid1(['--reap', 'never'], LEAVES_ORPHANS);
    const { code } = await wrapper.exited;
    assert.ok(
      wrapper.lines.some((l) => /^zombies in the namespace: [1-9]/.test(l)),
      wrapper.lines.join('\n'),
    );
    assert.equal(code, 1, 'the daemon’s exit code');
  });

  it('passes SIGTERM through tini to the daemon and exits with its code', async () => {
    const wrapper = asPid1([], 'trap "echo daemon got SIGTERM; exit 7" TERM; echo daemon up; sleep 60 & wait');
    await wrapper.line(/^daemon up$/);
    // The namespace's PID 1 is unshare's child; it is signalled as `docker stop` signals a container.
    const unshare = wrapper.pid;
    const pid1 = await until('the namespace’s PID 1', () =>
      Number(readFileSync(`/proc/${unshare}/task/${unshare}/children`, 'utf8').trim().split(' ')[0]),
    );
    process.kill(pid1, 'SIGTERM');
    const { code } = await wrapper.exited;
    assert.ok(wrapper.lines.includes('daemon got SIGTERM'), wrapper.lines.join('\n'));
    assert.equal(code, 7);
  });
});
