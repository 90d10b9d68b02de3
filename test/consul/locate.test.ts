/**
 * Locating Consul (env → /etc/wazo-platform/consul → defaults), the EnvironmentFile syntax, the backoff, the progress
 * bar.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseEnvironmentFile } from '../../generator/runtime/consul/environment-file.ts';
import { ConsulFailure } from '../../generator/runtime/consul/client.ts';
import { locateConsul, type ConsulLocation, type ConsulOptions } from '../../generator/runtime/consul/locate.ts';
import type { WaitClock } from '../../generator/runtime/clock.ts';
import { ConsulUnavailable, waitForConsul } from '../../generator/runtime/consul/wait.ts';
import { formatProblem } from '../../generator/runtime/problems.ts';
import { Progress } from '../../generator/commands/consul-cli.ts';
import { memoryLogger, tempRoot } from '../helpers.ts';

function located(options: ConsulOptions, env: Record<string, string> = {}): ConsulLocation {
  const result = locateConsul({ file: false, ...options }, env);
  assert.equal(result.kind, 'consul', JSON.stringify(result));
  return (result as { location: ConsulLocation }).location;
}

function fileWith(text: string): string {
  const path = join(tempRoot(), 'consul');
  writeFileSync(path, text);
  return path;
}

describe('locating Consul', () => {
  it('is off, with the reason, when nothing locates it', () => {
    assert.deepEqual(locateConsul({ file: false }, {}), {
      kind: 'off',
      reason: 'nothing locates Consul (no WAZO_CONSUL_HOST or other WAZO_CONSUL_* variable)',
    });
    const missing = join(tempRoot(), 'absent');
    assert.match(
      (locateConsul({ file: missing }, { WAZO_AUTH_DEBUG: 'true' }) as { reason: string }).reason,
      new RegExp(`no ${missing}\\)$`),
    );
  });

  it('takes each variable from the env, else the file, else the defaults', () => {
    const file = fileWith('WAZO_CONSUL_HOST=consul.from.file\nWAZO_CONSUL_PORT=8501\n');
    const location = located({ file }, { WAZO_CONSUL_HOST: 'consul.from.env' });
    assert.equal(location.url, 'http://consul.from.env:8501');
    assert.equal(location.how, `env WAZO_CONSUL_HOST; file ${file} (WAZO_CONSUL_PORT); default scheme`);
    assert.equal(location.waitTimeoutMs, 60_000);
    const defaults = located({}, { WAZO_CONSUL_TOKEN: 't' });
    assert.equal(defaults.url, 'http://consul:8500');
    assert.equal(defaults.how, 'default host, port, scheme');
    assert.equal(defaults.token, 't');
    assert.equal(defaults.tokenOrigin, 'env WAZO_CONSUL_TOKEN');
  });

  it('uses the file alone, token and CA included', () => {
    const file = fileWith(
      '; comment\n# another\nWAZO_CONSUL_SCHEME=https\nWAZO_CONSUL_TOKEN="abc"\nWAZO_CONSUL_CACERT=/etc/ssl/consul-ca.pem\nWAZO_CONSUL_WAIT_TIMEOUT=2.5\n',
    );
    const location = located({ file });
    assert.equal(location.url, 'https://consul:8500');
    assert.equal(location.token, 'abc');
    assert.equal(location.tokenOrigin, `file ${file}`);
    assert.equal(location.caFile, '/etc/ssl/consul-ca.pem');
    assert.equal(location.waitTimeoutMs, 2500);
  });

  it('lets the program’s options win, and a URL set host, port and scheme', () => {
    const location = located({ url: 'https://[::1]:9500', origin: '--consul-url' }, { WAZO_CONSUL_HOST: 'ignored' });
    assert.equal(location.url, 'https://[::1]:9500');
    assert.equal(location.how, '--consul-url');
    assert.equal(located({ url: 'http://c' }).port, 8500);
    assert.equal(located({ required: true }).url, 'http://consul:8500');
  });

  it('can be disabled by env or file, unless required', () => {
    assert.deepEqual(locateConsul({ file: false }, { WAZO_CONSUL_HOST: 'h', WAZO_CONSUL_DISABLED: 'yes' }), {
      kind: 'off',
      reason: 'disabled by env WAZO_CONSUL_DISABLED',
    });
    const file = fileWith('WAZO_CONSUL_DISABLED=true\n');
    assert.deepEqual(locateConsul({ file }, {}), { kind: 'off', reason: `disabled by file ${file}` });
    assert.equal(locateConsul({ file, required: true }, {}).kind, 'consul');
    assert.equal(locateConsul({ file }, { WAZO_CONSUL_DISABLED: 'false' }).kind, 'consul');
  });

  it('reports invalid variables as problems', () => {
    const result = locateConsul(
      { file: false },
      {
        WAZO_CONSUL_PORT: 'http',
        WAZO_CONSUL_SCHEME: 'ftp',
        WAZO_CONSUL_WAIT_TIMEOUT: '-1',
        WAZO_CONSUL_DISABLED: 'maybe',
      },
    );
    assert.equal(result.kind, 'invalid');
    assert.deepEqual((result as { problems: Parameters<typeof formatProblem>[0][] }).problems.map(formatProblem), [
      'WAZO_CONSUL_DISABLED (env WAZO_CONSUL_DISABLED): expected a boolean, got "maybe" (hint: write true or false (also 1/0, yes/no, on/off))',
      'WAZO_CONSUL_PORT (env WAZO_CONSUL_PORT): expected a port number, got "http" (hint: write a whole number from 1 to 65535, such as 8500)',
      'WAZO_CONSUL_SCHEME (env WAZO_CONSUL_SCHEME): expected http or https, got "ftp" (hint: write http or https)',
      'WAZO_CONSUL_WAIT_TIMEOUT (env WAZO_CONSUL_WAIT_TIMEOUT): expected a number of seconds, got "-1" (hint: write a number such as 60, or 0 for a single attempt)',
    ]);
    assert.equal(locateConsul({ file: false, url: 'consul:8500' }, {}).kind, 'invalid');
  });
});

describe('the EnvironmentFile syntax', () => {
  it('reads systemd EnvironmentFile lines', () => {
    const vars = parseEnvironmentFile(
      [
        '# comment',
        '; comment too',
        '',
        'A=plain value  ',
        'B = "double \\"quoted\\" # not a comment"',
        "C='single $NOT_EXPANDED'",
        'D=con\\',
        'tinued',
        'E=x#y',
        'not a variable line',
        'export F=1',
      ].join('\r\n'),
    );
    assert.deepEqual(Object.fromEntries(vars), {
      A: 'plain value',
      B: 'double "quoted" # not a comment',
      C: 'single $NOT_EXPANDED',
      D: 'continued',
      E: 'x#y',
      F: '1',
    });
  });
});

describe('the backoff', () => {
  const location = located({
    url: 'http://consul:8500',
    waitTimeoutMs: 30_000,
    backoff: { initialMs: 250, maxMs: 4000 },
  });

  function fakeClock(random: number): WaitClock & { sleeps: number[] } {
    let now = 0;
    const sleeps: number[] = [];
    return {
      sleeps,
      now: () => now,
      random: () => random,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    };
  }

  it('doubles up to the cap, with jitter, logging each attempt, then gives up with one problem', async () => {
    for (const random of [0, 0.999]) {
      const clock = fakeClock(random);
      const logger = memoryLogger();
      const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:8500'), { code: 'ECONNREFUSED' });
      const error = await waitForConsul(
        location,
        'wazo-auth',
        'config/wazo-auth',
        logger,
        async () => Promise.reject(refused),
        clock,
      ).then(
        () => assert.fail('expected to give up'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ConsulUnavailable);
      const factor = 0.5 + random / 2;
      const expected = [250, 500, 1000, 2000, 4000].map((ms) => Math.round(ms * factor));
      assert.deepEqual(clock.sleeps.slice(0, 5), expected);
      assert.ok(clock.sleeps.slice(5).every((ms) => ms <= 4000));
      assert.equal(
        clock.sleeps.reduce((a, b) => a + b, 0),
        30_000,
        'the last sleep ends at the deadline',
      );
      assert.equal(logger.lines.length, clock.sleeps.length);
      assert.match(
        logger.lines[0]!,
        /^info: wazo-auth: Consul at http:\/\/consul:8500 \(located by the program's options\) is not reachable: connect ECONNREFUSED 10\.0\.0\.1:8500; attempt 1, retrying in 0\.\d s \(waiting up to 30 s in all\)$/,
      );
      assert.match(
        formatProblem(error.problem),
        /^consul http:\/\/consul:8500 \(located by the program's options\): Consul did not answer within 30 s \(\d+ attempts\); last error: connect ECONNREFUSED/,
      );
    }
  });

  it('does not wait for what needs a person', async () => {
    const clock = fakeClock(0.5);
    const error = await waitForConsul(
      location,
      'x',
      'config/x',
      memoryLogger(),
      async () => Promise.reject(new ConsulFailure('acl', '403 ACL not found', false, 403)),
      clock,
    ).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConsulUnavailable);
    assert.equal(clock.sleeps.length, 0);
  });

  it('returns as soon as an attempt succeeds', async () => {
    const clock = fakeClock(0.5);
    let calls = 0;
    const value = await waitForConsul(
      location,
      'x',
      'config/x',
      memoryLogger(),
      async () => {
        if (++calls < 3) throw Object.assign(new Error('getaddrinfo ENOTFOUND consul'), { code: 'ENOTFOUND' });
        return 'ok';
      },
      clock,
    );
    assert.equal(value, 'ok');
    assert.equal(clock.sleeps.length, 2);
  });
});

describe('the seed progress bar', () => {
  const stream = (isTTY: boolean) => {
    const chunks: string[] = [];
    return { chunks, isTTY, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream & {
      chunks: string[];
    };
  };

  it('draws on a terminal when there are many keys, and stays silent otherwise', () => {
    const tty = stream(true);
    const bar = new Progress(128, tty);
    bar.add(64);
    bar.add(64);
    bar.end();
    assert.deepEqual(tty.chunks, [
      `\r[${'-'.repeat(30)}] 0/128 keys`,
      `\r[${'#'.repeat(15)}${'-'.repeat(15)}] 64/128 keys`,
      `\r[${'#'.repeat(30)}] 128/128 keys`,
      '\n',
    ]);
    for (const [total, isTTY] of [
      [128, false],
      [10, true],
    ] as const) {
      const quiet = stream(isTTY);
      const silent = new Progress(total, quiet);
      silent.add(10);
      silent.end();
      assert.deepEqual(quiet.chunks, []);
    }
  });
});
