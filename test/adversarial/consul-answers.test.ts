/**
 * Hostile and broken Consul answers (a proxy's page, bodies of another shape, missing headers,
 * cut answers, binary values): one case per attack. At start each is a ConfigError naming
 * Consul's address and what was wrong — never the schema defaults; in a running watcher each is
 * an `error` event with backoff, the last good configuration kept, and the watcher goes on.
 * The answers come from a plain HTTP server scripted per case, since the Consul test server
 * only ever answers as Consul does.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as auth from '../../generated/wazo-auth/config.ts';
import * as webhookd from '../../generated/wazo-webhookd/config.ts';
import { ConfigError, type WatchEvent } from '../../generator/runtime/index.ts';
import { memoryLogger } from '../helpers.ts';

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send this many bytes of the body, then cut the connection. */
  cutAfter?: number;
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const meta = (index: number | string) => ({
  ...JSON_TYPE,
  'X-Consul-Index': String(index),
  'X-Consul-Knownleader': 'true',
  'X-Consul-Lastcontact': '0',
});
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const entry = (key: string, value: string | null, index = 5) => ({
  LockIndex: 0,
  Key: key,
  Flags: 0,
  Value: value === null ? null : b64(value),
  CreateIndex: index,
  ModifyIndex: index,
});

/** A plain HTTP server answering each request with `answer(req)`, recording the requests. */
class ScriptedServer {
  readonly requests: string[] = [];
  answer: (req: IncomingMessage) => Scripted = () => ({ status: 500, body: 'no script' });
  private server!: Server;

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.reply(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      WAZO_CONSUL_HOST: '127.0.0.1',
      WAZO_CONSUL_PORT: String(this.port),
      WAZO_CONSUL_WAIT_TIMEOUT: '0',
      ...extra,
    };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private reply(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(req.url ?? '');
    const a = this.answer(req);
    const body = typeof a.body === 'string' ? Buffer.from(a.body) : (a.body ?? Buffer.alloc(0));
    res.writeHead(a.status, { 'Content-Length': String(body.length), ...a.headers });
    if (a.cutAfter !== undefined) {
      res.write(body.subarray(0, a.cutAfter));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(body);
  }
}

const PREFIX = 'config/wazo-auth';
const noFiles = { configFile: false, configDir: false } as const;

async function loadFailure(server: ScriptedServer, extra: Record<string, string> = {}): Promise<string> {
  const error = await auth
    .loadConfig({
      ...noFiles,
      env: server.env(extra),
      logger: memoryLogger(),
      consul: { file: false, requestTimeoutMs: 1_000 },
    })
    .then(
      (config) => assert.fail(`loaded instead of failing (log_level ${String(config.log_level)})`),
      (e: unknown) => e,
    );
  assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
  return error.message;
}

describe('malformed Consul answers at start: a ConfigError naming Consul, never the defaults', () => {
  const server = new ScriptedServer();
  before(() => server.start());
  after(() => server.close());

  const cases: { name: string; answer: Scripted; said: RegExp }[] = [
    {
      name: '200 [null] (node-consul threw a TypeError outside any promise)',
      answer: { status: 200, headers: meta(7), body: '[null]' },
      said: /entry 0 is null, not a KV entry/,
    },
    {
      name: '200 [{"Key":5}]',
      answer: { status: 200, headers: meta(7), body: '[{"Key":5,"ModifyIndex":5}]' },
      said: /entry 0 has a non-string Key/,
    },
    {
      name: 'an entry without Key',
      answer: { status: 200, headers: meta(7), body: '[{"Value":null,"ModifyIndex":5}]' },
      said: /entry 0 has no Key/,
    },
    {
      name: 'a numeric Value',
      answer: {
        status: 200,
        headers: meta(7),
        body: JSON.stringify([{ ...entry(`${PREFIX}/debug`, null), Value: 5 }]),
      },
      said: /\(config\/wazo-auth\/debug\): Value is a number/,
    },
    {
      name: 'a Value that is not base64',
      answer: {
        status: 200,
        headers: meta(7),
        body: JSON.stringify([{ ...entry(`${PREFIX}/debug`, null), Value: 'not base64!' }]),
      },
      said: /Value is not base64/,
    },
    {
      name: 'an entry without ModifyIndex',
      answer: {
        status: 200,
        headers: meta(7),
        body: JSON.stringify([{ Key: `${PREFIX}/debug`, Value: b64('true'), Flags: 0 }]),
      },
      said: /ModifyIndex is not a whole number/,
    },
    {
      name: 'negative Flags',
      answer: {
        status: 200,
        headers: meta(7),
        body: JSON.stringify([{ ...entry(`${PREFIX}/debug`, 'true'), Flags: -1 }]),
      },
      said: /Flags is not a whole number/,
    },
    {
      name: 'a key outside the prefix read',
      answer: { status: 200, headers: meta(7), body: JSON.stringify([entry('config/other/debug', 'true')]) },
      said: /its key "config\/other\/debug" is not under config\/wazo-auth\//,
    },
    {
      name: '200 with a JSON object, not a list',
      answer: { status: 200, headers: meta(7), body: '{"Key":"x"}' },
      said: /answered an object where Consul sends a list of entries/,
    },
    {
      name: '200 with JSON null',
      answer: { status: 200, headers: meta(7), body: 'null' },
      said: /answered null where Consul sends a list of entries/,
    },
    {
      name: "200 with a proxy's HTML page",
      answer: {
        status: 200,
        headers: { 'Content-Type': 'text/html', 'X-Consul-Index': '7' },
        body: '<html><body>Welcome</body></html>',
      },
      said: /an HTML page \(text\/html; a proxy or another web server\?\) rather than JSON/,
    },
    {
      name: '200 with invalid JSON',
      answer: { status: 200, headers: meta(7), body: '[{"Key":' },
      said: /a body that is not valid JSON/,
    },
    {
      name: '200 without X-Consul-Index',
      answer: { status: 200, headers: JSON_TYPE, body: JSON.stringify([entry(`${PREFIX}/debug`, 'true')]) },
      said: /without a usable X-Consul-Index header \(got none\)/,
    },
    {
      name: 'a non-numeric X-Consul-Index',
      answer: { status: 200, headers: meta('abc'), body: JSON.stringify([entry(`${PREFIX}/debug`, 'true')]) },
      said: /without a usable X-Consul-Index header \(got "abc"\)/,
    },
    {
      name: "a proxy's 404 (no X-Consul-Index): not an empty prefix",
      answer: { status: 404, headers: { 'Content-Type': 'text/plain' }, body: '404 page not found' },
      said: /answered 404 without a usable X-Consul-Index/,
    },
    {
      name: 'a 404 with X-Consul-Index and an HTML body',
      answer: {
        status: 404,
        headers: { 'Content-Type': 'text/html', 'X-Consul-Index': '3' },
        body: '<html>not found</html>',
      },
      said: /answered 404 with an HTML page/,
    },
    {
      name: "a proxy's 502 page (retried, then said)",
      answer: { status: 502, headers: { 'Content-Type': 'text/html' }, body: '<html><h1>502 Bad Gateway</h1></html>' },
      said: /502 an HTML page/,
    },
    {
      name: 'a 400 with a long text body',
      answer: { status: 400, headers: { 'Content-Type': 'text/plain' }, body: 'x'.repeat(2_000) },
      said: /Consul answered 400 "x{160}…"/,
    },
    {
      name: 'an answer cut mid-body',
      answer: { status: 200, headers: meta(7), body: JSON.stringify([entry(`${PREFIX}/debug`, 'true')]), cutAfter: 10 },
      said: /the answer to GET \/v1\/kv\/config\/wazo-auth\/ was cut after 10 bytes/,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      server.answer = () => c.answer;
      const message = await loadFailure(server);
      assert.match(
        message,
        new RegExp(
          `consul http://127\\.0\\.0\\.1:${server.port} \\(located by env WAZO_CONSUL_HOST, WAZO_CONSUL_PORT; default scheme\\)`,
        ),
      );
      assert.match(message, c.said);
    });
  }

  it('a value whose bytes are not UTF-8 is an error naming the key, not U+FFFD', async () => {
    server.answer = () => ({
      status: 200,
      headers: meta(7),
      body: JSON.stringify([{ ...entry(`${PREFIX}/log_level`, null), Value: b64(Buffer.from([0x44, 0xff, 0xfe])) }]),
    });
    const message = await loadFailure(server);
    assert.match(message, /log_level \(consul config\/wazo-auth\/log_level\): the stored bytes are not UTF-8 text/);
    assert.ok(!message.includes('\uFFFD'));
  });

  it('a well-formed answer still loads (the checks refuse only what is not Consul)', async () => {
    server.answer = () => ({
      status: 200,
      headers: meta(7),
      body: JSON.stringify([entry(`${PREFIX}/log_level`, 'error'), entry(`${PREFIX}/`, null)]),
    });
    const config = await auth.loadConfig({
      ...noFiles,
      env: server.env(),
      logger: memoryLogger(),
      consul: { file: false },
    });
    assert.equal(config.log_level, 'error');
  });

  it('a malformed health answer for an x-discover group is an error, not "no instance"', async () => {
    server.answer = (req) =>
      req.url!.startsWith('/v1/health/')
        ? { status: 200, headers: meta(9), body: '[{"Service":null,"Node":{"Address":"10.0.0.1"}}]' }
        : { status: 404, headers: meta(3) };
    const error = await webhookd
      .loadConfig({ ...noFiles, env: server.env(), logger: memoryLogger(), consul: { file: false } })
      .then(
        () => assert.fail('loaded'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, /the health read of wazo-auth: instance 0 has no Service object/);
  });

  it('health instances with a bad port or tags are refused', async () => {
    const row = (service: Record<string, unknown>) =>
      JSON.stringify([
        {
          Node: { Address: '10.0.0.1' },
          Service: { ID: 'a1', Service: 'wazo-auth', Address: '', Port: 9497, Tags: [], Meta: {}, ...service },
        },
      ]);
    for (const [service, said] of [
      [{ Port: 70_000 }, /Port is not a port number/],
      [{ Port: '9497' }, /Port is not a port number/],
      [{ Tags: [1] }, /Tags is not a list of strings/],
      [{ Meta: { scheme: 5 } }, /Meta is not a map of strings/],
    ] as const) {
      server.answer = (req) =>
        req.url!.startsWith('/v1/health/')
          ? { status: 200, headers: meta(9), body: row(service) }
          : { status: 404, headers: meta(3) };
      const error = await webhookd
        .loadConfig({ ...noFiles, env: server.env(), logger: memoryLogger(), consul: { file: false } })
        .then(
          () => assert.fail('loaded'),
          (e: unknown) => e,
        );
      assert.match(String((error as Error).message), said);
    }
  });
});

describe('malformed Consul answers in a running watcher: error events, backoff, the last good configuration kept', () => {
  /**
   * Good answers at indexes 10 and 11, then `bad` for every read until `healed`, then a good one
   * at index 20. One server per case: a request aborted by the previous case's close() may still
   * reach a shared one and take an answer meant for this case.
   */
  async function watchThrough(bad: Scripted): Promise<void> {
    const server = new ScriptedServer();
    await server.start();
    let healed = false;
    let reads = 0;
    const good = (index: number, level: string) => ({
      status: 200,
      headers: meta(index),
      body: JSON.stringify([entry('config/wazo-webhookd/log_level', level, index)]),
    });
    server.answer = () => {
      reads++;
      if (healed) return good(20, 'warning');
      return reads <= 2 ? good(10 + reads - 1, 'error') : bad;
    };
    const logger = memoryLogger();
    const options = {
      ...noFiles,
      env: server.env(),
      consul: { file: false as const, requestTimeoutMs: 1_000 },
      wait: { minMs: 0 },
      backoff: { initialMs: 20, maxMs: 50 },
      rateLimit: { burst: 2, intervalMs: 10 },
      blockingWaitMs: 1_000,
      restart: 'emit' as const,
      sighup: false,
      discover: false,
      logger,
    };
    const config = await webhookd.loadConfig(options);
    assert.equal(config.log_level, 'error');
    const events: WatchEvent<webhookd.Config>[] = [];
    const watcher = webhookd.watchConfig(
      config,
      {
        error: (e) => void events.push(e),
        change: (e) => void events.push(e),
        restartRequired: (e) => void events.push(e),
      },
      options,
    );
    try {
      await watcher.ready;
      const until = async (check: () => boolean) => {
        for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
        assert.ok(check(), `${events.map((e) => e.type).join(', ')}\n${logger.lines.join('\n')}`);
      };
      await until(() => events.filter((e) => e.type === 'error').length >= 2);
      // Backoff between the failed reads, the defaults never applied, the last good value kept.
      assert.deepEqual(
        events.filter((e) => e.type !== 'error'),
        [],
      );
      assert.equal(config.log_level, 'error');
      const error = events.find((e) => e.type === 'error')!;
      assert.equal(error.type === 'error' && error.what, 'consul');
      healed = true;
      await until(() => config.log_level === 'warning');
      assert.ok(events.some((e) => e.type === 'change'));
    } finally {
      await watcher.close();
      await server.close();
    }
  }

  it('200 [null] after two good answers', () => watchThrough({ status: 200, headers: meta(12), body: '[null]' }));
  it('200 with a JSON object instead of a list', () => watchThrough({ status: 200, headers: meta(12), body: '{}' }));
  it("200 with a proxy's HTML page", () =>
    watchThrough({
      status: 200,
      headers: { 'Content-Type': 'text/html', 'X-Consul-Index': '12' },
      body: '<html>proxy</html>',
    }));
  it('200 without X-Consul-Index', () => watchThrough({ status: 200, headers: JSON_TYPE, body: '[]' }));
  it("a proxy's 404 without X-Consul-Index (not an emptied prefix)", () =>
    watchThrough({ status: 404, headers: { 'Content-Type': 'text/plain' }, body: 'not found' }));
});
