/**
 * The agent's Connect endpoints: `GET /v1/agent/connect/ca/roots` (blocking, no ACL),
 * `GET /v1/agent/connect/ca/leaf/<service>` (blocking until the agent replaces the leaf,
 * `service:write`) and `POST /v1/agent/connect/authorize` (`service:write` on the target), with
 * Consul's field names and error texts (agent/agent_endpoint.go, agent/connect_auth.go).
 */
import { blockingQuery } from './blocking.ts';
import { goTime, parseServiceUri, type ConnectCa } from './connect-ca.ts';
import { parseQueryOptions, readMeta, rpcGuard, type Call } from './endpoint.ts';

/** structs.ErrConnectNotEnabled, answered when the server runs without `connect`. */
function connectOf(call: Call): ConnectCa | undefined {
  const ca = call.core.connect;
  if (!ca) call.reply.text(500, 'Connect must be enabled in order to use this endpoint');
  return ca;
}

export async function handleConnectRoots(call: Call): Promise<void> {
  const options = parseQueryOptions(call);
  if (!options || !rpcGuard(call)) return;
  const ca = connectOf(call);
  if (!ca) return;
  const index = await blockingQuery({
    raft: call.core.raft,
    config: call.core.settings.blocking,
    params: options,
    signal: call.ctx.signal,
    run: () => ca.index,
    isFresh: (i) => i > options.minIndex,
  });
  call.reply.json(
    200,
    {
      ActiveRootID: ca.activeRoot.id,
      TrustDomain: ca.trustDomain,
      Roots: ca.allRoots().map((r) => ({
        ID: r.id,
        Name: r.name,
        SerialNumber: r.serialNumber,
        SigningKeyID: r.signingKeyId,
        ExternalTrustDomain: ca.trustDomain.replace(/\.consul$/, ''),
        NotBefore: goTime(r.notBefore),
        NotAfter: goTime(r.notAfter),
        RootCert: r.certPem,
        IntermediateCerts: r.intermediateCerts.length > 0 ? r.intermediateCerts : null,
        Active: r.active,
        PrivateKeyType: 'ec',
        PrivateKeyBits: 256,
        CreateIndex: r.createIndex,
        ModifyIndex: r.modifyIndex,
      })),
    },
    readMeta(call, index, { 'X-Cache': 'MISS' }),
  );
}

export async function handleConnectLeaf(call: Call): Promise<void> {
  const options = parseQueryOptions(call);
  if (!options || !rpcGuard(call)) return;
  const ca = connectOf(call);
  if (!ca) return;
  const service = call.ctx.path.slice('/v1/agent/connect/ca/leaf/'.length);
  if (!call.authz.allowed('service', service, 'write')) {
    return call.reply.text(403, call.authz.denied('service', service, 'write'));
  }
  const leaf = await blockingQuery({
    raft: call.core.raft,
    config: call.core.settings.blocking,
    params: options,
    signal: call.ctx.signal,
    run: () => ca.leaf(service),
    isFresh: (l) => l.modifyIndex > options.minIndex,
  });
  call.reply.json(
    200,
    {
      SerialNumber: leaf.serialNumber,
      CertPEM: leaf.certPem,
      PrivateKeyPEM: leaf.privateKeyPem,
      Service: leaf.service,
      ServiceURI: leaf.serviceUri,
      ValidAfter: goTime(leaf.validAfter),
      ValidBefore: goTime(leaf.validBefore),
      CreateIndex: leaf.createIndex,
      ModifyIndex: leaf.modifyIndex,
    },
    readMeta(call, leaf.modifyIndex, { 'X-Cache': 'MISS' }),
  );
}

export function handleConnectAuthorize(call: Call): void {
  if (call.authz.notFound) return call.reply.text(403, 'ACL not found');
  const ca = connectOf(call);
  if (!ca) return;
  let doc: unknown;
  try {
    doc = JSON.parse(call.ctx.body.toString('utf8') || 'null');
  } catch (err) {
    return call.reply.text(400, `Request decode failed: ${(err as Error).message}`);
  }
  // Go's decoder matches field names case-insensitively.
  const fields = new Map(
    Object.entries(typeof doc === 'object' && doc !== null ? doc : {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const text = (name: string): string => {
    const v = fields.get(name);
    return typeof v === 'string' ? v : '';
  };
  if (doc === null) return call.reply.text(400, 'Invalid request');
  const target = text('target');
  if (target === '') return call.reply.text(400, 'Target service must be specified');
  const uri = parseServiceUri(text('clientcerturi'));
  if ('error' in uri) return call.reply.text(400, uri.error);
  if (!call.authz.allowed('service', target, 'write')) return call.reply.text(403, 'Permission denied');
  const acl = call.core.acl;
  call.reply.json(200, ca.authorize(target, uri.service, acl.enabled ? acl.defaultPolicy : undefined));
}
