/**
 * Run the Consul test server by hand: `npm run consul:dev -- [options]`.
 *
 *   --port <n>            listen port (default 8500; 0 = any free port)
 *   --host <addr>         listen address (default 127.0.0.1)
 *   --acl-token <secret>  enable ACLs (default deny) with this management token; repeatable
 *   --tls-cert <file>     serve HTTPS with this PEM certificate (needs --tls-key)
 *   --tls-key <file>      PEM key for --tls-cert
 *   --seed <file>         load a `consul kv import` JSON file ([{key, flags, value(base64)}])
 *   --pretty              pretty JSON on every response, as `consul agent -dev`
 *
 * Prints the URL on stdout; stops on SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startConsulServer, type ConsulServerOptions } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8500' },
    host: { type: 'string', default: '127.0.0.1' },
    'acl-token': { type: 'string', multiple: true },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    seed: { type: 'string' },
    pretty: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (values.help) {
  process.stdout.write(
    'usage: npm run consul:dev -- [--port N] [--host ADDR] [--acl-token SECRET]... [--tls-cert FILE --tls-key FILE] [--seed FILE] [--pretty]\n',
  );
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`invalid --port: ${values.port}\n`);
  process.exit(2);
}
if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
  process.stderr.write('--tls-cert and --tls-key go together\n');
  process.exit(2);
}

const options: ConsulServerOptions = { host: values.host, port, pretty: values.pretty };
const tokens = values['acl-token'] ?? [];
if (tokens.length > 0) options.acl = { tokens: Object.fromEntries(tokens.map((t) => [t, 'management' as const])) };
if (values['tls-cert'] && values['tls-key']) {
  options.tls = { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']) };
}

const server = await startConsulServer(options);

if (values.seed) {
  const items = JSON.parse(readFileSync(values.seed, 'utf8')) as { key: string; flags?: number; value?: string }[];
  for (const item of items) {
    server.kv.put(item.key, item.value ? Buffer.from(item.value, 'base64') : null, { flags: item.flags ?? 0 });
  }
  process.stderr.write(`seeded ${items.length} keys from ${values.seed}\n`);
}

process.stdout.write(`${server.url}\n`);
if (tokens.length > 0) process.stderr.write(`ACLs enabled (default deny); management tokens: ${tokens.length}\n`);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
