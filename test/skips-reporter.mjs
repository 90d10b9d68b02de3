/**
 * A `node --test` reporter that lists every skipped test and suite with its reason at the end of the
 * run — a missing tool is a skip, never a silent pass (test/missing-tool.ts) — and fails the run when
 * CI=true and anything was skipped (CI installs every tool: .ci/apt-packages). Node 20's own summary
 * does not count a skipped `describe`; this list does. Plain JavaScript: the runner loads reporters
 * before `--import tsx` applies.
 */
import { relative } from 'node:path';

/** @param {AsyncIterable<{ type: string, data: { name: string, file?: string, skip?: string | boolean } }>} source */
export default async function* skipsReporter(source) {
  const skips = [];
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.skip !== undefined && event.data.skip !== false) {
      const where = event.data.file ? relative(process.cwd(), event.data.file) : '?';
      const reason = typeof event.data.skip === 'string' ? event.data.skip : 'no reason given';
      skips.push(`${where}: ${event.data.name} — ${reason}`);
    }
  }
  if (skips.length === 0) {
    yield '\nskipped: none\n';
    return;
  }
  yield `\nskipped: ${skips.length}\n${skips.map((s) => `  ${s}\n`).join('')}`;
  if (process.env.CI === 'true') {
    yield 'CI=true: a skipped test is a failure here (every tool the tests need is in .ci/apt-packages)\n';
    process.exitCode = 1;
  }
}
