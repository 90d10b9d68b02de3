/**
 * Agent, health, catalog and status endpoints (§6, §7.1): service registration with checks,
 * TTL check updates, `GET /v1/health/service/<name>` (blocking, `?passing`, `?tag`),
 * `GET /v1/catalog/service/<name>`, `/v1/catalog/services`, `/v1/agent/self`,
 * `/v1/agent/services`, `/v1/agent/checks`, `/v1/status/leader`, `/v1/status/peers`.
 */
import { blockingQuery } from './blocking.ts';
import type { CheckInput, CheckStatus, HealthCheck, ServiceInput, ServiceInstance } from './catalog.ts';
import { filteredHeader, parseQueryOptions, readMeta, rpcGuard, type Call, type QueryOptions } from './endpoint.ts';
import { parseGoDuration } from './go-duration.ts';
import { goQuote } from './go-json.ts';
import { parseGoBool } from './http-io.ts';

// ---- status ------------------------------------------------------------------------------

export function handleStatusLeader(call: Call): void {
  call.reply.json(200, call.core.hasLeader() ? '127.0.0.1:8300' : '');
}

export function handleStatusPeers(call: Call): void {
  call.reply.json(200, call.core.hasLeader() ? ['127.0.0.1:8300'] : []);
}

// ---- agent -------------------------------------------------------------------------------

function tokenExists(call: Call): boolean {
  if (!call.authz.notFound) return true;
  call.reply.text(403, 'ACL not found');
  return false;
}

export function handleAgentSelf(call: Call): void {
  if (!tokenExists(call)) return;
  const { settings, catalog } = call.core;
  if (!call.authz.allowed('agent', settings.nodeName, 'read')) {
    return call.reply.text(403, call.authz.denied('agent', settings.nodeName, 'read'));
  }
  call.reply.json(200, {
    Config: {
      Datacenter: settings.datacenter,
      PrimaryDatacenter: settings.datacenter,
      NodeName: settings.nodeName,
      NodeID: settings.nodeId,
      Partition: '',
      Revision: 'test-server',
      Server: true,
      Version: settings.version,
      BuildDate: '2025-01-01T00:00:00Z',
    },
    DebugConfig: { Datacenter: settings.datacenter, NodeName: settings.nodeName, ServerMode: true, DevMode: true },
    Coord: { Vec: [0, 0, 0, 0, 0, 0, 0, 0], Error: 1.5, Adjustment: 0, Height: 0.00001 },
    Member: {
      Name: settings.nodeName,
      Addr: catalog.node.address,
      Port: 8301,
      Tags: { dc: settings.datacenter, role: 'consul', build: `${settings.version}:test`, id: settings.nodeId },
      Status: 1,
      ProtocolMin: 1,
      ProtocolMax: 5,
      ProtocolCur: 2,
      DelegateMin: 2,
      DelegateMax: 5,
      DelegateCur: 4,
    },
    Stats: { agent: { check_monitors: '0' }, consul: { leader: String(call.core.hasLeader()), server: 'true' } },
    Meta: { 'consul-network-segment': '' },
    xDS: { SupportedProxies: {}, Port: -1, Ports: {} },
  });
}

function agentService(s: ServiceInstance, datacenter: string): Record<string, unknown> {
  return {
    ID: s.id,
    Service: s.name,
    Tags: s.tags,
    Meta: s.meta,
    Port: s.port,
    Address: s.address,
    TaggedAddresses: s.taggedAddresses ?? undefined,
    Weights: s.weights,
    EnableTagOverride: s.enableTagOverride,
    Datacenter: datacenter,
  };
}

export function handleAgentServices(call: Call): void {
  if (!tokenExists(call)) return;
  const out: Record<string, unknown> = {};
  for (const s of call.core.catalog.allServices()) {
    if (s.id === 'consul') continue; // the server's own service is not an agent-local service
    if (call.authz.allowed('service', s.name, 'read')) out[s.id] = agentService(s, call.core.settings.datacenter);
  }
  call.reply.json(200, out);
}

export function handleAgentChecks(call: Call): void {
  if (!tokenExists(call)) return;
  const out: Record<string, unknown> = {};
  for (const c of call.core.catalog.allChecks()) {
    if (c.serviceId === '') continue;
    if (call.authz.allowed('service', c.serviceName, 'read'))
      out[c.checkId] = checkJson(c, call.core.settings.nodeName);
  }
  call.reply.json(200, out);
}

const SERVICE_FIELDS = new Set([
  'kind',
  'id',
  'name',
  'tags',
  'address',
  'taggedaddresses',
  'meta',
  'port',
  'socketpath',
  'enabletagoverride',
  'check',
  'checks',
  'weights',
  'proxy',
  'connect',
  'token',
  'namespace',
  'partition',
  'locality',
]);

/** Go json field matching (case-insensitive) plus Consul's snake_case aliases. */
function fold(obj: Record<string, unknown>): Map<string, unknown> {
  return new Map(Object.entries(obj).map(([k, v]) => [k.toLowerCase().replace(/_/g, ''), v]));
}

class BadRequest extends Error {}

export function handleServiceRegister(call: Call): void {
  if (!tokenExists(call)) return;
  let def: ReturnType<typeof parseServiceDefinition>;
  try {
    def = parseServiceDefinition(call.ctx.body);
  } catch (err) {
    if (err instanceof BadRequest) return call.reply.text(400, err.message);
    throw err;
  }
  if (!call.authz.allowed('service', def.service.name, 'write')) {
    return call.reply.text(403, call.authz.denied('service', def.service.name, 'write'));
  }
  call.core.catalog.register(def.service, def.checks, call.ctx.query.has('replace-existing-checks'));
  call.reply.empty(200);
}

function parseServiceDefinition(body: Buffer): { service: ServiceInput; checks: CheckInput[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8') || 'null');
  } catch (err) {
    throw new BadRequest(`Request decode failed: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new BadRequest('Request decode failed: expected a JSON object');
  for (const k of Object.keys(doc)) {
    if (!SERVICE_FIELDS.has(k.toLowerCase().replace(/_/g, '')))
      throw new BadRequest(`Request decode failed: json: unknown field ${goQuote(k)}`);
  }
  const f = fold(doc as Record<string, unknown>);
  const name = str(f.get('name'));
  if (name === '') throw new BadRequest('Missing service name');
  const id = str(f.get('id')) || name;
  const address = str(f.get('address'));
  if (address === '0.0.0.0' || address === '::' || address === '[::]') throw new BadRequest('Invalid service address');
  const rawWeights = f.get('weights');
  let weights = { Passing: 1, Warning: 1 };
  if (rawWeights && typeof rawWeights === 'object') {
    const w = fold(rawWeights as Record<string, unknown>);
    weights = { Passing: Number(w.get('passing') ?? 1), Warning: Number(w.get('warning') ?? 1) };
    if (!(weights.Passing >= 1)) throw new BadRequest('Invalid Weights: Passing must be greater than 0');
  }
  const tags = Array.isArray(f.get('tags')) ? (f.get('tags') as unknown[]).map(String) : [];
  const meta = f.get('meta') && typeof f.get('meta') === 'object' ? (f.get('meta') as Record<string, string>) : null;
  const tagged =
    f.get('taggedaddresses') && typeof f.get('taggedaddresses') === 'object'
      ? (f.get('taggedaddresses') as Record<string, unknown>)
      : null;
  const service: ServiceInput = {
    id,
    name,
    kind: str(f.get('kind')),
    tags,
    address,
    port: Number(f.get('port') ?? 0) || 0,
    meta,
    taggedAddresses: tagged,
    weights,
    enableTagOverride: f.get('enabletagoverride') === true,
  };
  const rawChecks: unknown[] = [];
  if (f.get('check')) rawChecks.push(f.get('check'));
  if (Array.isArray(f.get('checks'))) rawChecks.push(...(f.get('checks') as unknown[]));
  const multiple = rawChecks.length > 1;
  const checks = rawChecks.map((c, i) => parseCheck(c, service, multiple ? i + 1 : 0));
  return { service, checks };
}

const STATUSES = new Set(['passing', 'warning', 'critical']);

function parseCheck(raw: unknown, service: ServiceInput, ordinal: number): CheckInput {
  if (typeof raw !== 'object' || raw === null) throw new BadRequest('Request decode failed: check must be an object');
  const f = fold(raw as Record<string, unknown>);
  const status = str(f.get('status'));
  if (status !== '' && !STATUSES.has(status))
    throw new BadRequest("Status for checks must 'passing', 'warning', 'critical'");
  const ttl = f.get('ttl');
  const interval = str(f.get('interval'));
  let type: string;
  let ttlMs: number | undefined;
  if (ttl !== undefined && ttl !== '' && ttl !== 0) {
    ttlMs = typeof ttl === 'number' ? ttl / 1e6 : parseGoDuration(String(ttl));
    if (ttlMs === undefined || !(ttlMs > 0)) throw new BadRequest('Invalid check: TTL must be > 0 for TTL checks');
    type = 'ttl';
  } else if (f.get('aliasservice') || f.get('aliasnode')) {
    type = 'alias';
  } else {
    const kinds: [string, string][] = [
      ['http', 'http'],
      ['tcp', 'tcp'],
      ['udp', 'udp'],
      ['grpc', 'grpc'],
      ['h2ping', 'h2ping'],
      ['args', 'script'],
      ['scriptargs', 'script'],
    ];
    type = kinds.find(([k]) => f.get(k) !== undefined && f.get(k) !== '')?.[1] ?? '';
    if (type === '' || interval === '') {
      throw new BadRequest(
        'Invalid check: TTL must be > 0 for TTL checks, or a script, HTTP, TCP, UDP, gRPC, H2Ping or alias check needs an Interval',
      );
    }
  }
  const checkId =
    str(f.get('checkid')) ||
    str(f.get('id')) ||
    (ordinal > 0 ? `service:${service.id}:${ordinal}` : `service:${service.id}`);
  return {
    checkId,
    name: str(f.get('name')) || `Service '${service.name}' check`,
    notes: str(f.get('notes')),
    type,
    interval,
    timeout: str(f.get('timeout')),
    ttlMs,
    status: status === '' ? undefined : (status as CheckStatus),
  };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function handleServiceDeregister(call: Call): void {
  if (!tokenExists(call)) return;
  const id = call.ctx.path.slice('/v1/agent/service/deregister/'.length);
  const existing = call.core.catalog.service(id);
  if (existing && !call.authz.allowed('service', existing.name, 'write')) {
    return call.reply.text(403, call.authz.denied('service', existing.name, 'write'));
  }
  // Consul ≥ 1.x answers 404 for an ID the agent does not know (vetServiceUpdateWithAuthorizer in
  // agent/acl.go, consul issue #17218); older docs called it a no-op.
  if (!existing) return call.reply.text(404, `Unknown service ID ${goQuote(id)}`);
  call.core.catalog.deregister(id);
  call.reply.empty(200);
}

/** `PUT /v1/agent/check/{pass,warn,fail}/<id>?note=` and `PUT /v1/agent/check/update/<id>`. */
export function handleCheckUpdate(call: Call): void {
  if (!tokenExists(call)) return;
  const rest = call.ctx.path.slice('/v1/agent/check/'.length);
  const slash = rest.indexOf('/');
  const action = rest.slice(0, slash);
  const checkId = rest.slice(slash + 1);
  let status: CheckStatus;
  let output = call.ctx.query.get('note') ?? '';
  if (action === 'update') {
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(call.ctx.body.toString('utf8') || '{}') as Record<string, unknown>;
    } catch (err) {
      return call.reply.text(400, `Request decode failed: ${(err as Error).message}`);
    }
    const f = fold(doc);
    const s = str(f.get('status'));
    if (!STATUSES.has(s)) return call.reply.text(400, `Invalid check status: ${goQuote(s)}`);
    status = s as CheckStatus;
    output = str(f.get('output'));
  } else {
    status = action === 'pass' ? 'passing' : action === 'warn' ? 'warning' : 'critical';
  }
  const check = call.core.catalog.check(checkId);
  if (!check)
    return call.reply.text(
      404,
      `Unknown check ID ${goQuote(checkId)}. Ensure that the check ID is passed, not the check name.`,
    );
  if (check.serviceId !== '' && !call.authz.allowed('service', check.serviceName, 'write')) {
    return call.reply.text(403, call.authz.denied('service', check.serviceName, 'write'));
  }
  // The agent updates its local state and syncs the catalog asynchronously (anti-entropy with an
  // immediate trigger): with `agentSyncDelayMs`, health and catalog reads see the new status late.
  const delay = call.core.settings.agentSyncDelayMs;
  if (delay > 0)
    setTimeout(
      () => call.core.catalog.check(checkId) && call.core.catalog.updateCheck(checkId, status, output),
      delay,
    ).unref();
  else call.core.catalog.updateCheck(checkId, status, output);
  call.reply.empty(200);
}

// ---- health and catalog ------------------------------------------------------------------

function checkJson(c: HealthCheck, node: string): Record<string, unknown> {
  return {
    Node: node,
    CheckID: c.checkId,
    Name: c.name,
    Status: c.status,
    Notes: c.notes,
    Output: c.output,
    ServiceID: c.serviceId,
    ServiceName: c.serviceName,
    ServiceTags: c.serviceTags,
    Type: c.type,
    Interval: c.interval,
    Timeout: c.timeout,
    ExposedPort: 0,
    Definition: {},
    CreateIndex: c.createIndex,
    ModifyIndex: c.modifyIndex,
  };
}

function consistencyHeader(opts: QueryOptions): Record<string, string> {
  return { 'X-Consul-Effective-Consistency': opts.consistent ? 'consistent' : opts.stale ? 'stale' : 'leader' };
}

function serviceName(call: Call, prefix: string): string | undefined {
  const name = call.ctx.path.slice(prefix.length);
  if (name === '') {
    call.reply.text(400, 'Missing service name');
    return undefined;
  }
  return name;
}

function rejectFilter(call: Call): boolean {
  if (!call.ctx.query.has('filter')) return false;
  call.reply.text(400, 'Failed to create boolean expression evaluator: ?filter is not implemented by the test server');
  return true;
}

function matchesTags(s: ServiceInstance, wanted: string[]): boolean {
  const have = s.tags.map((t) => t.toLowerCase());
  return wanted.every((t) => have.includes(t.toLowerCase()));
}

export async function handleHealthService(call: Call): Promise<void> {
  let passingOnly = false;
  if (call.ctx.query.has('passing')) {
    const v = call.ctx.query.get('passing') ?? '';
    const parsed = v === '' ? true : parseGoBool(v);
    if (parsed === undefined) return call.reply.text(400, 'Invalid value for ?passing');
    passingOnly = parsed;
  }
  const { catalog } = call.core;
  await answerServiceQuery(call, '/v1/health/service/', {
    // Health rows carry the node too: reading them needs node:read as well.
    readable: (s) =>
      call.authz.allowed('service', s.name, 'read') && call.authz.allowed('node', catalog.node.name, 'read'),
    row: (s) => {
      const checks = catalog.checksFor(s.id);
      if (passingOnly && checks.some((c) => c.status !== 'passing')) return undefined;
      return {
        Node: nodeJson(call),
        Service: healthServiceJson(s),
        Checks: checks.map((c) => checkJson(c, catalog.node.name)),
      };
    },
  });
}

/**
 * The frame the health and catalog listings share: query options, the service name, one
 * blocking query over its instances with ACL filtering, and the answer with its index.
 */
async function answerServiceQuery(
  call: Call,
  prefix: string,
  listing: { readable(s: ServiceInstance): boolean; row(s: ServiceInstance): Record<string, unknown> | undefined },
): Promise<void> {
  const opts = parseQueryOptions(call);
  if (!opts) return;
  const name = serviceName(call, prefix);
  if (name === undefined) return;
  if (rejectFilter(call) || !rpcGuard(call)) return;
  const { catalog, settings } = call.core;
  const tags = call.ctx.query.getAll('tag');
  const result = await blockingQuery({
    raft: call.core.raft,
    config: settings.blocking,
    params: opts,
    signal: call.ctx.signal,
    run: () => {
      let filtered = false;
      const rows: Record<string, unknown>[] = [];
      for (const s of catalog.instances(name)) {
        if (!matchesTags(s, tags)) continue;
        if (!listing.readable(s)) {
          filtered = true;
          continue;
        }
        const row = listing.row(s);
        if (row) rows.push(row);
      }
      return { rows, filtered, index: catalog.indexForService(name) };
    },
    isFresh: (r) => r.index > opts.minIndex,
  });
  if (call.ctx.signal.aborted) return;
  call.reply.json(200, result.rows, {
    ...readMeta(call, result.index, filteredHeader(call, result.filtered)),
    ...consistencyHeader(opts),
  });
}

function nodeJson(call: Call): Record<string, unknown> {
  const n = call.core.catalog.node;
  return {
    ID: n.id,
    Node: n.name,
    Address: n.address,
    Datacenter: n.datacenter,
    TaggedAddresses: { lan: n.address, lan_ipv4: n.address, wan: n.address, wan_ipv4: n.address },
    Meta: { 'consul-network-segment': '' },
    CreateIndex: n.createIndex,
    ModifyIndex: n.modifyIndex,
  };
}

function healthServiceJson(s: ServiceInstance): Record<string, unknown> {
  return {
    ID: s.id,
    Service: s.name,
    Tags: s.tags,
    Address: s.address,
    TaggedAddresses: s.taggedAddresses ?? undefined,
    Meta: s.meta,
    Port: s.port,
    Weights: s.weights,
    EnableTagOverride: s.enableTagOverride,
    Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
    Connect: {},
    PeerName: '',
    CreateIndex: s.createIndex,
    ModifyIndex: s.modifyIndex,
  };
}

export async function handleCatalogService(call: Call): Promise<void> {
  const n = call.core.catalog.node;
  await answerServiceQuery(call, '/v1/catalog/service/', {
    readable: (s) => call.authz.allowed('service', s.name, 'read'),
    row: (s) => ({
      ID: n.id,
      Node: n.name,
      Address: n.address,
      Datacenter: n.datacenter,
      TaggedAddresses: { lan: n.address, lan_ipv4: n.address, wan: n.address, wan_ipv4: n.address },
      NodeMeta: { 'consul-network-segment': '' },
      ServiceKind: s.kind,
      ServiceID: s.id,
      ServiceName: s.name,
      ServiceTags: s.tags,
      ServiceAddress: s.address,
      ServiceTaggedAddresses: s.taggedAddresses ?? undefined,
      ServiceWeights: s.weights,
      ServiceMeta: s.meta ?? {},
      ServicePort: s.port,
      ServiceEnableTagOverride: s.enableTagOverride,
      ServiceProxy: { Mode: '', MeshGateway: {}, Expose: {} },
      ServiceConnect: {},
      CreateIndex: s.createIndex,
      ModifyIndex: s.modifyIndex,
    }),
  });
}

export async function handleCatalogServices(call: Call): Promise<void> {
  const opts = parseQueryOptions(call);
  if (!opts) return;
  if (rejectFilter(call) || !rpcGuard(call)) return;
  const { catalog, settings } = call.core;
  const result = await blockingQuery({
    raft: call.core.raft,
    config: settings.blocking,
    params: opts,
    signal: call.ctx.signal,
    run: () => {
      const map: Record<string, string[]> = {};
      let filtered = false;
      for (const s of catalog.allServices()) {
        if (!call.authz.allowed('service', s.name, 'read')) {
          filtered = true;
          continue;
        }
        const tags = (map[s.name] ??= []);
        for (const t of s.tags) if (!tags.includes(t)) tags.push(t);
      }
      const sorted: Record<string, string[]> = {};
      for (const k of Object.keys(map).sort()) sorted[k] = map[k] ?? [];
      return { map: sorted, filtered, index: catalog.indexForServicesTable() };
    },
    isFresh: (r) => r.index > opts.minIndex,
  });
  if (call.ctx.signal.aborted) return;
  call.reply.json(200, result.map, {
    ...readMeta(call, result.index, filteredHeader(call, result.filtered)),
    ...consistencyHeader(opts),
  });
}
