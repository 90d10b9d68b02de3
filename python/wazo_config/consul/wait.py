"""Waiting for Consul (consul/wait.ts): while it is unreachable, retry with capped exponential
backoff and jitter, one log line per attempt, up to the location's wait timeout; then one clear
problem. ACL and TLS failures are not waited for: they need a person."""
from __future__ import annotations

import random
import time
from typing import Callable, TypeVar

from ..problems import Problem
from ..spec import Logger
from .client import ConsulFailure, classify
from .locate import CONSUL_FILE, VARIABLES, ConsulLocation

T = TypeVar("T")


class ConsulUnavailable(Exception):
    """Waiting ended without an answer; `problem` says what, where, and what to do."""

    def __init__(self, failure: ConsulFailure, problem: Problem) -> None:
        super().__init__(f"{problem.key} ({problem.source}): {problem.message}")
        self.failure = failure
        self.problem = problem


class Clock:
    def now(self) -> float:
        return time.monotonic() * 1000

    def sleep(self, ms: float) -> None:
        time.sleep(max(0.0, ms) / 1000)

    def random(self) -> float:
        return random.random()


REAL_CLOCK = Clock()


class FailureStreak:
    """The consecutive failed reads of a watcher's loop (KV, discovery, Connect): `failed()` counts one and gives
    its attempt number; `recovered()`, after a good read, gives what to report once — attempts and time down."""

    __slots__ = ("count", "_since")

    def __init__(self) -> None:
        self.count = 0
        self._since = 0.0

    def failed(self) -> int:
        self.count += 1
        if self.count == 1:
            self._since = time.monotonic() * 1000
        return self.count

    def recovered(self) -> tuple[int, float] | None:
        if self.count == 0:
            return None
        ended = (self.count, time.monotonic() * 1000 - self._since)
        self.count = 0
        return ended


def seconds(ms: float) -> str:
    value = round(ms / 1000, 1 if ms < 10_000 else 0)
    return f"{value:g} s"


def wait_for_consul(location: ConsulLocation, what: str, prefix: str, logger: Logger, attempt: Callable[[float], T], clock: Clock = REAL_CLOCK) -> T:
    start = clock.now()
    deadline = start + location.wait_timeout_ms
    n = 1
    while True:
        try:
            remaining = max(deadline - clock.now(), 1_000)
            return attempt(min(location.request_timeout_ms, remaining))
        except Exception as error:  # noqa: BLE001 - sorted below
            failure = classify(error)
            if not failure.retryable:
                raise ConsulUnavailable(failure, problem_of(failure, location, prefix)) from None
            left = deadline - clock.now()
            if left <= 0:
                waited = (n, (clock.now() - start) / 1000)
                raise ConsulUnavailable(failure, problem_of(failure, location, prefix, waited)) from None
            capped = min(location.backoff["max_ms"], location.backoff["initial_ms"] * 2 ** (n - 1))
            delay = min(round(capped * (0.5 + clock.random() / 2)), left)
            logger.info(
                f"{what}: Consul at {location.url} (located by {location.how}) is not reachable: {failure.detail}; "
                f"attempt {n}, retrying in {seconds(delay)} (waiting up to {seconds(location.wait_timeout_ms)} in all)"
            )
            clock.sleep(delay)
            n += 1


def problem_of(failure: ConsulFailure, location: ConsulLocation, prefix: str, waited: tuple[int, float] | None = None) -> Problem:
    """The one problem a failure becomes: the address, how it was located, the error and what to do."""
    key, source = f"consul {location.url}", f"located by {location.how}"
    if failure.kind == "acl":
        hint = (
            f'the ACL token from {location.token_origin} is unknown to Consul or lacks key:read on {prefix}/; give it a policy with key_prefix "{prefix}/" {{ policy = "read" }}'
            if location.token
            else f"the request carried no ACL token: set {VARIABLES['token']} (environment or {CONSUL_FILE}) to a token with key:read on {prefix}/"
        )
        return Problem(key, source, f"Consul denied reading {prefix}/: {failure.detail}", hint=hint)
    if failure.kind == "tls":
        hint = (
            f"the CA file {location.ca_file} (from {location.ca_file_origin}) did not verify Consul's certificate: it must be the CA that signed it, for the name {location.host}"
            if location.ca_file
            else f"set {VARIABLES['ca_file']} to the PEM file of the CA that signed Consul's certificate"
        )
        return Problem(key, source, f"TLS with {location.url} failed: {failure.detail}", hint=hint)
    if failure.kind == "ca-file":
        return Problem(key, source, failure.detail, hint=f"{VARIABLES['ca_file']} (from {location.ca_file_origin}) must name a PEM file the service can read")
    if failure.kind == "malformed":
        return Problem(
            key,
            source,
            f"what answered is not Consul: {failure.detail}",
            hint=f"check that {VARIABLES['host']}, {VARIABLES['port']} and {VARIABLES['scheme']} (or {CONSUL_FILE}) point at a Consul agent, not a proxy or another service",
        )
    if waited is None:
        return Problem(key, source, f"Consul answered {failure.detail}", hint="check the address is a Consul agent and its logs")
    attempts, _ = waited
    message = (
        f"Consul did not answer (one attempt, waiting is off); error: {failure.detail}"
        if location.wait_timeout_ms == 0
        else f"Consul did not answer within {seconds(location.wait_timeout_ms)} ({attempts} attempt{'' if attempts == 1 else 's'}); last error: {failure.detail}"
    )
    hint = (
        f"start Consul or fix its address ({VARIABLES['host']}, {VARIABLES['port']}, {VARIABLES['scheme']} or {CONSUL_FILE}); "
        f"{VARIABLES['wait_timeout']} sets how long to wait (seconds); {VARIABLES['disabled']}=true runs without Consul"
    )
    return Problem(key, source, message, hint=hint)
