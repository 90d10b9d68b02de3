"""The `connect` source (connect/source.ts), between discovered addresses and the environment: for a
service whose schema marks a group `x-connect-tls`, when Consul is located, the leaf certificate and
the roots from the local agent, checked (material.py), written to private files (files.py), and the
paths given to the group's leaves, attributed `consul connect`. A leaf that must not be used
(expired, not the service's, not signed by the roots) is never written: the last good material of
this process stays, with an error logged, or loading fails with the reason."""
from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from ..consul.client import ConsulFailure, ConsulKv
from ..consul.locate import ConsulLocation, locate_consul
from ..consul.wait import ConsulUnavailable, problem_of, wait_for_consul
from ..problems import ConfigError, Problem
from ..sources import SourceContext, SourceOutput, ValuesLayer
from ..spec import ConnectTlsSpec, Logger, ServiceSpec
from ..tree import dotted
from .files import ConnectFiles, connect_files, write_connect_files
from .material import ConnectLeaf, ConnectRoots, leaf_of, leaf_problem, roots_of

CONNECT_SOURCE = "consul connect"

T = TypeVar("T")


def connect_output(spec: ConnectTlsSpec, files: ConnectFiles) -> SourceOutput:
    """The group's leaves set to the files' paths."""
    layer = ValuesLayer([(spec.certificate, files.certificate, CONNECT_SOURCE), (spec.private_key, files.private_key, CONNECT_SOURCE)])
    if spec.ca is not None:
        layer.values.append((spec.ca, files.ca, CONNECT_SOURCE))
    return SourceOutput([layer])


def connect_problem(service: ServiceSpec, message: str, hint: str) -> Problem:
    """A problem with the Connect material, named by the marked group."""
    assert service.connect_tls is not None
    return Problem(dotted(service.connect_tls.path), CONNECT_SOURCE, message, hint=hint)


def connect_failure_problem(service: ServiceSpec, failure: ConsulFailure, location: ConsulLocation) -> Problem:
    """What a failed Connect read means, with what to do."""
    if failure.kind == "acl":
        token = f"from {location.token_origin}" if location.token else "(none was sent)"
        return connect_problem(
            service,
            f"Consul denied the Connect leaf certificate of {service.name}: {failure.detail}",
            f'the token {token} needs service:write on {service.name}: service "{service.name}" {{ policy = "write" }}',
        )
    if failure.status == 500 and "Connect must be enabled" in failure.detail:
        return connect_problem(
            service,
            f"Consul at {location.url} has Connect disabled: {failure.detail}",
            "enable it in the agents' configuration (connect { enabled = true }), or load with connect=False and set the paths yourself",
        )
    return problem_of(failure, location, f"agent/connect/ca/leaf/{service.name}")


def read_connect(kv: ConsulKv, service: ServiceSpec, logger: Logger) -> tuple[ConnectLeaf, ConnectRoots]:
    """One non-blocking read of the leaf and of the roots, waiting for Consul as the loader does; raises ConfigError."""
    location = kv.location

    def read(what: str, call: Callable[[float], T]) -> T:
        return wait_for_consul(location, service.name, what, logger, call)

    try:
        leaf = read(f"agent/connect/ca/leaf/{service.name}", lambda timeout: kv.connect_leaf(service.name, timeout))
        roots = read("agent/connect/ca/roots", lambda timeout: kv.connect_roots(timeout))
        return leaf_of(leaf.body, service.name), roots_of(roots.body)
    except ConsulUnavailable as error:
        unreachable = error.failure.kind == "unreachable"
        raise ConfigError(service.name, [error.problem if unreachable else connect_failure_problem(service, error.failure, location)]) from None
    except ConsulFailure as failure:
        raise ConfigError(service.name, [connect_failure_problem(service, failure, location)]) from None


def use_material(
    service: ServiceSpec,
    leaf: ConnectLeaf,
    roots: ConnectRoots,
    options: Mapping[str, Any],
    env: Mapping[str, str],
    logger: Logger,
) -> tuple[ConnectFiles, str | None]:
    """Checks and writes new material; when it must not be used, keeps what this process wrote last
    (logged as an error) or raises ConfigError. Returns the files in use and what changed."""
    problem = leaf_problem(leaf, roots)
    if problem is None:
        return write_connect_files(service.name, leaf, roots, options, env)
    last = connect_files(service.name)
    if last is None:
        hint = "nothing was written; check the Consul agent (and this host's clock), or load with connect=False"
        raise ConfigError(service.name, [connect_problem(service, problem, hint)])
    logger.error(f"{service.name}: {problem}; keeping the last good one (serial {last.serial})")
    return last, None


class ConnectSource:
    """The `connect` source of a load: quiet and without a request when the service marks no group or
    nothing locates Consul (an invalid location is the Consul source's problem)."""

    name = "connect"

    def __init__(self, consul: Mapping[str, Any] | None, env: Mapping[str, str], pem_files: Mapping[str, Any]) -> None:
        self.consul = consul
        self.env = env
        self.pem_files = pem_files

    def read(self, context: SourceContext) -> SourceOutput:
        service = context.service
        spec = service.connect_tls
        if spec is None:
            return SourceOutput()
        located = locate_consul(self.consul, self.env)
        if located.kind != "consul" or located.location is None:
            return SourceOutput()
        try:
            kv = ConsulKv(located.location)
        except ConsulFailure as failure:
            raise ConfigError(service.name, [problem_of(failure, located.location, "")]) from None
        try:
            leaf, roots = read_connect(kv, service, context.logger)
        finally:
            kv.close()
        files, _ = use_material(service, leaf, roots, self.pem_files, self.env, context.logger)
        return connect_output(spec, files)


class WatchedConnectSource:
    """The `connect` source of a watch cycle: the files its own blocking queries keep current; no read of its own."""

    name = "connect"

    def read(self, context: SourceContext) -> SourceOutput:
        spec = context.service.connect_tls
        files = connect_files(context.service.name)
        return connect_output(spec, files) if spec is not None and files is not None else SourceOutput()
