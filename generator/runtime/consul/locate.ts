/**
 * Where Consul is (docs/design.md "Sources"): for each of host, port and scheme, the program's options,
 * else the `WAZO_CONSUL_*` environment variable, else the same variable in `/etc/wazo-platform/consul`
 * (systemd EnvironmentFile syntax), else the defaults `consul` / `8500` / `http`. The ACL token,
 * the CA file, the wait timeout and the opt-out are found the same way.
 *
 * Consul is read only when something located it: an address, token or CA option, any
 * `WAZO_CONSUL_*` location variable (host, port, scheme, token, CA file), or the file. Without any of them (a unit
 * test, a host without Consul) the loader makes
 * no network attempt, unless the program asks for Consul with `required: true`.
 */
import { readFileSync } from 'node:fs';
import { decode } from '../codec.ts';
import { showValue, type Problem } from '../problems.ts';
import { parseEnvironmentFile } from './environment-file.ts';

export const CONSUL_FILE = '/etc/wazo-platform/consul';
/** Where Consul is when neither the options, the env nor the file say. */
export const CONSUL_DEFAULTS = { host: 'consul', port: 8500, scheme: 'http' } as const;
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

/** `LoadOptions.consul`, and what the CLI commands build from their flags. */
export interface ConsulOptions {
  /** `http(s)://host[:port]` (port 8500 when absent): sets host, port and scheme at once. */
  url?: string;
  host?: string;
  port?: number;
  scheme?: 'http' | 'https';
  /** ACL token sent as `X-Consul-Token`; never printed. Else `WAZO_CONSUL_TOKEN`. */
  token?: string;
  /** PEM file of the CA that signed Consul's certificate, for https. Else `WAZO_CONSUL_CACERT`. */
  caFile?: string;
  /** The EnvironmentFile that locates Consul; default `/etc/wazo-platform/consul`; false for none. */
  file?: string | false;
  /** Read Consul even when nothing located it (then at the defaults `http://consul:8500`), and despite `WAZO_CONSUL_DISABLED`. */
  required?: boolean;
  /**
   * How long to wait for an unreachable Consul, in ms; default 60 000 (`WAZO_CONSUL_WAIT_TIMEOUT`, in seconds). 0: one
   * attempt.
   */
  waitTimeoutMs?: number;
  /** Timeout of one request, in ms; default 10 000. */
  requestTimeoutMs?: number;
  /** Retry delays: the first and the cap, in ms; defaults 250 and 5 000, doubled each time, with jitter. */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * maxStale: reads (the load, the watcher's and discovery's blocking queries) ask `?stale`, so any Consul server
   * answers, not only the leader; an answer whose `X-Consul-LastContact` is above this many ms is asked again of the
   * leader, once. 0: every read goes to the leader (Consul's default mode). Default 2 000, as consul-template
   * (`WAZO_CONSUL_MAX_STALE`, a duration such as `2s`, `500ms`, `0`).
   */
  maxStaleMs?: number;
  /** loadConfig's one start-up read asks `?consistent` (the leader confirms it still leads) rather than `?stale`. */
  consistentLoad?: boolean;
  /** What gave these options, in messages (`--consul-url`); default `the program's options`. */
  origin?: string;
}

export interface ConsulLocation {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** `scheme://host:port`. */
  url: string;
  token?: string;
  /** Where the token came from (`env WAZO_CONSUL_TOKEN`), for messages: the token itself never is. */
  tokenOrigin?: string;
  caFile?: string;
  caFileOrigin?: string;
  /** How the address was found, for messages: `env WAZO_CONSUL_HOST, WAZO_CONSUL_PORT; default scheme`. */
  how: string;
  waitTimeoutMs: number;
  requestTimeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
  /** Reads ask `?stale` and take an answer at most this stale (`X-Consul-LastContact`); 0: default mode. */
  maxStaleMs: number;
  /** Where `maxStaleMs` came from (`env WAZO_CONSUL_MAX_STALE`, `default`), for messages. */
  maxStaleOrigin: string;
  /** The start-up read asks `?consistent`. */
  consistentLoad: boolean;
}

export type Locating =
  | { kind: 'consul'; location: ConsulLocation }
  | { kind: 'off'; reason: string }
  | { kind: 'invalid'; problems: Problem[] };

export const VARIABLES = {
  host: 'WAZO_CONSUL_HOST',
  port: 'WAZO_CONSUL_PORT',
  scheme: 'WAZO_CONSUL_SCHEME',
  token: 'WAZO_CONSUL_TOKEN',
  caFile: 'WAZO_CONSUL_CACERT',
  disabled: 'WAZO_CONSUL_DISABLED',
  waitTimeout: 'WAZO_CONSUL_WAIT_TIMEOUT',
  maxStale: 'WAZO_CONSUL_MAX_STALE',
} as const;

/** consul-template's `max_stale` default: a follower up to 2 s behind the leader may answer. */
export const DEFAULT_MAX_STALE_MS = 2_000;

/** The variables whose presence says "this host uses Consul". */
const LOCATING = [VARIABLES.host, VARIABLES.port, VARIABLES.scheme, VARIABLES.token, VARIABLES.caFile];

interface Found {
  value: string;
  /** `env WAZO_CONSUL_PORT`, `file /etc/wazo-platform/consul`, or the options' origin. */
  origin: string;
  variable?: string;
}

export function locateConsul(options: ConsulOptions | undefined, env: Record<string, string | undefined>): Locating {
  const opts = options ?? {};
  const problems: Problem[] = [];
  const filePath = opts.file === undefined ? CONSUL_FILE : opts.file;
  const file = filePath === false ? undefined : readLocatingFile(filePath, problems);
  const origin = opts.origin ?? "the program's options";
  const fromUrl = opts.url === undefined ? {} : parseUrl(opts.url, origin, problems);
  const given: Partial<Record<keyof typeof VARIABLES, string | number | undefined>> = {
    host: fromUrl.host ?? opts.host,
    port: fromUrl.port ?? opts.port,
    scheme: fromUrl.scheme ?? opts.scheme,
    token: opts.token,
    caFile: opts.caFile,
    waitTimeout: opts.waitTimeoutMs === undefined ? undefined : opts.waitTimeoutMs / 1000,
    maxStale: opts.maxStaleMs === undefined ? undefined : `${opts.maxStaleMs}ms`,
  };
  const find = (name: keyof typeof VARIABLES): Found | undefined => {
    const option = given[name];
    if (option !== undefined) return { value: String(option), origin };
    const variable = VARIABLES[name];
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, origin: `env ${variable}`, variable };
    const fromFile = file?.variables.get(variable);
    if (fromFile !== undefined && fromFile !== '') return { value: fromFile, origin: `file ${file!.path}`, variable };
    return undefined;
  };

  const disabled = find('disabled');
  if (disabled && !opts.required) {
    const flag = decode(disabled.value, { types: ['boolean'] });
    if (!flag.ok) problems.push(invalid(disabled, 'expected a boolean', flag.hint));
    else if (flag.value === true)
      return problems.length
        ? { kind: 'invalid', problems }
        : { kind: 'off', reason: `disabled by ${disabled.origin}` };
  }
  const explicit =
    opts.required === true ||
    [given.host, given.port, given.scheme, given.token, given.caFile].some((v) => v !== undefined) ||
    LOCATING.some((name) => env[name] !== undefined && env[name] !== '') ||
    file !== undefined;
  if (!explicit && problems.length === 0) {
    return {
      kind: 'off',
      reason: `nothing locates Consul (no ${VARIABLES.host} or other WAZO_CONSUL_* variable${filePath === false ? '' : `, no ${filePath}`})`,
    };
  }

  const host = find('host');
  const port = find('port');
  const scheme = find('scheme');
  const token = find('token');
  const caFile = find('caFile');
  const waitTimeout = find('waitTimeout');
  const portNumber = port ? Number(port.value) : CONSUL_DEFAULTS.port;
  if (port && !(Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535)) {
    problems.push(invalid(port, 'expected a port number', 'write a whole number from 1 to 65535, such as 8500'));
  }
  const schemeName = (scheme?.value ?? CONSUL_DEFAULTS.scheme).toLowerCase();
  if (schemeName !== 'http' && schemeName !== 'https')
    problems.push(invalid(scheme!, 'expected http or https', 'write http or https'));
  const waitSeconds = waitTimeout ? Number(waitTimeout.value) : DEFAULT_WAIT_TIMEOUT_MS / 1000;
  if (waitTimeout && !(waitTimeout.value.trim() !== '' && Number.isFinite(waitSeconds) && waitSeconds >= 0)) {
    problems.push(
      invalid(waitTimeout, 'expected a number of seconds', 'write a number such as 60, or 0 for a single attempt'),
    );
  }
  const maxStale = find('maxStale');
  const maxStaleMs = maxStale ? parseDuration(maxStale.value) : DEFAULT_MAX_STALE_MS;
  if (maxStale && maxStaleMs === undefined) {
    problems.push(
      invalid(
        maxStale,
        'expected a duration',
        'write a duration such as 2s or 500ms, or 0 to read from the leader only',
      ),
    );
  }
  if (host) {
    const wrong = hostProblem(host.value);
    if (wrong) problems.push(invalid(host, wrong.message, wrong.hint));
  }
  if (problems.length > 0) return { kind: 'invalid', problems };

  const hostName = host?.value ?? CONSUL_DEFAULTS.host;
  const location: ConsulLocation = {
    scheme: schemeName as 'http' | 'https',
    host: hostName,
    port: portNumber,
    url: `${schemeName}://${hostName.includes(':') ? `[${hostName.replace(/^\[(.*)\]$/, '$1')}]` : hostName}:${portNumber}`,
    how: describeHow({ host, port, scheme }),
    waitTimeoutMs: Math.round(waitSeconds * 1000),
    requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    backoff: { initialMs: opts.backoff?.initialMs ?? 250, maxMs: opts.backoff?.maxMs ?? 5_000 },
    maxStaleMs: maxStaleMs!,
    maxStaleOrigin: maxStale?.origin ?? 'default',
    consistentLoad: opts.consistentLoad === true,
  };
  if (token) Object.assign(location, { token: token.value, tokenOrigin: token.origin });
  if (caFile) Object.assign(location, { caFile: caFile.value, caFileOrigin: caFile.origin });
  return { kind: 'consul', location };
}

/**
 * A duration as Go writes one (`2s`, `500ms`, `1m30s`, `1.5s`), in ms; a bare `0` is zero. undefined when it is not
 * one, or negative: a bare number other than 0 has no unit to read it by.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^0+$/.test(trimmed)) return 0;
  if (!/^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+$/.test(trimmed)) return undefined;
  const unit: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const [, amount, name] of trimmed.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g))
    ms += Number(amount) * unit[name!]!;
  return Math.round(ms);
}

function readLocatingFile(
  path: string,
  problems: Problem[],
): { path: string; variables: Map<string, string> } | undefined {
  try {
    return { path, variables: parseEnvironmentFile(readFileSync(path, 'utf8')) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    problems.push({
      key: path,
      source: `file ${path}`,
      message: `cannot read the file that locates Consul (${code ?? String(error)})`,
      hint: 'let the service read it, or remove it to run without Consul',
    });
    return undefined;
  }
}

function parseUrl(
  text: string,
  origin: string,
  problems: Problem[],
): { host?: string; port?: number; scheme?: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    url = new URL('invalid:');
  }
  const scheme = url.protocol.replace(/:$/, '');
  if ((scheme !== 'http' && scheme !== 'https') || url.hostname === '') {
    problems.push({
      key: 'consul url',
      source: origin,
      message: 'expected an http(s) URL',
      value: JSON.stringify(text),
      hint: 'write http://host:8500 or https://host:8501',
    });
    return {};
  }
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? CONSUL_DEFAULTS.port : Number(url.port),
    scheme,
  };
}

/**
 * What is wrong with a host as written (`WAZO_CONSUL_HOST` holds a name or an address only): a URL,
 * `host:port`, spaces — anything `new URL` would throw a raw TypeError on.
 */
function hostProblem(host: string): { message: string; hint: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    return {
      message: 'expected a host name, got a URL',
      hint: 'write the host alone (consul.example.com) and the scheme and port in WAZO_CONSUL_SCHEME and WAZO_CONSUL_PORT',
    };
  }
  if (/^[^:[\]]+:\d*$/.test(host))
    return {
      message: 'expected a host name, got host:port',
      hint: 'write the host alone and the port in WAZO_CONSUL_PORT',
    };
  const bracketed = host.includes(':') ? `[${host.replace(/^\[(.*)\]$/, '$1')}]` : host;
  try {
    if (host === '' || /[\s/?#@\\]/.test(host) || new URL(`http://${bracketed}:1/`).hostname === '')
      throw new Error('not a host');
  } catch {
    return {
      message: 'expected a host name or an IP address',
      hint: 'write a name such as consul.example.com or an address such as 10.0.0.5 (no spaces, no path)',
    };
  }
  return undefined;
}

function invalid(found: Found, message: string, hint: string): Problem {
  return { key: found.variable ?? 'consul', source: found.origin, message, value: showValue(found.value, false), hint };
}

/** `env WAZO_CONSUL_HOST, WAZO_CONSUL_PORT; default scheme`. */
function describeHow(parts: Record<'host' | 'port' | 'scheme', Found | undefined>): string {
  const groups = new Map<string, string[]>();
  const add = (group: string, name: string) => groups.set(group, [...(groups.get(group) ?? []), name]);
  for (const [name, found] of Object.entries(parts)) {
    if (!found) add('default', name);
    else if (!found.variable) add(found.origin, '');
    else if (found.origin.startsWith('env ')) add('env', found.variable);
    else add(found.origin, found.variable);
  }
  const said = [...groups].map(([group, names]) => {
    if (group === 'env' || group === 'default') return `${group} ${names.join(', ')}`;
    if (group.startsWith('file ')) return `${group} (${names.join(', ')})`;
    return group;
  });
  // The defaults last: what was given explicitly matters more.
  return said.sort((a, b) => Number(a.startsWith('default ')) - Number(b.startsWith('default '))).join('; ');
}
