/**
 * A small ACL system (§5): tokens with per-resource rules in the shape of Consul's HCL policies
 * (`key_prefix "app/" { policy = "read" }` → `{ key_prefix: { 'app/': 'read' } }`), exact rules
 * before the longest matching prefix, then the default policy. Tokens come from `?token=`, then
 * `X-Consul-Token`, then `Authorization: Bearer`; none means the anonymous token.
 */
import type { IncomingMessage } from 'node:http';
import { goQuote } from './go-json.ts';

export type AclPolicy = 'deny' | 'read' | 'list' | 'write';
export type AclResource = 'key' | 'service' | 'node' | 'agent' | 'session';

export type AclRules = Partial<Record<AclResource | `${AclResource}_prefix`, Record<string, AclPolicy>>>;

export interface AclTokenSpec {
  /** Defaults to a UUID derived from the token's position. */
  accessorId?: string;
  /** A management token may do everything. */
  management?: boolean;
  rules?: AclRules;
}

export interface AclOptions {
  /** Default true when `acl` is given. */
  enabled?: boolean;
  /** What applies where no rule matches. Default `deny`. */
  defaultPolicy?: 'allow' | 'deny';
  /** Secret ID → token. `'management'` is shorthand for `{ management: true }`. */
  tokens?: Record<string, AclTokenSpec | 'management'>;
  /** Rules of the anonymous token (used when a request carries no token). Default none. */
  anonymous?: AclRules;
  /** Send the pre-1.11 body, exactly `Permission denied`, instead of the detailed one. */
  legacyDenyMessage?: boolean;
}

export const ANONYMOUS_ACCESSOR_ID = '00000000-0000-0000-0000-000000000002';

const RANK: Record<AclPolicy, number> = { deny: 0, read: 1, list: 2, write: 3 };

export type AccessLevel = 'read' | 'list' | 'write';

/** What a request may do. `denied()` builds the exact 403 body. */
export interface Authorizer {
  readonly enabled: boolean;
  /** Set when the request named a token that does not exist (→ 403 `ACL not found`). */
  readonly notFound: boolean;
  /** The request carried a token (else the anonymous token applies, and Consul masks the "filtered" header). */
  readonly tokenGiven: boolean;
  allowed(resource: AclResource, name: string, access: AccessLevel): boolean;
  /** Write on a whole prefix: the prefix is writable and no more specific rule below it is weaker. */
  allowedPrefixWrite(resource: AclResource, prefix: string): boolean;
  denied(resource: AclResource, name: string, access: AccessLevel): string;
}

export const ALLOW_ALL: Authorizer = {
  enabled: false,
  notFound: false,
  tokenGiven: false,
  allowed: () => true,
  allowedPrefixWrite: () => true,
  denied: () => 'Permission denied',
};

interface ResolvedToken {
  accessorId: string;
  anonymous: boolean;
  management: boolean;
  rules: AclRules;
}

export class AclSystem {
  readonly enabled: boolean;
  readonly defaultPolicy: 'allow' | 'deny';
  private readonly tokens = new Map<string, ResolvedToken>();
  private readonly anonymous: ResolvedToken;
  private readonly legacy: boolean;

  constructor(options: AclOptions | undefined) {
    this.enabled = options !== undefined && options.enabled !== false;
    this.defaultPolicy = this.enabled ? (options?.defaultPolicy ?? 'deny') : 'allow';
    this.legacy = options?.legacyDenyMessage === true;
    let n = 0;
    for (const [secret, spec] of Object.entries(options?.tokens ?? {})) {
      n++;
      const s: AclTokenSpec = spec === 'management' ? { management: true } : spec;
      this.tokens.set(secret, {
        accessorId: s.accessorId ?? `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
        anonymous: false,
        management: s.management === true,
        rules: s.rules ?? {},
      });
    }
    this.anonymous = {
      accessorId: ANONYMOUS_ACCESSOR_ID,
      anonymous: true,
      management: false,
      rules: options?.anonymous ?? {},
    };
  }

  /** The token a request carries: `?token=`, then `X-Consul-Token`, then `Authorization: Bearer`. */
  static tokenOf(req: IncomingMessage, query: URLSearchParams): string {
    const fromQuery = query.get('token');
    if (fromQuery) return fromQuery;
    const header = req.headers['x-consul-token'];
    if (typeof header === 'string' && header !== '') return header;
    const auth = req.headers.authorization;
    if (typeof auth === 'string') {
      const [scheme, value] = auth.trim().split(/\s+/);
      if (scheme?.toLowerCase() === 'bearer' && value) return value;
    }
    return '';
  }

  authorizer(secret: string): Authorizer {
    if (!this.enabled) return ALLOW_ALL;
    const token = secret === '' ? this.anonymous : this.tokens.get(secret);
    if (!token) {
      return {
        enabled: true,
        notFound: true,
        tokenGiven: true,
        allowed: () => false,
        allowedPrefixWrite: () => false,
        denied: () => 'ACL not found',
      };
    }
    const level = (resource: AclResource, name: string): number => {
      if (token.management) return RANK.write;
      const exact = token.rules[resource]?.[name];
      if (exact !== undefined) return RANK[exact];
      let best: AclPolicy | undefined;
      let bestLen = -1;
      for (const [prefix, policy] of Object.entries(token.rules[`${resource}_prefix`] ?? {})) {
        if (name.startsWith(prefix) && prefix.length > bestLen) {
          best = policy;
          bestLen = prefix.length;
        }
      }
      if (best !== undefined) return RANK[best];
      return this.defaultPolicy === 'allow' ? RANK.write : RANK.deny;
    };
    const legacy = this.legacy;
    return {
      enabled: true,
      notFound: false,
      tokenGiven: secret !== '',
      allowed: (resource, name, access) => level(resource, name) >= RANK[access],
      allowedPrefixWrite: (resource, prefix) => {
        if (level(resource, prefix) < RANK.write) return false;
        if (token.management) return true;
        const below = [
          ...Object.entries(token.rules[resource] ?? {}),
          ...Object.entries(token.rules[`${resource}_prefix`] ?? {}),
        ];
        return below.every(([name, policy]) => !name.startsWith(prefix) || RANK[policy] >= RANK.write);
      },
      denied: (resource, name, access) => {
        if (legacy) return 'Permission denied';
        const what = `lacks permission '${resource}:${access}' on ${goQuote(name)}`;
        return token.anonymous
          ? `Permission denied: anonymous token ${what}. The anonymous token is used implicitly when a request does not specify a token.`
          : `Permission denied: token with AccessorID '${token.accessorId}' ${what}`;
      },
    };
  }
}
