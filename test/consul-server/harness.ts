/** Test helpers for the Consul test server: a server + real `consul` client pair, and raw HTTP. */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import Consul from 'consul';
import { startConsulServer, type ConsulServerOptions, type ConsulTestServer } from './server.ts';

/** Fast blocking settings for tests: default wait 1 s, cap 2 s, no jitter. */
export const FAST_BLOCKING = { defaultQueryTime: 1000, maxQueryTime: 2000, jitterFraction: 0 };

export interface Fixture {
  server: ConsulTestServer;
  consul: Consul;
  /** Another client (e.g. with a token); destroyed by `close()`. */
  client(options?: ConstructorParameters<typeof Consul>[0] & Record<string, unknown>): Consul;
  close(): Promise<void>;
}

export async function startFixture(options: ConsulServerOptions = {}): Promise<Fixture> {
  const server = await startConsulServer({ blocking: FAST_BLOCKING, ...options });
  const clients: Consul[] = [];
  const client = (extra: Record<string, unknown> = {}): Consul => {
    const c = new Consul({ ...server.clientOptions, ...extra } as ConstructorParameters<typeof Consul>[0]);
    clients.push(c);
    return c;
  };
  const consul = client();
  return {
    server,
    consul,
    client,
    close: async () => {
      for (const c of clients) c.destroy();
      await server.close();
    },
  };
}

export interface RawResponse {
  status: number;
  /** Header names exactly as sent on the wire, in order. */
  rawHeaders: [string, string][];
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/**
 * One request over a fresh connection, with the path sent byte for byte (no URL normalisation,
 * unlike fetch), and the response headers with their wire spelling.
 */
export function rawHttp(
  server: { host: string; port: number; secure: boolean },
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; ca?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = server.secure ? httpsRequest : httpRequest;
    const req = request(
      { host: server.host, port: server.port, method, path, headers: options.headers, agent: false, ca: options.ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const rawHeaders: [string, string][] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            rawHeaders.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          resolve({ status: res.statusCode ?? 0, rawHeaders, headers: res.headers, body, text: body.toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The wire spelling of a header name, or undefined. */
export function wireName(res: RawResponse, name: string): string | undefined {
  return res.rawHeaders.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[0];
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
