/**
 * Consul: `wazo-config seed` of 10,000 keys (requests and time, first run and the idempotent second
 * run), and a generated loader reading a 1,000-key prefix at start (requests per load and time),
 * both against the Consul-compatible test server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consulSeedEmitter } from '../generator/emit/consul-seed.ts';
import { loadModels } from '../generator/index.ts';
import { encode } from '../generator/runtime/codec.ts';
import { startConsulServer } from '../test/consul-server/server.ts';
import { loadFixtures, silent } from './load-config.ts';
import { ensureBuilt, REPO, tempProject } from './project.ts';
import type { Bench } from './section.ts';
import { compare, formatMs, timed } from './stats.ts';
import { syntheticService } from './synthetic-schema.ts';

const SEED_KEYS = 10_000;
/** A seed that finds every key already there. */
const SEED_NOTHING_TARGET_MS = 1000;

const bench: Bench = {
  name: 'consul',
  order: 50,
  async run() {
    const server = await startConsulServer({ maxRecordedRequests: 100_000 });
    const project = tempProject('consul');
    try {
      // Seeding: the real (compiled) command, as an operator runs it, in a child process.
      ensureBuilt();
      const big = syntheticService(SEED_KEYS);
      project.addSchema(big.name, big.schema);
      const [model] = await loadModels(project.root);
      const [seedFile] = await consulSeedEmitter.emit(model!, { root: project.root });
      mkdirSync(join(project.root, 'generated', big.name), { recursive: true });
      writeFileSync(join(project.root, 'generated', seedFile!.path), seedFile!.contents);
      const seedRun = async () => {
        const before = server.requests.length;
        // Asynchronous: the test server answers from this same process.
        const { ms } = await timed(() =>
          promisify(execFile)(
            process.execPath,
            [join(REPO, 'bin', 'wazo-config.js'), 'seed', big.name, '--defaults', '--consul-url', server.url],
            {
              env: { ...process.env, WAZO_CONFIG_ROOT: project.root },
            },
          ),
        );
        const requests = server.requests.slice(before);
        return { ms, total: requests.length, txns: requests.filter((r) => r.path === '/v1/txn').length };
      };
      const first = await seedRun();
      const keys = server.kv.keys(`config/${big.name}/`).length;
      const second = await seedRun();

      // Reading at start: a generated loader over a seeded 1,000-key prefix.
      const { project: loadProject, fixtures } = await loadFixtures([1000]);
      const fixture = fixtures[0]!;
      for (const setting of fixture.loader.service.settings) {
        if (setting.default !== undefined) server.kv.put(setting.consulKey, encode(setting.default, setting));
      }
      const options = {
        configFile: false as const,
        configDir: false as const,
        env: {},
        logger: silent,
        consul: { url: server.url },
      };
      const before = server.requests.length;
      await fixture.loader.loadConfig(options);
      const perLoad = server.requests.length - before;
      const timing = (await compare(new Map([['load', () => fixture.loader.loadConfig(options)]]))).get('load')!;
      loadProject.dispose();

      return {
        title: 'Consul: seeding and reading at start',
        intro: [
          `Against the Consul-compatible test server on loopback. Seeding runs the compiled \`wazo-config seed\` as a child process (its time includes starting Node and reading the schema, which seed does not check or compile: generate did); the read is a generated loader's \`loadConfig()\` over a seeded prefix.`,
        ],
        tables: [
          {
            columns: ['operation', 'keys', 'HTTP requests', 'transactions', 'time', 'target', 'met'],
            numeric: [1, 2, 3, 4],
            rows: [
              [
                'seed, first run (creates every key)',
                String(keys),
                String(first.total),
                String(first.txns),
                formatMs(first.ms),
                '',
                '',
              ],
              [
                'seed, second run (writes nothing)',
                String(keys),
                String(second.total),
                String(second.txns),
                formatMs(second.ms),
                `≤ ${formatMs(SEED_NOTHING_TARGET_MS)}`,
                second.ms <= SEED_NOTHING_TARGET_MS ? 'yes' : '**no**',
              ],
              [
                'loadConfig() reading a 1,000-key prefix (median)',
                '1000',
                String(perLoad),
                '0',
                formatMs(timing.median),
                '',
                '',
              ],
            ],
          },
        ],
        notes: [
          `Seeding writes in transactions of at most 64 operations: ${first.txns} for ${keys} keys, plus one recursive read.`,
          `Loading reads the whole prefix with ${perLoad} recursive query, whatever the number of keys.`,
        ],
      };
    } finally {
      project.dispose();
      await server.close();
    }
  },
};

export default bench;
