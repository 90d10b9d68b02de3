/**
 * The Python runtime's Consul side over real HTTP, against the Consul-compatible test server
 * started from Node: one recursive read per load (same config, sources and problems as the
 * TypeScript loader), ACL refusal, an unreachable Consul waited for then one clear error,
 * `x-discover` from Consul health, registration with a TTL check and deregistration, and the
 * watcher's events. Each scenario is one Python process (test/python/consul_scenario.py).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Consul from 'consul';
import * as webhookd from '../../generated/wazo-webhookd/config.ts';
import { ConfigError, type LoadOptions } from '../../generator/runtime/index.ts';
import { FAST_BLOCKING } from '../consul-server/harness.ts';
import { startConsulServer, type ConsulTestServer } from '../consul-server/server.ts';
import { freePort } from '../consul/helpers.ts';
import { memoryLogger } from '../helpers.ts';
import { until } from '../watch/helpers.ts';
import { result, scenario } from './scenario.ts';

const PREFIX = 'config/wazo-webhookd';

/** What the TypeScript loader gives with the same env: config and sources, or the problems. */
async function typescript(
  env: Record<string, string>,
  consul: Record<string, unknown> = { file: false },
  options: LoadOptions<webhookd.Config> = {},
): Promise<Record<string, unknown>> {
  try {
    const { config, tree } = await webhookd.resolveConfigWithSources({
      env,
      configFile: false,
      configDir: false,
      consul,
      logger: memoryLogger(),
      pemFiles: false,
      ...options,
    });
    return {
      result: 'config',
      config: JSON.parse(JSON.stringify(config)),
      sources: Object.fromEntries(webhookd.service.settings.map((s) => [s.path.join('.'), tree.sourceOf(s.path)])),
    };
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return {
      result: 'problems',
      problems: error.problems.map((p) => JSON.parse(JSON.stringify(p))),
      message: error.message,
    };
  }
}

describe('the Python runtime against the Consul test server', () => {
  let server: ConsulTestServer;
  let consul: Consul;
  let env: Record<string, string>;
  before(async () => {
    server = await startConsulServer({ blocking: FAST_BLOCKING });
    consul = new Consul(server.clientOptions);
    env = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) };
  });
  after(async () => {
    consul.destroy();
    await server.close();
  });

  it('reads the prefix with one query: the same config and sources as the TypeScript loader, then the same problems', async () => {
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    server.kv.put(`${PREFIX}/bus/port`, '5673');
    server.kv.put(`${PREFIX}/rest_api/cors/allow_headers`, 'Content-Type, X-Auth-Token');
    server.kv.put(`${PREFIX}/db_uri`, 'postgresql://u:secret@db/webhookd');
    server.kv.put(`${PREFIX}/log_levle`, 'debug');
    const py = await result({ scenario: 'load', env });
    assert.equal(py.result, 'config', JSON.stringify(py.lines));
    const { lines: _lines, ...outcome } = py;
    assert.deepEqual(outcome, await typescript(env));
    assert.equal((py.sources as Record<string, string>).log_level, `consul ${PREFIX}/log_level`);
    assert.ok(
      py.lines.some((l) =>
        String(l.message).includes(
          `unknown key log_levle (consul ${PREFIX}/log_levle): did you mean ${PREFIX}/log_level?`,
        ),
      ),
      JSON.stringify(py.lines),
    );

    server.kv.put(`${PREFIX}/bus/port`, 'five');
    server.kv.put(`${PREFIX}/bus/password`, '');
    server.kv.put(`${PREFIX}/db_uri`, '["not", "text"]');
    const bad = await result({ scenario: 'load', env: { ...env, WAZO_WEBHOOKD_REST_API_PORT: '0' } });
    const { lines: _l, ...badOutcome } = bad;
    assert.deepEqual(badOutcome, await typescript({ ...env, WAZO_WEBHOOKD_REST_API_PORT: '0' }));
    assert.match(
      String(bad.message),
      /bus\.port \(consul config\/wazo-webhookd\/bus\/port\): expected an integer, got "five"/,
    );
    server.kv.delete(`${PREFIX}/`, { recurse: true });
  });

  it('x-discover: the auth group takes the passing wazo-auth instance, as in TypeScript', async () => {
    await consul.agent.service.register({
      name: 'wazo-auth',
      id: 'auth-1',
      address: '10.1.2.3',
      port: 9497,
      meta: { scheme: 'https' },
    });
    try {
      const py = await result({ scenario: 'load', env });
      const { lines: _lines, ...outcome } = py;
      assert.deepEqual(outcome, await typescript(env));
      const config = py.config as { auth: Record<string, unknown> };
      assert.deepEqual([config.auth.host, config.auth.port, config.auth.https], ['10.1.2.3', 9497, true]);
      assert.equal((py.sources as Record<string, string>)['auth.host'], 'discovered wazo-auth');
      const overridden = await result({ scenario: 'load', env: { ...env, WAZO_WEBHOOKD_AUTH_HOST: 'auth.example' } });
      assert.equal(
        (overridden.config as { auth: { host: string } }).auth.host,
        'auth.example',
        'env wins over discovery',
      );
    } finally {
      await consul.agent.service.deregister('auth-1');
    }
  });

  it('waits for dependencies: returns once wazo-auth passes, and says who is missing after the timeout', async () => {
    const waiting = scenario({
      scenario: 'load',
      env,
      options: { wait_for_dependencies: { timeout_ms: 20_000, block_ms: 500 } },
    });
    await until(
      'waiting logged',
      () => waiting.lines.some((l) => String(l.message).includes('waiting for wazo-auth: no passing instance')),
      15_000,
    );
    await consul.agent.service.register({ name: 'wazo-auth', id: 'auth-2', address: '10.1.2.4', port: 9497 });
    try {
      assert.equal(await waiting.exited, 0);
      assert.equal(waiting.lines.find((l) => l.result)?.result, 'config', JSON.stringify(waiting.lines));
      assert.ok(
        waiting.lines.some((l) => String(l.message).includes('wazo-auth is up at 10.1.2.4:9497')),
        JSON.stringify(waiting.lines),
      );
    } finally {
      await consul.agent.service.deregister('auth-2');
    }
    const missing = await result({
      scenario: 'load',
      env,
      options: { wait_for_dependencies: { timeout_ms: 600, block_ms: 200 } },
    });
    assert.equal(missing.result, 'problems');
    assert.deepEqual(
      (missing.problems as { key: string; source: string }[]).map((p) => `${p.key} (${p.source})`),
      ['dependency wazo-auth (consul health/service/wazo-auth?passing)'],
    );
  });

  it('registers with a TTL check that passes, and deregisters on stop', async () => {
    const running = scenario({
      scenario: 'register',
      env,
      settings: {
        enabled: true,
        advertise_address: '127.0.0.1',
        advertise_port: 9300,
        ttl_interval: 30,
        refresh_interval: 1,
        retry_interval: 1,
      },
    });
    try {
      await until('registered', () => running.lines.some((l) => l.result === 'registered'), 15_000);
      const registered = running.lines.find((l) => l.result === 'registered')!;
      const health = (await consul.health.service({ service: 'wazo-webhookd', passing: true })) as {
        Service: { ID: string; Port: number; Meta: Record<string, string> };
      }[];
      assert.deepEqual(
        health.map((h) => [h.Service.ID, h.Service.Port, h.Service.Meta.scheme]),
        [[registered.id, 9300, 'http']],
      );
      running.send('stop');
      assert.equal(await running.exited, 0);
      assert.equal(running.lines.find((l) => l.result === 'stopped')?.state, 'stopped');
      assert.deepEqual(await consul.health.service({ service: 'wazo-webhookd' }), []);
    } finally {
      running.kill();
    }
  });

  it('watches: a live key applied, a restart-only key reported, an invalid value refused', async () => {
    const watching = scenario({ scenario: 'watch', env });
    try {
      await until('ready', () => watching.lines.some((l) => l.result === 'ready'), 15_000);
      server.kv.put(`${PREFIX}/log_level`, 'debug');
      await until('change', () =>
        watching.lines.some((l) => l.event === 'change' && String(l.detail).includes('log_level: "info" → "debug"')),
      );
      server.kv.put(`${PREFIX}/rest_api/port`, '9999');
      await until('restart required', () =>
        watching.lines.some(
          (l) => l.event === 'restart_required' && String(l.detail).includes('rest_api.port: 9300 → 9999'),
        ),
      );
      server.kv.put(`${PREFIX}/log_level`, 'loud');
      await until('invalid', () =>
        watching.lines.some(
          (l) =>
            l.event === 'invalid' &&
            String(l.detail).includes('log_level (consul config/wazo-webhookd/log_level): expected one of'),
        ),
      );
      // Logged as one line (a log record), the problem and what happens next on it.
      const logged = watching.lines.find(
        (l) => l.log === 'error' && String(l.message).includes('invalid configuration'),
      );
      assert.match(
        String(logged?.message),
        /^wazo-webhookd: invalid configuration \(1 problem\): log_level \(consul config\/wazo-webhookd\/log_level\): expected one of .*; change rejected: the last good configuration stays in use$/,
      );
      assert.doesNotMatch(String(logged?.message), /\n/);
      watching.send('show');
      await until('config shown', () => watching.lines.some((l) => l.result === 'config'));
      assert.equal(watching.lines.find((l) => l.result === 'config')?.log_level, 'debug', 'the last good value stays');
      watching.send('stop');
      assert.equal(await watching.exited, 0);
    } finally {
      watching.kill();
      server.kv.delete(`${PREFIX}/`, { recurse: true });
    }
  });

  it("watches: an env variable hiding Consul's new value is said once per key, secrets masked (as in TypeScript)", async () => {
    const pinned = { ...env, WAZO_WEBHOOKD_LOG_LEVEL: 'warning', WAZO_WEBHOOKD_BUS_PASSWORD: 'from-env' };
    const watching = scenario({ scenario: 'watch', env: pinned });
    const hidden = () =>
      watching.lines.filter((l) => l.log === 'warning' && String(l.message).includes('is hidden by'));
    try {
      await until('ready', () => watching.lines.some((l) => l.result === 'ready'), 15_000);
      server.kv.put(`${PREFIX}/log_level`, 'debug');
      server.kv.put(`${PREFIX}/bus/password`, 'hunter2');
      await until('the hidden-value lines', () => hidden().length === 2);
      assert.deepEqual(
        hidden()
          .map((l) => l.message)
          .sort(),
        [
          `wazo-webhookd: bus.password: Consul's new value ***** at ${PREFIX}/bus/password is hidden by ` +
            "env WAZO_WEBHOOKD_BUS_PASSWORD (*****): a restart would not apply it either; remove WAZO_WEBHOOKD_BUS_PASSWORD from the service's environment for Consul to apply (said once per key)",
          `wazo-webhookd: log_level: Consul's new value "debug" at ${PREFIX}/log_level is hidden by ` +
            'env WAZO_WEBHOOKD_LOG_LEVEL ("warning"): live changes of this key do not apply; remove WAZO_WEBHOOKD_LOG_LEVEL from the service\'s environment for Consul to apply (said once per key)',
        ],
      );
      server.kv.put(`${PREFIX}/log_level`, 'error');
      server.kv.put(`${PREFIX}/rest_api/port`, '9999');
      await until('the next cycle', () => watching.lines.some((l) => l.event === 'restart_required'));
      assert.equal(hidden().length, 2, 'once per key, not per change');
      assert.ok(
        !JSON.stringify(watching.lines).includes('hunter2') && !JSON.stringify(watching.lines).includes('from-env'),
      );
      watching.send('stop');
      assert.equal(await watching.exited, 0);
    } finally {
      watching.kill();
      server.kv.delete(`${PREFIX}/`, { recurse: true });
    }
  });
});

describe('the Python runtime when Consul is not there or refuses', () => {
  it('an unreachable Consul: waited for with one log line per attempt, then one clear problem (as in TypeScript)', async () => {
    const port = await freePort();
    const env = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(port), WAZO_CONSUL_WAIT_TIMEOUT: '0.8' };
    const py = await result({
      scenario: 'load',
      env,
      consul: { file: false, backoff: { initial_ms: 100, max_ms: 200 } },
    });
    const ts = await typescript(env, { file: false, backoff: { initialMs: 100, maxMs: 200 } });
    const only = (o: Record<string, unknown>) =>
      (o.problems as { key: string; source: string; hint: string }[]).map((p) => [p.key, p.source, p.hint]);
    assert.deepEqual(only(py), only(ts));
    assert.match(
      String(py.message),
      new RegExp(
        `consul http://127.0.0.1:${port} \\(located by env WAZO_CONSUL_HOST, WAZO_CONSUL_PORT; default scheme\\): Consul did not answer within 0.8 s \\(\\d+ attempts\\); last error: connect ECONNREFUSED`,
      ),
    );
    assert.ok(
      py.lines.filter((l) => /is not reachable: .*; attempt \d+, retrying in/.test(String(l.message))).length >= 2,
      JSON.stringify(py.lines),
    );
  });

  it('health hidden by a default-deny policy from a request without a token is a denial, not "no instance", as in TypeScript', async () => {
    // The anonymous token may read the KV prefix but not wazo-auth's health: Consul then answers an empty list
    // without the filtered header (it masks it for requests without a token), and only its default policy tells.
    const server = await startConsulServer({
      blocking: FAST_BLOCKING,
      acl: { defaultPolicy: 'deny', tokens: { root: 'management' }, anonymous: { key_prefix: { 'config/': 'read' } } },
    });
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    const registered = await fetch(`${server.url}/v1/agent/service/register`, {
      method: 'PUT',
      headers: { 'X-Consul-Token': 'root' },
      body: JSON.stringify({ Name: 'wazo-auth', ID: 'auth-hidden', Address: '10.9.9.9', Port: 9497 }),
    });
    assert.equal(registered.status, 200);
    const denied =
      /^Consul denied reading the health of wazo-auth: ACLs deny by default and no token was given \(X-Consul-Default-Acl-Policy: deny\), so Consul answers as if there were no instances of wazo-auth$/;
    try {
      const env = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) };
      // x-discover: the auth group is not silently left to the other sources.
      const discovered = await result({ scenario: 'load', env });
      assert.equal(discovered.result, 'problems', JSON.stringify(discovered));
      assert.deepEqual(discovered.problems, (await typescript(env)).problems);
      const [problem] = discovered.problems as { message: string; hint: string }[];
      assert.match(problem!.message, denied);
      assert.match(
        problem!.hint,
        /^the request carried no ACL token: set WAZO_CONSUL_TOKEN to a token with a policy with service "wazo-auth"/,
      );

      // dependsOn: refused at once, not waited for until the timeout as if wazo-auth were down.
      const started = Date.now();
      const waited = await result({
        scenario: 'load',
        env,
        options: { wait_for_dependencies: { timeout_ms: 30_000, block_ms: 200 } },
      });
      assert.ok(Date.now() - started < 20_000, 'refused before the 30 s timeout');
      assert.equal(waited.result, 'problems', JSON.stringify(waited));
      const ts = await typescript(env, { file: false }, { waitForDependencies: { timeoutMs: 30_000, blockMs: 200 } });
      assert.deepEqual(waited.problems, ts.problems);
      assert.match((waited.problems as { message: string }[])[0]!.message, denied);
    } finally {
      await server.close();
    }
  });

  it('an ACL denial fails at once with the hint, as in TypeScript', async () => {
    const server = await startConsulServer({ acl: { defaultPolicy: 'deny' } });
    server.kv.put(`${PREFIX}/log_level`, 'debug');
    try {
      const env = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) };
      const py = await result({ scenario: 'load', env });
      const ts = await typescript(env);
      assert.equal(py.result, 'problems', JSON.stringify(py));
      assert.deepEqual(py.problems, ts.problems);
      assert.match(
        String(py.message),
        /Consul denied reading config\/wazo-webhookd\/: .*hint: the request carried no ACL token: set WAZO_CONSUL_TOKEN/,
      );
    } finally {
      await server.close();
    }
  });
});

describe('the Python runtime’s stale reads (docs/consul.md "Stale reads")', () => {
  let server: ConsulTestServer;
  let env: Record<string, string>;
  before(async () => {
    server = await startConsulServer({ blocking: FAST_BLOCKING, follower: { lastContactMs: 1_500 } });
    env = { WAZO_CONSUL_HOST: '127.0.0.1', WAZO_CONSUL_PORT: String(server.port) };
    server.kv.put(`${PREFIX}/log_level`, 'debug');
  });
  after(() => server.close());

  const modes = () =>
    server.requests
      .filter((r) => r.path.startsWith(`/v1/kv/${PREFIX}/`))
      .map((r) => (r.query.has('stale') ? 'stale' : r.query.has('consistent') ? 'consistent' : 'default'));
  const load = async (extra: Record<string, string> = {}, consul: Record<string, unknown> = { file: false }) => {
    server.requests.length = 0;
    const py = await result({ scenario: 'load', env: { ...env, ...extra }, consul });
    assert.equal(py.result, 'config', JSON.stringify(py.lines));
    return { py, modes: modes() };
  };

  it('asks ?stale with maxStale 2 s; a staler answer is asked again of the leader; 0 and consistent_load as in TypeScript', async () => {
    assert.deepEqual((await load()).modes, ['stale']);
    server.setFollower({ lastContactMs: 3_000 });
    assert.deepEqual((await load()).modes, ['stale', 'default']);
    assert.deepEqual((await load({ WAZO_CONSUL_MAX_STALE: '5s' })).modes, ['stale']);
    assert.deepEqual((await load({ WAZO_CONSUL_MAX_STALE: '0' })).modes, ['default']);
    assert.deepEqual((await load({}, { file: false, consistent_load: true })).modes, ['consistent']);
    server.setFollower({ lastContactMs: 1_500 });
    const bad = await result({ scenario: 'load', env: { ...env, WAZO_CONSUL_MAX_STALE: '2' } });
    assert.match(
      String(bad.message),
      /WAZO_CONSUL_MAX_STALE \(env WAZO_CONSUL_MAX_STALE\): expected a duration, got "2"/,
    );
  });

  it('without a leader: the follower’s recent copy is read and the episode logged once', async () => {
    server.setFollower({ lastContactMs: 100 });
    server.faults.setLeader(false);
    try {
      // The follower's last contact grows from the leader's loss: a wide maxStale keeps a slow start within it.
      const { py, modes: asked } = await load({ WAZO_CONSUL_MAX_STALE: '1m' });
      assert.deepEqual(asked, ['stale']);
      const said = py.lines.filter((l) =>
        String(l.message).includes('has no known leader (X-Consul-KnownLeader: false)'),
      );
      assert.equal(said.length, 1, JSON.stringify(py.lines));
      assert.equal(said[0]!.log, 'warning');
    } finally {
      server.faults.setLeader(true);
      server.setFollower({ lastContactMs: 1_500 });
    }
  });
});
