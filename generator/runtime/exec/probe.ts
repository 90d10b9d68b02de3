/**
 * `x-service.check`: is the daemon ready? A TCP connect, an HTTP GET answered 2xx, or a command
 * exiting 0 — each bounded by the check's timeout. Hosts, ports, URLs and arguments are templates
 * over the running configuration, rendered at each probe (a port change is followed).
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { JsonObject } from '../types.ts';
import { DEFAULT_CHECK_TIMEOUT_S, type CheckSpec } from '../render/spec.ts';
import { renderString } from '../render/templates.ts';

export type Probe = () => Promise<boolean>;

/** A probe of `check` over `config()` (read at each call: the live configuration). */
export function probeOf(check: CheckSpec, config: () => JsonObject): Probe {
  const timeoutMs = (check.timeout ?? DEFAULT_CHECK_TIMEOUT_S) * 1000;
  return async () => {
    const now = config();
    if (check.tcp)
      return tcpProbe(renderString(check.tcp.host, now), Number(renderString(check.tcp.port, now)), timeoutMs);
    if (check.http) return httpProbe(renderString(check.http.url, now), timeoutMs);
    return commandProbe(
      check.command!.map((arg) => renderString(arg, now)),
      timeoutMs,
    );
  };
}

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function httpProbe(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

function commandProbe(argv: string[], timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', timeout: timeoutMs, killSignal: 'SIGKILL' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}
