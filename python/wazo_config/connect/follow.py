"""Following the Connect material (connect/watch.ts) with two blocking queries, each in a daemon thread
of the watcher: the leaf (Consul answers when the agent has replaced it, before it expires, or after
a root rotation) and the roots. Each new answer is checked and, when it is good and differs from what
is written, the files are rewritten and the watcher runs a cycle, in which the marked group's keys are
reported changed. A leaf that must not be used is reported as an `error` event and the last good
material stays."""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, Mapping, Protocol

from ..consul.client import ConnectRead, ConsulKv, classify
from ..consul.locate import ConsulLocation
from ..consul.wait import FailureStreak
from ..problems import ConfigError, format_problem
from ..spec import Logger, ServiceSpec
from .files import connect_files
from .material import ConnectLeaf, ConnectRoots, leaf_of, roots_of
from .source import connect_failure_problem, use_material

#: The least time between two reads of one query: an agent answering at once cannot make a busy loop.
_MIN_INTERVAL_MS = 100


class Host(Protocol):
    """What the watcher gives the follower: its threads, its pacing, its reports."""

    logger: Logger

    @property
    def closed(self) -> bool: ...
    def spawn(self, target: Callable[[], None], name: str) -> None: ...
    def sleep(self, ms: float) -> None: ...
    def backoff_ms(self, attempt: int) -> int: ...
    def report_failure(self, what: str, error: BaseException, message: str, attempt: int, delay: int) -> None: ...
    def report_recovered(self, what: str, attempts: int, down_ms: float) -> None: ...
    def changed(self, what: str) -> None: ...


class ConnectFollower:
    def __init__(self, service: ServiceSpec, location: ConsulLocation, host: Host, pem_files: Mapping[str, Any], env: Mapping[str, str], block_ms: int) -> None:
        self.service = service
        self.location = location
        self.host = host
        self.pem_files = pem_files
        self.env = env
        self.block_ms = block_ms
        self._pending: list[str] = []
        self._leaf: ConnectLeaf | None = None
        self._roots: ConnectRoots | None = None
        self._lock = threading.Lock()
        self._clients: list[ConsulKv] = []

    def start(self) -> None:
        name = self.service.name
        self._follow("leaf", lambda kv, t, i, w: kv.connect_leaf(name, t, i, w), lambda body: self._keep_leaf(leaf_of(body, name)))
        self._follow("roots", lambda kv, t, i, w: kv.connect_roots(t, i, w), lambda body: self._keep_roots(roots_of(body)))

    def take_change(self) -> str | None:
        """What was rewritten since the last call (`leaf 0a → 0b`, `roots rotated`), then forgets it."""
        with self._lock:
            what = ", ".join(dict.fromkeys(self._pending)) or None
            self._pending.clear()
            return what

    def close(self) -> None:
        for kv in self._clients:
            kv.close()

    def _keep_leaf(self, leaf: ConnectLeaf) -> None:
        with self._lock:
            self._leaf = leaf
        self._apply()

    def _keep_roots(self, roots: ConnectRoots) -> None:
        with self._lock:
            self._roots = roots
        self._apply()

    def _apply(self) -> None:
        # The leaf answer comes before the roots it chains to, or after: both are tried together.
        host, service = self.host, self.service
        with self._lock:
            if self._leaf is None or self._roots is None:
                return
            before = connect_files(service.name)
            logger = _FailuresAsEvents(host)
            try:
                files, what = use_material(service, self._leaf, self._roots, self.pem_files, self.env, logger)
            except ConfigError as error:
                host.report_failure("connect", error, "; ".join(format_problem(p) for p in error.problems), 1, 0)
                return
            except OSError as error:
                host.report_failure("connect", error, f"{service.name}: writing the Connect material failed: {error}", 1, 0)
                return
            if what is None or files is before:
                return
            self._pending.append(what)
        host.logger.info(f"{service.name}: Connect material rewritten ({what})")
        host.changed(what)

    def _follow(self, what: str, read: Callable[[ConsulKv, float, int | None, int | None], ConnectRead], keep: Callable[[Any], None]) -> None:
        kv = ConsulKv(self.location)
        self._clients.append(kv)
        timeout_ms = self.block_ms + -(-self.block_ms // 16) + self.location.request_timeout_ms

        def loop() -> None:
            host = self.host
            index, streak, last_start = 0, FailureStreak(), -1e18
            while not host.closed:
                pause = last_start + _MIN_INTERVAL_MS - time.monotonic() * 1000
                if pause > 0:
                    host.sleep(pause)
                last_start = time.monotonic() * 1000
                try:
                    answer = read(kv, timeout_ms, index or None, self.block_ms if index else None)
                    new_index = answer.index if answer.index > 0 else 1
                    if index == 0 or new_index != index:
                        keep(answer.body)
                except Exception as error:  # noqa: BLE001 - reported, retried
                    if host.closed:
                        return
                    attempt = streak.failed()
                    delay = host.backoff_ms(attempt)
                    failure = classify(error)
                    host.report_failure("connect", failure, format_problem(connect_failure_problem(self.service, failure, self.location)), attempt, delay)
                    host.sleep(delay)
                    continue
                ended = streak.recovered()
                if ended:
                    host.report_recovered("connect", *ended)
                # A snapshot restore or an agent restart sends the index back: start over from 0.
                index = 0 if new_index < index else new_index

        self.host.spawn(loop, f"connect {what}")


class _FailuresAsEvents:
    """The logger `use_material` gets in a watcher: a leaf refused while the last good one stays is an `error` event."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def debug(self, message: str) -> None:
        self.host.logger.debug(message)

    def info(self, message: str) -> None:
        self.host.logger.info(message)

    def warning(self, message: str) -> None:
        self.host.logger.warning(message)

    def error(self, message: str) -> None:
        self.host.report_failure("connect", Exception(message), message, 1, 0)
