/**
 * Whether a caller may call this service (docs/tls.md): given a TLS connection whose client
 * certificate was verified against the Connect roots, the local agent is asked
 * (`POST /v1/agent/connect/authorize`) with the certificate's SPIFFE URI and serial; it answers by
 * the intentions. Anything that prevents an answer denies (fail closed), with the reason.
 */
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ConsulOptions } from '../consul/locate.ts';
import { ConsulSession } from '../consul/session.ts';
import type { Env } from '../sources/env.ts';
import { spiffeIdOf } from './tls.ts';

export interface Authorization {
  allowed: boolean;
  /** Consul's reason (`Matched L4 intention: web => db (allow)`), or why no answer could be had. */
  reason: string;
  /** The caller's SPIFFE ID, when it has one. */
  caller?: string;
}

export interface ConnectAuthorizer {
  /** A verified client's connection (`req.socket` of an https server with `requestCert: true`), or its certificate. */
  authorize(peer: TLSSocket | X509Certificate): Promise<Authorization>;
  close(): void;
}

/** Asks the local Consul agent (located as the loader locates it) whether callers may call `target`. */
export function connectAuthorizer(
  target: string,
  options: { consul?: ConsulOptions; env?: Env } = {},
): ConnectAuthorizer {
  const session = ConsulSession.open(options.consul, options.env ?? process.env);
  return {
    async authorize(peer) {
      let cert: X509Certificate | undefined;
      if ('getPeerX509Certificate' in peer) {
        if (!peer.authorized)
          return {
            allowed: false,
            reason: `the client certificate was not verified: ${String(peer.authorizationError ?? 'none was sent')}`,
          };
        cert = peer.getPeerX509Certificate();
      } else cert = peer;
      if (!cert) return { allowed: false, reason: 'no client certificate' };
      const caller = spiffeIdOf(cert);
      if (!caller) return { allowed: false, reason: 'the client certificate carries no SPIFFE URI SAN' };
      const serial = (cert.serialNumber.length % 2 ? `0${cert.serialNumber}` : cert.serialNumber)
        .toLowerCase()
        .replace(/(..)(?=.)/g, '$1:');
      try {
        const answer = await (await session.client()).connectAuthorize(target, caller, serial);
        return { allowed: answer.authorized, reason: answer.reason, caller };
      } catch (error) {
        return { allowed: false, reason: `Consul could not be asked: ${(error as Error).message}`, caller };
      }
    },
    close: () => session.close(),
  };
}
