/**
 * Stale reads (docs/consul.md "Stale reads"): loadConfig and watchConfig ask `?stale` with a
 * maxStale of 2 s by default; an answer whose X-Consul-LastContact is above it is asked again of
 * the leader, once; a server without a known leader is logged once per episode. Against the test
 * server's follower mode (test/consul-server/README.md).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as webhookd from '../../generated/wazo-webhookd/config.ts';
import { ConfigError, formatProblem } from '../../generator/runtime/index.ts';
import { locateConsul, parseDuration } from '../../generator/runtime/consul/locate.ts';
import { startConsulServer, type ConsulTestServer, type RecordedRequest } from '../consul-server/server.ts';
import { memoryLogger } from '../helpers.ts';
import { PREFIX, startWatching, until } from '../watch/helpers.ts';

const noFiles = { configFile: false, configDir: false } as const;
const kvReads = (server: ConsulTestServer) => server.requests.filter((r) => r.path.startsWith(`/v1/kv/${PREFIX}/`));
const mode = (r: RecordedRequest) =>
  r.query.has('stale') ? 'stale' : r.query.has('consistent') ? 'consistent' : 'default';

describe('maxStale and WAZO_CONSUL_MAX_STALE', () => {
  it('read Go durations; 0 is the default mode; anything else is a problem naming the variable', () => {
    assert.equal(parseDuration('2s'), 2_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1.5s'), 1_500);
    assert.equal(parseDuration('0'), 0);
    for (const wrong of ['2', '-1s', 's', '2 s', '', 'soon']) assert.equal(parseDuration(wrong), undefined, wrong);
    const at = (env: Record<string, string>, options = {}) => {
      const found = locateConsul({ file: false, ...options }, { WAZO_CONSUL_HOST: 'h', ...env });
      return found;
    };
    const located = at({});
    assert.ok(located.kind === 'consul');
    assert.equal(located.location.maxStaleMs, 2_000);
    const fromEnv = at({ WAZO_CONSUL_MAX_STALE: '500ms' });
    assert.ok(fromEnv.kind === 'consul' && fromEnv.location.maxStaleMs === 500);
    assert.equal(fromEnv.location.maxStaleOrigin, 'env WAZO_CONSUL_MAX_STALE');
    const option = at({ WAZO_CONSUL_MAX_STALE: '500ms' }, { maxStaleMs: 0 });
    assert.ok(option.kind === 'consul' && option.location.maxStaleMs === 0, 'the option wins over the env');
    const invalid = at({ WAZO_CONSUL_MAX_STALE: '2' });
    assert.ok(invalid.kind === 'invalid');
    assert.match(
      formatProblem(invalid.problems[0]!),
      /^WAZO_CONSUL_MAX_STALE \(env WAZO_CONSUL_MAX_STALE\): expected a duration, got "2" \(hint: write a duration such as 2s/,
    );
  });
});

describe('loadConfig’s read', () => {
  let server: ConsulTestServer;
  before(async () => {
    server = await startConsulServer({ follower: { lastContactMs: 1_500 } });
  });
  after(() => server.close());
  beforeEach(() => {
    server.setFollower({ lastContactMs: 1_500 });
    server.kv.put(`${PREFIX}/debug`, 'true');
    server.requests.length = 0;
  });

  const load = (env: Record<string, string> = {}, consul = {}) => {
    const logger = memoryLogger();
    const located = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port), ...env };
    const config = webhookd.loadConfig({ ...noFiles, env: located, logger, consul: { file: false, ...consul } });
    return { config, logger };
  };

  it('asks ?stale by default and takes a follower’s answer within 2 s of the leader', async () => {
    const { config, logger } = load();
    assert.equal((await config).debug, true);
    assert.deepEqual(kvReads(server).map(mode), ['stale']);
    assert.ok(!logger.lines.some((l) => /leader/.test(l)), logger.lines.join('\n'));
  });

  it('asks the leader again, once, when the answer is staler than maxStale (and says so at debug level)', async () => {
    server.setFollower({ lastContactMs: 3_000 });
    const { config, logger } = load();
    assert.equal((await config).debug, true);
    assert.deepEqual(kvReads(server).map(mode), ['stale', 'default']);
    assert.match(
      logger.lines.join('\n'),
      /debug: wazo-webhookd: Consul at .* answered 3000 ms behind its leader, over maxStale \(2000 ms, default\); read again from the leader/,
    );
  });

  it('WAZO_CONSUL_MAX_STALE sets the limit; 0 reads from the leader only; consistentLoad asks ?consistent', async () => {
    await load({ WAZO_CONSUL_MAX_STALE: '1s' }).config;
    assert.deepEqual(kvReads(server).map(mode), ['stale', 'default']);
    server.requests.length = 0;
    await load({ WAZO_CONSUL_MAX_STALE: '0' }).config;
    assert.deepEqual(kvReads(server).map(mode), ['default']);
    server.requests.length = 0;
    await load({}, { consistentLoad: true }).config;
    assert.deepEqual(kvReads(server).map(mode), ['consistent']);
  });

  it('an invalid WAZO_CONSUL_MAX_STALE fails the load with a problem naming it', async () => {
    const error = await load({ WAZO_CONSUL_MAX_STALE: 'soon' }).config.then(
      () => assert.fail('expected a ConfigError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /WAZO_CONSUL_MAX_STALE \(env WAZO_CONSUL_MAX_STALE\): expected a duration, got "soon"/);
  });

  it('without a leader, a recent follower copy is read and the episode logged once', async () => {
    server.setFollower({ lastContactMs: 100 });
    server.faults.setLeader(false);
    try {
      // The follower's last contact grows from the leader's loss: a wide maxStale keeps a slow machine within it.
      const { config, logger } = load({ WAZO_CONSUL_MAX_STALE: '1m' });
      assert.equal((await config).debug, true);
      assert.deepEqual(kvReads(server).map(mode), ['stale']);
      assert.equal(logger.lines.filter((l) => l.includes('no known leader')).length, 1, logger.lines.join('\n'));
      assert.match(
        logger.lines.join('\n'),
        /warn: wazo-webhookd: Consul at .* has no known leader \(X-Consul-KnownLeader: false\)/,
      );
    } finally {
      server.faults.setLeader(true);
    }
  });
});

describe('the watcher’s blocking queries', () => {
  let server: ConsulTestServer;
  before(async () => {
    server = await startConsulServer({ follower: { lastContactMs: 100 } });
  });
  after(() => server.close());

  it('ask ?stale, retry too-stale answers on the leader, and log a leaderless episode once, then its end', async () => {
    server.kv.put(`${PREFIX}/debug`, 'false');
    // A wide maxStale, so that the leaderless episode below stays within it however slow the machine.
    const consul = { file: false as const, requestTimeoutMs: 1_000, waitTimeoutMs: 2_000, maxStaleMs: 60_000 };
    const w = await startWatching(server, { blockingWaitMs: 100, consul });
    try {
      server.requests.length = 0;
      await until('two blocking queries', () => kvReads(server).filter((r) => r.query.has('index')).length >= 2);
      assert.ok(
        kvReads(server).every((r) => mode(r) === 'stale'),
        kvReads(server)
          .map((r) => r.url)
          .join('\n'),
      );

      server.setFollower({ lastContactMs: 120_000 });
      server.requests.length = 0;
      // The first request seen may be the second half of a pair already under way: look at a whole pair.
      const retried = (r: RecordedRequest, i: number) => i > 0 && mode(r) === 'default';
      await until('a retry on the leader', () => kvReads(server).some(retried));
      const reads = kvReads(server);
      const at = reads.findIndex(retried);
      const [first, second] = [reads[at - 1], reads[at]];
      assert.equal(mode(first!), 'stale');
      assert.equal(mode(second!), 'default');
      assert.equal(
        second!.query.get('index'),
        first!.query.get('index'),
        'the same blocking query, asked of the leader',
      );

      server.setFollower({ lastContactMs: 100 });
      server.faults.setLeader(false);
      server.requests.length = 0;
      await until('several leaderless answers', () => kvReads(server).length >= 4);
      server.kv.put(`${PREFIX}/debug`, 'true'); // no leader: a write still lands here, as on a follower that catches up
      await until('the change', () => w.config.debug === true);
      const leaderless = () => w.logger.lines.filter((l) => l.includes('no known leader'));
      assert.equal(leaderless().length, 1, w.logger.lines.join('\n'));
      server.faults.setLeader(true);
      await until('the leader is back', () => w.logger.lines.some((l) => l.includes('has a leader again')));
      assert.equal(leaderless().length, 1);
    } finally {
      await w.watcher.close();
    }
  });
});
