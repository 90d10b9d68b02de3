"""Service discovery (generator/runtime/discovery/): `x-service.dependsOn` waited for before
loading, `x-discover` groups filled from Consul health (source `discovered <service>`, between
Consul KV and the env), and the follower a watcher uses to see a dependency move."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Mapping, Sequence

from .codec import decode
from .consul.client import ConsulFailure, ConsulKv, HealthInstance, hidden_by_acl
from .consul.locate import VARIABLES, ConsulLocation, locate_consul
from .consul.wait import REAL_CLOCK, Clock, ConsulUnavailable, problem_of, wait_for_consul
from .problems import ConfigError, Problem, show_value
from .settings import SettingsIndex
from .sources import SourceContext, SourceOutput, ValuesLayer
from .tree import dotted, pointer_of
from .spec import Logger, ServiceSpec

#: The leaves of a discovered group that an instance fills, and the text each gets.
_FIELDS: dict[str, Callable[[HealthInstance], str | None]] = {
    "host": lambda i: i.address,
    "port": lambda i: str(i.port),
    # Consul has no scheme: a registering service says it in its Meta (`scheme: https`).
    "scheme": lambda i: i.meta.get("scheme"),
    "https": lambda i: None if i.meta.get("scheme") is None else ("true" if i.meta.get("scheme") == "https" else "false"),
}

#: The last instance seen of each service, by Consul address and service name.
_last_seen: dict[str, HealthInstance] = {}


def open_consul(options: Mapping[str, Any] | None, env: Mapping[str, str]) -> tuple[str, Any]:
    """("consul", ConsulKv), ("off", reason) or ("invalid", problems)."""
    located = locate_consul(options, env)
    if located.kind != "consul" or located.location is None:
        return (located.kind, located.problems if located.kind == "invalid" else located.reason)
    try:
        return ("consul", ConsulKv(located.location))
    except ConsulFailure as failure:
        return ("invalid", [problem_of(failure, located.location, "")])


def address_of(instance: HealthInstance | None) -> str:
    if instance is None:
        return "none"
    scheme = f"{instance.meta['scheme']}://" if instance.meta.get("scheme") else ""
    host = f"[{instance.address}]" if ":" in instance.address else instance.address
    return f"{scheme}{host}:{instance.port}"


def health_denied(failure: ConsulFailure, location: ConsulLocation, service: str) -> Problem:
    policy = f'service "{service}" {{ policy = "read" }} and node_prefix "" {{ policy = "read" }}'
    hint = (
        f"give the ACL token (from {location.token_origin}) a policy with {policy}"
        if location.token
        else f"the request carried no ACL token: set {VARIABLES['token']} to a token with a policy with {policy}"
    )
    return Problem(f"consul {location.url}", f"located by {location.how}", f"Consul denied reading the health of {service}: {failure.detail}", hint=hint)


class HealthFollower:
    """Blocking reads of one service's passing instances (consul-http-api.md §3.3 client rules)."""

    def __init__(self, kv: ConsulKv, service: str, min_interval_ms: float = 100) -> None:
        self.kv = kv
        self.service = service
        self.index = 0
        self._last_start = -1e18
        self._min_interval_ms = min_interval_ms

    def next(self, wait_ms: float, request_timeout_ms: float, stop: threading.Event | None = None) -> list[HealthInstance]:
        pause = self._last_start + self._min_interval_ms - time.monotonic() * 1000
        if pause > 0:
            (stop.wait(pause / 1000) if stop else time.sleep(pause / 1000))
        self._last_start = time.monotonic() * 1000
        wait = max(1, int(-(-wait_ms // 1)))
        blocking = self.index > 0
        timeout = request_timeout_ms + (-(-wait * 17 // 16) if blocking else 0)
        read = self.kv.health_service(self.service, timeout, self.index if blocking else None, wait if blocking else None)
        hidden = hidden_by_acl(read, not read.instances, self.kv.location, f"instances of {self.service}")
        if hidden:
            raise hidden
        index = read.index if read.index > 0 else 1
        self.index = 0 if index < self.index else index
        return read.instances


def discovered_services(service: ServiceSpec) -> list[str]:
    return list(dict.fromkeys(d.service for d in service.discover))


def discovered_layer(service: ServiceSpec, index: SettingsIndex, instances: Mapping[str, HealthInstance | None]) -> tuple[ValuesLayer, list[Problem]]:
    layer = ValuesLayer()
    problems: list[Problem] = []
    for spec in service.discover:
        instance = instances.get(spec.service)
        if instance is None:
            continue
        source = f"discovered {spec.service}"
        for key, field in _FIELDS.items():
            setting = index.by_pointer.get(pointer_of((*spec.path, key)))
            text = field(instance)
            if setting is None or text is None:
                continue
            decoded = decode(text, setting.types, setting.item_types, setting.default)
            if decoded.ok:
                layer.values.append((setting.path, decoded.value, source))
            else:
                problems.append(Problem(dotted(setting.path), source, f"expected {decoded.expected}", show_value(text, setting.secret), decoded.hint))
    return layer, problems


def read_instances(kv: ConsulKv, services: Sequence[str], what: str, logger: Logger) -> dict[str, HealthInstance | None]:
    found: dict[str, HealthInstance | None] = {}
    for name in services:
        read = wait_for_consul(kv.location, what, f"health/service/{name}", logger, lambda t, n=name: kv.health_service(n, t))  # type: ignore[misc]
        hidden = hidden_by_acl(read, not read.instances, kv.location, f"instances of {name}")
        if hidden:
            raise ConsulUnavailable(hidden, health_denied(hidden, kv.location, name))
        found[name] = read.instances[0] if read.instances else None
    return found


def _keys_of(service: ServiceSpec, name: str) -> list[str]:
    return [dotted(d.path) for d in service.discover if d.service == name]


class DiscoverySource:
    """The `x-discover` groups, from Consul health. Quiet and without a request when the service
    discovers nothing or nothing locates Consul. An address once seen sticks while the service has
    no passing instance."""

    name = "discovery"

    def __init__(self, options: Mapping[str, Any] | None, env: Mapping[str, str]) -> None:
        self.options = options
        self.env = env

    def read(self, context: SourceContext) -> SourceOutput:
        service = context.service
        services = discovered_services(service)
        if not services:
            return SourceOutput()
        kind, opened = open_consul(self.options, self.env)
        if kind != "consul":
            return SourceOutput()
        kv: ConsulKv = opened
        try:
            instances = read_instances(kv, services, service.name, context.logger)
            for name, instance in list(instances.items()):
                seen_key = f"{kv.location.url} {name}"
                if instance is not None:
                    _last_seen[seen_key] = instance
                    continue
                last = _last_seen.get(seen_key)
                instances[name] = last
                keys = _keys_of(service, name)
                keeping = f"the last address seen, {address_of(last)}" if last else "the values of the other sources"
                context.logger.info(
                    f"{service.name}: no passing instance of {name} in Consul at {kv.location.url}: {', '.join(keys)} keep{'s' if len(keys) == 1 else ''} {keeping}"
                )
            layer, problems = discovered_layer(service, context.index, instances)
            return SourceOutput([layer], problems)
        except ConsulUnavailable as error:
            raise ConfigError(service.name, [error.problem]) from None
        finally:
            kv.close()


def wait_for_dependencies(
    service: ServiceSpec,
    options: bool | Mapping[str, Any],
    *,
    consul: Any = None,
    env: Mapping[str, str],
    logger: Logger,
    clock: Clock = REAL_CLOCK,
) -> dict[str, HealthInstance]:
    """Waits until every dependency (`x-service.dependsOn`, or `services`) has a passing instance.
    Without Consul there is nothing to wait on. Raises ConfigError on timeout, an invalid location,
    or an ACL/TLS failure. Options: services, timeout_ms, block_ms."""
    opts: Mapping[str, Any] = options if isinstance(options, Mapping) else {}
    services = list(opts.get("services") or service.depends_on)
    found: dict[str, HealthInstance] = {}
    if not services:
        return found
    kind, opened = ("off", "consul: False") if consul is False else open_consul(consul, env)
    if kind == "invalid":
        raise ConfigError(service.name, opened)
    if kind == "off":
        logger.debug(f"{service.name}: not waiting for {', '.join(services)}: {opened}")
        return found
    kv: ConsulKv = opened
    timeout_ms = opts.get("timeout_ms", kv.location.wait_timeout_ms)
    option_name = VARIABLES["wait_timeout"] if opts.get("timeout_ms") is None else "wait_for_dependencies.timeout_ms"
    deadline = clock.now() + timeout_ms
    problems: list[Problem] = []
    try:
        for name in services:
            follower = HealthFollower(kv, name)
            started = clock.now()
            round_ = 1
            while True:
                left = deadline - clock.now()
                location = kv.location._replace(wait_timeout_ms=max(0, int(left)))
                try:
                    instances = wait_for_consul(
                        location, service.name, f"health/service/{name}", logger,
                        lambda t, f=follower, l=left: f.next(min(l, opts.get("block_ms", 30_000)), t), clock,  # type: ignore[misc]
                    )
                except ConsulUnavailable as error:
                    problems.append(health_denied(error.failure, kv.location, name) if error.failure.kind == "acl" else error.problem)
                    break
                waited = f"{(clock.now() - started) / 1000:.1f}"
                if instances:
                    found[name] = instances[0]
                    if round_ > 1:
                        logger.info(f"{service.name}: {name} is up at {address_of(instances[0])} (waited {waited} s)")
                    break
                if clock.now() >= deadline:
                    problems.append(
                        Problem(
                            f"dependency {name}",
                            f"consul health/service/{name}?passing",
                            f"no passing instance of {name} within {timeout_ms / 1000:g} s",
                            hint=f"start {name} with service_discovery.enabled: true so that it registers in Consul and its TTL check passes; {option_name} sets how long to wait",
                        )
                    )
                    break
                logger.info(
                    f"{service.name}: waiting for {name}: no passing instance in Consul at {kv.location.url} yet ({waited} s; waiting up to {timeout_ms / 1000:g} s in all)"
                )
                round_ += 1
        if problems:
            raise ConfigError(service.name, problems)
        return found
    finally:
        kv.close()
