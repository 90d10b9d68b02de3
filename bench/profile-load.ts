/**
 * Not a bench: a CPU profile of wazo-config's load op alone (set-up and generation left out).
 *   node --conditions=wazo-config-source --import tsx bench/profile-load.ts [settings=1000] [seconds=5]
 * [out=$TMPDIR/wazo-config-load-<settings>.cpuprofile]
 * Open the file in Chrome DevTools (Performance → Load profile) or any .cpuprofile viewer.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFixtures } from './load-config.ts';

const size = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 5);
const out = process.argv[4] ?? join(tmpdir(), `wazo-config-load-${size}.cpuprofile`);

const { project, fixtures } = await loadFixtures([size]);
const session = new Session();
try {
  const { load } = fixtures[0]!;
  for (let n = 0; n < 50; n++) await load();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const end = performance.now() + seconds * 1000;
  let runs = 0;
  for (; performance.now() < end; runs++) await load();
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(out, JSON.stringify(profile));
  console.log(`${runs} loads of ${size} settings: ${((seconds * 1000) / runs).toFixed(3)} ms each; profile in ${out}`);
} finally {
  session.disconnect();
  project.dispose();
}
