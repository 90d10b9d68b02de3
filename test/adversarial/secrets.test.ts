/**
 * Secrets never printed: every watch event logged the ways programs log (console.log →
 * util.inspect, JSON.stringify, String) with a secret changed, and the migration tools' output.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { watchConfig } from '../../generated/wazo-auth/config.ts';
import type { WatchEvent } from '../../generator/runtime/index.ts';
import { memoryLogger } from '../helpers.ts';
import { files, load, type Config } from './helpers.ts';

const OLD = 'postgresql://asterisk:OLD-SECRET@localhost/asterisk';
const NEW = 'postgresql://asterisk:NEW-SECRET@localhost/asterisk';
const TOKEN = 'CONSUL-TOKEN-SECRET';

/** Every way a program may print an event. */
function printed(event: unknown): string {
  return [
    inspect(event, { depth: 20 }),
    JSON.stringify(event),
    String((event as { message?: string }).message ?? ''),
  ].join('\n');
}

describe('watch events print with secrets masked', () => {
  it(
    'change, restartRequired and invalid (a file reloaded), error (an unreachable Consul with a token)',
    { timeout: 60_000 },
    async () => {
      const dir = files({ 'config.yml': `db_uri: ${OLD}\nlog_level: info\n` });
      const file = join(dir, 'config.yml');
      const options = {
        configFile: file,
        configDir: false as const,
        env: {},
        consul: false as const,
        logger: memoryLogger(),
      };
      const config: Config = await load(options);
      const events: WatchEvent<Config>[] = [];
      const record = (e: WatchEvent<Config>) => void events.push(e);
      const watcher = watchConfig(
        config,
        { change: record, restartRequired: record, invalid: record, error: record, reconnected: record },
        { ...options, restart: 'emit', sighup: false, wait: { minMs: 0 } },
      );
      try {
        await watcher.ready;
        writeFileSync(file, `db_uri: ${NEW}\nlog_level: debug\n`);
        await watcher.reload();
        writeFileSync(file, `db_uri: [${NEW}]\nlog_level: 5\n`);
        await watcher.reload().catch(() => undefined); // an invalid reload rejects, after the invalid event
      } finally {
        await watcher.close();
      }
      assert.deepEqual(events.map((e) => e.type).sort(), ['change', 'invalid', 'restartRequired']);
      for (const event of events) {
        const text = printed(event);
        assert.ok(
          !text.includes('OLD-SECRET') && !text.includes('NEW-SECRET'),
          `${event.type} printed a secret:\n${text}`,
        );
      }
      const restart = events.find((e) => e.type === 'restartRequired')!;
      assert.equal((restart as { next: Config }).next.db_uri, NEW, 'the program still gets the real value');
      assert.match(JSON.stringify(restart), /"db_uri":"\*\*\*\*\*"/);
      assert.match(inspect(restart, { depth: 5 }), /db_uri: '\*\*\*\*\*'/);

      writeFileSync(file, `db_uri: ${NEW}\n`);
      const errors: WatchEvent<Config>[] = [];
      const offline = watchConfig(
        await load(options),
        { error: (e) => void errors.push(e) },
        {
          ...options,
          consul: { url: 'http://127.0.0.1:9', token: TOKEN, waitTimeoutMs: 0, backoff: { initialMs: 10, maxMs: 20 } },
          wait: { minMs: 0 },
          sighup: false,
        },
      );
      try {
        for (let n = 0; n < 100 && errors.length === 0; n++) await new Promise((r) => setTimeout(r, 50));
      } finally {
        await offline.close();
      }
      assert.ok(errors.length > 0, 'an error event');
      for (const event of errors) assert.ok(!printed(event).includes(TOKEN), printed(event));
    },
  );
});
