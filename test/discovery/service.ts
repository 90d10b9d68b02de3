/**
 * A service process for the discovery end-to-end test: `node … service.ts <generated config.ts>`.
 * It loads its configuration (waiting for its dependencies), serves http — or https when its
 * config holds a certificate, read from the files the loader wrote — registers in Consul, follows
 * its discovered services and re-resolves when one moves. It prints one JSON event per line on
 * stdout; its log goes to stderr. SIGTERM deregisters it (the registration's default).
 */
import { statSync, readFileSync } from 'node:fs';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  startRegistration,
  watchDiscovery,
  type LoadOptions,
  type Logger,
  type Resolved,
  type ServiceDiscoverySettings,
  type ServiceSpec,
} from '../../generator/runtime/index.ts';

interface Loaded {
  a?: unknown;
  tls?: { certificate: string | null };
  service_discovery: ServiceDiscoverySettings;
}
interface Loader {
  service: ServiceSpec;
  resolveConfigWithSources(options: LoadOptions<Loaded>): Promise<Resolved<Loaded>>;
}

const emit = (event: Record<string, unknown>) => process.stdout.write(JSON.stringify(event) + '\n');
const logger: Logger = {
  debug: (m) => process.stderr.write(`debug: ${m}\n`),
  info: (m) => process.stderr.write(`info: ${m}\n`),
  warn: (m) => process.stderr.write(`warn: ${m}\n`),
  error: (m) => process.stderr.write(`error: ${m}\n`),
};

const loader = (await import(process.argv[2]!)) as Loader;
const { service } = loader;
const consul = { file: false as const, backoff: { initialMs: 50, maxMs: 200 } };
const options: LoadOptions<Loaded> = {
  configFile: false,
  configDir: false,
  consul,
  logger,
  waitForDependencies: { timeoutMs: 20_000, blockMs: 1_000 },
};
const sourceOf = (resolved: Resolved<Loaded>, path: string[]) => resolved.tree.sourceOf(path);

const resolved = await loader.resolveConfigWithSources(options);
const { config } = resolved;
const files = resolved.pemFiles?.paths ?? {};
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);
emit({
  event: 'loaded',
  a: config.a,
  aSource: config.a ? sourceOf(resolved, ['a', 'host']) : undefined,
  pem: {
    dir: resolved.pemFiles?.dir,
    dirMode: resolved.pemFiles ? modeOf(resolved.pemFiles.dir) : undefined,
    files,
    modes: Object.fromEntries(Object.entries(files).map(([k, p]) => [k, modeOf(p)])),
  },
});

const secure = Boolean(config.tls?.certificate);
const handler = (_: unknown, res: { end(text: string): void }) => res.end(JSON.stringify({ service: service.name }));
const server: Server = secure
  ? createHttps(
      { cert: readFileSync(files['tls.certificate']!), key: readFileSync(files['tls.private_key']!) },
      handler,
    )
  : createHttp(handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

const registration = startRegistration({
  name: service.name,
  uuid: 'a8f5c2e0-test-uuid',
  settings: { ...config.service_discovery, advertise_port: port },
  meta: { scheme: secure ? 'https' : 'http' },
  check: () => server.listening,
  consul,
  logger,
});
await registration.registered;
emit({
  event: 'registered',
  id: registration.id,
  address: registration.address,
  port,
  tags: registration.tags,
  secure,
});

watchDiscovery(service, { consul, logger, blockMs: 1_000 }, (change) => {
  emit({ event: 'moved', ...change });
  void loader.resolveConfigWithSources({ ...options, waitForDependencies: false }).then(
    (again) => emit({ event: 'reresolved', a: again.config.a, aSource: sourceOf(again, ['a', 'host']) }),
    (error: unknown) => emit({ event: 'error', message: String(error) }),
  );
});
