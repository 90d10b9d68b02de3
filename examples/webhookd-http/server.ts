/**
 * A small HTTP service on the real wazo-webhookd schema, reconfigured while it runs:
 *
 *   - `log_level` and `debug` are mutable: a change in Consul (or a file, then SIGHUP) is applied
 *     at once — the next request is logged, or not, at the new level;
 *   - `rest_api.port` is restart-only: a change is reported, and after a grace period the process
 *     exits with code 75 so that systemd (`Restart=on-failure`) or Kubernetes starts it again on
 *     the new port;
 *   - an invalid value is reported and the service keeps its last good configuration.
 *
 * Run it next to a Consul agent (see docs/watch.md):
 *
 *   WAZO_CONSUL_HOST=127.0.0.1 node --conditions=wazo-config-source --import tsx \
 *     examples/webhookd-http/server.ts --config-file ./config.yml
 *   curl http://127.0.0.1:9300/
 *   consul kv put config/wazo-webhookd/log_level debug
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { loadConfig, watchConfig, type Config } from '../../generated/wazo-webhookd/config.ts';
import type { Logger } from 'wazo-config/runtime';

const { values: args } = parseArgs({
  options: {
    'config-file': { type: 'string', short: 'c' },
    'config-dir': { type: 'string' },
    /** Time between "restart required" and the exit, in ms. */
    'grace-ms': { type: 'string', default: '5000' },
    /** Quiescence: quiet time after a change before it is applied, in ms. */
    'quiet-ms': { type: 'string', default: '500' },
  },
});

// ---- a logger with Wazo's levels, whose threshold follows the configuration ----
const LEVELS = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 } as const;
type Level = keyof typeof LEVELS;
let threshold: Level = 'info';
const levelOf = (config: Config): Level => (config.debug ? 'debug' : config.log_level);
function log(level: Level, message: string): void {
  if (LEVELS[level] >= LEVELS[threshold])
    console.log(`${new Date().toISOString()} [${level.toUpperCase()}] ${message}`);
}
const logger: Logger = {
  debug: (m) => log('debug', m),
  info: (m) => log('info', m),
  warn: (m) => log('warning', m),
  error: (m) => log('error', m),
};

// ---- load, serve, watch ----
const options = {
  configFile: args['config-file'],
  configDir: args['config-dir'],
  logger,
};
const config = await loadConfig(options);
threshold = levelOf(config);

const server = createServer((request, response) => {
  log('debug', `${request.method} ${request.url}`);
  const { log_level, debug, hook_max_attempts } = config;
  response.setHeader('Content-Type', 'application/json');
  response.end(
    JSON.stringify({ log_level, debug, hook_max_attempts, listen: config.rest_api.listen, port: config.rest_api.port }),
  );
});
server.listen(config.rest_api.port, config.rest_api.listen, () =>
  log('info', `listening on http://${config.rest_api.listen}:${config.rest_api.port}`),
);

const stop = async (): Promise<void> => {
  await watcher.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
};

const watcher = watchConfig(
  config,
  {
    change(event) {
      // `config` is already updated in place; only what caches a value needs telling.
      const level = levelOf(event.config);
      if (level !== threshold) log('info', `log level is now ${(threshold = level)}`);
    },
    restartRequired(event) {
      log(
        'warning',
        `restart required by ${event.changes.map((c) => c.key).join(', ')}; exiting in ${event.exitInMs} ms`,
      );
    },
  },
  {
    ...options,
    wait: { minMs: Number(args['quiet-ms']) },
    restart: { graceMs: Number(args['grace-ms']), beforeExit: stop },
  },
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void stop().then(() => process.exit(0)));
}
