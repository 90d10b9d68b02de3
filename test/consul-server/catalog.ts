/**
 * The single dev node's catalog: the node, its services (the agent's local services, synced
 * synchronously), their health checks with TTL timers, and the per-service indexes that health
 * and catalog blocking queries watch (§3.1, §6). Writes take the shared raft index.
 */
import type { RaftIndex } from './raft-index.ts';

export type CheckStatus = 'passing' | 'warning' | 'critical';

export interface ServiceInstance {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly tags: readonly string[];
  readonly address: string;
  readonly port: number;
  readonly meta: Readonly<Record<string, string>> | null;
  readonly taggedAddresses: Readonly<Record<string, unknown>> | null;
  readonly weights: { readonly Passing: number; readonly Warning: number };
  readonly enableTagOverride: boolean;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface HealthCheck {
  readonly checkId: string;
  readonly name: string;
  readonly status: CheckStatus;
  readonly notes: string;
  readonly output: string;
  /** '' for node-level checks. */
  readonly serviceId: string;
  readonly serviceName: string;
  readonly serviceTags: readonly string[];
  readonly type: string;
  readonly interval: string;
  readonly timeout: string;
  /** Only for TTL checks. */
  readonly ttlMs?: number;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export interface NodeInfo {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly datacenter: string;
  readonly createIndex: number;
  readonly modifyIndex: number;
}

export type ServiceInput = Omit<ServiceInstance, 'createIndex' | 'modifyIndex'>;
export type CheckInput = Omit<
  HealthCheck,
  'createIndex' | 'modifyIndex' | 'serviceId' | 'serviceName' | 'serviceTags' | 'status' | 'output'
> & {
  /** undefined: keep the current status of an existing check, else `critical`. */
  status?: CheckStatus;
};

export class Catalog {
  node: NodeInfo;
  private readonly services = new Map<string, ServiceInstance>();
  private readonly checks = new Map<string, HealthCheck>();
  private readonly serviceIndex = new Map<string, number>();
  private servicesTableIndex = 0;
  private lastExtinction = 0;
  private readonly ttlTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly raft: RaftIndex,
    node: { id: string; name: string; datacenter: string },
  ) {
    // Bootstrap writes of a dev agent: the node with serfHealth, then the `consul` service.
    const i1 = raft.next();
    this.node = { ...node, address: '127.0.0.1', createIndex: i1, modifyIndex: i1 };
    this.checks.set('serfHealth', {
      checkId: 'serfHealth',
      name: 'Serf Health Status',
      status: 'passing',
      notes: '',
      output: 'Agent alive and reachable',
      serviceId: '',
      serviceName: '',
      serviceTags: [],
      type: '',
      interval: '',
      timeout: '',
      createIndex: i1,
      modifyIndex: i1,
    });
    raft.commit(i1);
    const i2 = raft.next();
    this.services.set('consul', {
      id: 'consul',
      name: 'consul',
      kind: '',
      tags: [],
      address: '',
      port: 8300,
      meta: {
        raft_version: '3',
        serf_protocol_current: '2',
        serf_protocol_max: '5',
        serf_protocol_min: '1',
        version: '1.21.4',
      },
      taggedAddresses: null,
      weights: { Passing: 1, Warning: 1 },
      enableTagOverride: false,
      createIndex: i2,
      modifyIndex: i2,
    });
    this.serviceIndex.set('consul', i2);
    this.servicesTableIndex = i2;
    raft.commit(i2);
    raft.onReset((to) => this.clampIndexes(to));
  }

  // ---- reads -------------------------------------------------------------------------------

  instances(name: string): ServiceInstance[] {
    return [...this.services.values()]
      .filter((s) => s.name === name)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  allServices(): ServiceInstance[] {
    return [...this.services.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  service(id: string): ServiceInstance | undefined {
    return this.services.get(id);
  }

  /** Node-level checks first, then the service's, as Consul lists them. */
  checksFor(serviceId: string): HealthCheck[] {
    const all = [...this.checks.values()];
    return [
      ...all.filter((c) => c.serviceId === ''),
      ...all.filter((c) => c.serviceId === serviceId && serviceId !== ''),
    ];
  }

  allChecks(): HealthCheck[] {
    return [...this.checks.values()];
  }

  check(id: string): HealthCheck | undefined {
    return this.checks.get(id);
  }

  /**
   * The raw index a health/catalog query on `name` watches: the service's; for a service that does
   * not exist, the last extinction (the last deregistration of any service), and when no service
   * ever went extinct the catalog's max index (nodes, services, checks) — so unrelated catalog
   * writes wake a wait on a service never seen (`maxIndexAndWatchChForService`, state/catalog.go).
   */
  indexForService(name: string): number {
    const own = this.serviceIndex.get(name);
    if (own !== undefined) return own;
    if (this.lastExtinction > 0) return this.lastExtinction;
    return this.catalogMaxIndex();
  }

  /** The highest index of the node, service and check tables. */
  catalogMaxIndex(): number {
    let max = this.servicesTableIndex;
    for (const c of this.checks.values()) max = Math.max(max, c.modifyIndex);
    return max;
  }

  indexForServicesTable(): number {
    return this.servicesTableIndex;
  }

  // ---- writes ------------------------------------------------------------------------------

  /** Register (or replace) a service and its checks; `replaceChecks` drops its checks not listed. */
  register(input: ServiceInput, checks: CheckInput[], replaceChecks: boolean): void {
    const idx = this.raft.next();
    let changed = false;
    const existing = this.services.get(input.id);
    const next: ServiceInstance = { ...input, createIndex: existing?.createIndex ?? idx, modifyIndex: idx };
    if (!existing || JSON.stringify({ ...existing, modifyIndex: 0 }) !== JSON.stringify({ ...next, modifyIndex: 0 })) {
      this.services.set(input.id, next);
      if (existing && existing.name !== input.name) this.touchService(existing.name, idx, true);
      changed = true;
    }
    const listed = new Set(checks.map((c) => c.checkId));
    if (replaceChecks) {
      for (const c of [...this.checks.values()]) {
        if (c.serviceId === input.id && !listed.has(c.checkId)) {
          this.dropCheck(c.checkId);
          changed = true;
        }
      }
    }
    for (const c of checks) {
      const old = this.checks.get(c.checkId);
      const check: HealthCheck = {
        ...c,
        status: c.status ?? old?.status ?? 'critical',
        output: old?.output ?? '',
        serviceId: input.id,
        serviceName: input.name,
        serviceTags: input.tags,
        createIndex: old?.createIndex ?? idx,
        modifyIndex: idx,
      };
      if (!old || JSON.stringify({ ...old, modifyIndex: 0 }) !== JSON.stringify({ ...check, modifyIndex: 0 })) {
        this.checks.set(c.checkId, check);
        changed = true;
      }
      if (check.ttlMs !== undefined) this.armTtl(check.checkId, check.ttlMs);
    }
    if (!changed) return;
    this.touchService(input.name, idx, false);
    this.servicesTableIndex = idx;
    this.raft.commit(idx);
  }

  /** Remove a service and its checks. Unknown IDs are a no-op. */
  deregister(id: string): void {
    const existing = this.services.get(id);
    if (!existing) return;
    const idx = this.raft.next();
    this.services.delete(id);
    for (const c of [...this.checks.values()]) if (c.serviceId === id) this.dropCheck(c.checkId);
    this.touchService(existing.name, idx, true);
    this.servicesTableIndex = idx;
    this.raft.commit(idx);
  }

  /** Set a check's status and output (TTL pass/warn/fail/update); re-arms its TTL. False if unknown. */
  updateCheck(checkId: string, status: CheckStatus, output: string): boolean {
    const check = this.checks.get(checkId);
    if (!check) return false;
    if (check.ttlMs !== undefined) this.armTtl(checkId, check.ttlMs);
    this.setStatus(check, status, output);
    return true;
  }

  /** Stop every TTL timer (server shutdown). */
  close(): void {
    for (const t of this.ttlTimers.values()) clearTimeout(t);
    this.ttlTimers.clear();
  }

  private setStatus(check: HealthCheck, status: CheckStatus, output: string): void {
    if (check.status === status && check.output === output) return; // the agent syncs only changes
    const idx = this.raft.next();
    this.checks.set(check.checkId, { ...check, status, output, modifyIndex: idx });
    if (check.serviceId === '') {
      for (const name of new Set([...this.services.values()].map((s) => s.name))) this.touchService(name, idx, false);
    } else {
      this.touchService(check.serviceName, idx, false);
    }
    this.raft.commit(idx);
  }

  private armTtl(checkId: string, ttlMs: number): void {
    const old = this.ttlTimers.get(checkId);
    if (old) clearTimeout(old);
    const timer = setTimeout(() => {
      this.ttlTimers.delete(checkId);
      const check = this.checks.get(checkId);
      if (check) this.setStatus(check, 'critical', 'TTL expired');
    }, ttlMs);
    timer.unref();
    this.ttlTimers.set(checkId, timer);
  }

  private dropCheck(checkId: string): void {
    this.checks.delete(checkId);
    const t = this.ttlTimers.get(checkId);
    if (t) clearTimeout(t);
    this.ttlTimers.delete(checkId);
  }

  private touchService(name: string, idx: number, maybeGone: boolean): void {
    if (maybeGone && this.instances(name).length === 0) {
      this.serviceIndex.delete(name);
      this.lastExtinction = idx;
      return;
    }
    this.serviceIndex.set(name, idx);
  }

  private clampIndexes(to: number): void {
    const clamp = <T extends { createIndex: number; modifyIndex: number }>(x: T): T => ({
      ...x,
      createIndex: Math.min(x.createIndex, to),
      modifyIndex: Math.min(x.modifyIndex, to),
    });
    for (const [k, s] of this.services) this.services.set(k, clamp(s));
    for (const [k, c] of this.checks) this.checks.set(k, clamp(c));
    for (const [k, i] of this.serviceIndex) this.serviceIndex.set(k, Math.min(i, to));
    this.node = clamp(this.node);
    this.servicesTableIndex = Math.min(this.servicesTableIndex, to);
    this.lastExtinction = Math.min(this.lastExtinction, to);
  }
}
