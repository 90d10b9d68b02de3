"""`watch_config` (generator/runtime/watch/): one blocking query on the service's Consul prefix in a
daemon thread; after each change (quiesced), SIGHUP, `reload()` or a moved dependency, a cycle
resolves the whole configuration again through the loader's own path (Consul from the query's
last answer) and validates it. Then: invalid → `invalid`, the last good configuration kept;
mutable keys changed → applied in place and `change`; restart-only keys changed →
`restart_required` and the restart policy (exit 75 after a grace period, or report only).
Nothing here raises once started: Consul failures are retried and reported, handler errors logged."""
from __future__ import annotations

import json
import logging
import os
import random
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from .codec import decode
from .consul.client import ConsulKv, KvEntry, TreeRead, classify, hidden_by_acl
from .consul.locate import ConsulLocation, locate_consul
from .consul.source import SnapshotSource
from .consul.wait import FailureStreak, problem_of
from .discovery import DiscoverySource, HealthFollower, address_of, discovered_services
from .load import default_logger, resolve_config
from .problems import ConfigError, Problem, format_problem, js_json, problems_line, show_value
from .settings import index_of
from .spec import Logger, ServiceSpec, SettingSpec
from .tree import ConfigTree, clone, dotted, get_at, is_missing
from .validation import json_equal

RESTART_EXIT_CODE = 75
DEFAULT_BLOCKING_WAIT_MS = 60_000
DEFAULT_QUIESCENCE = {"min_ms": 500, "max_ms": 5_000}

#: Handlers by event name: change, restart_required, invalid, error, reconnected.
WatchHandlers = Mapping[str, Callable[[Any], object]]


class KeyChange:
    """One leaf whose value differs; `str()` masks secrets: `log_level: "info" → "debug" (consul …)`."""

    def __init__(self, setting: SettingSpec, old_value: Any, new_value: Any, source: str) -> None:
        self.setting = setting
        #: The value running now; None-and-missing shows as `nothing`.
        self.old_value = old_value
        self.new_value = new_value
        self.source = source

    @property
    def key(self) -> str:
        return dotted(self.setting.path)

    @property
    def path(self) -> tuple[str, ...]:
        return self.setting.path

    @property
    def mutable(self) -> bool:
        return self.setting.mutable

    @property
    def secret(self) -> bool:
        return self.setting.secret

    def __str__(self) -> str:
        old = show_value(self.old_value, self.secret, missing=is_missing(self.old_value))
        new = show_value(self.new_value, self.secret, missing=is_missing(self.new_value))
        return f"{self.key}: {old} → {new} ({self.source})"

    __repr__ = __str__

    def as_dict(self) -> dict[str, Any]:
        def shown(value: Any) -> Any:
            if is_missing(value):
                return None
            return show_value(value, True) if self.secret else value

        return {"key": self.key, "mutable": self.mutable, "secret": self.secret, "oldValue": shown(self.old_value), "newValue": shown(self.new_value), "source": self.source}


def diff_configs(service: ServiceSpec, running: Mapping[str, Any], nxt: ConfigTree) -> list[KeyChange]:
    changes = []
    for setting in service.settings:
        before, after = get_at(running, setting.path), get_at(nxt.root, setting.path)
        if is_missing(before) != is_missing(after) or (not is_missing(before) and not json_equal(before, after)):
            changes.append(KeyChange(setting, before, after, nxt.source_of(setting.path)))
    return changes


def apply_changes(live: dict[str, Any], changes: Sequence[KeyChange]) -> None:
    """Writes each change's new value into `live`, in place (a key with no value any more is deleted)."""
    for change in changes:
        node = live
        for segment in change.path[:-1]:
            if not isinstance(node.get(segment), dict):
                node[segment] = {}
            node = node[segment]
        if is_missing(change.new_value):
            node.pop(change.path[-1], None)
        else:
            node[change.path[-1]] = clone(change.new_value)


@dataclass
class ChangeEvent:
    changes: list[KeyChange]
    config: dict[str, Any]
    reason: str
    type: str = "change"


@dataclass
class RestartRequiredEvent:
    changes: list[KeyChange]
    config: dict[str, Any]
    next: dict[str, Any]
    #: Ms until the process exits; None under `emit`.
    exit_in_ms: int | None
    reason: str
    type: str = "restart_required"


@dataclass
class InvalidEvent:
    problems: tuple[Problem, ...]
    message: str
    reason: str
    type: str = "invalid"


@dataclass
class WatchErrorEvent:
    what: str
    error: BaseException
    message: str
    attempt: int
    retry_in_ms: int
    type: str = "error"


@dataclass
class ReconnectedEvent:
    what: str
    attempts: int
    down_ms: int
    type: str = "reconnected"


class HiddenConsulChanges:
    """A Consul change that can never apply: the key is pinned by a source ranking above Consul (an
    environment variable, as a rendered env file or a ConfigMap sets for every key). Said once per
    key, not once per change (generator/runtime/watch/hidden.ts)."""

    def __init__(self, service: ServiceSpec) -> None:
        self.service = service
        self._seen: dict[str, str | None] | None = None
        self._reported: set[str] = set()

    def check(self, entries: Sequence[KvEntry], tree: ConfigTree) -> list[str]:
        """After a cycle: one line per key whose Consul value changed since the last cycle while another
        source set the value in use, each key at most once in the watcher's life; secrets masked."""
        previous = self._seen
        self._seen = {e.key: e.value for e in entries}
        if previous is None:
            return []
        index = index_of(self.service)
        lines = []
        for entry in entries:
            setting = index.by_consul_key.get(entry.key)
            if setting is None or entry.key in self._reported:
                continue
            if entry.key in previous and previous[entry.key] == entry.value:
                continue
            winner = tree.source_of(setting.path)
            if winner.startswith("consul "):
                continue
            self._reported.add(entry.key)
            decoded = decode(entry.value or "", setting.types, setting.item_types, setting.default)
            wanted = show_value(decoded.value if decoded.ok else (entry.value or ""), setting.secret)
            in_use = show_value(get_at(tree.root, setting.path), setting.secret)
            what = "live changes of this key do not apply" if setting.mutable else "a restart would not apply it either"
            fix = (
                f"remove {winner[len('env '):]} from the service's environment for Consul to apply"
                if winner.startswith("env ")
                else "that source ranks above Consul"
            )
            lines.append(
                f"{self.service.name}: {dotted(setting.path)}: Consul's new value {wanted} at {entry.key} is hidden by "
                f"{winner} ({in_use}): {what}; {fix} (said once per key)"
            )
        return lines


def backoff_delay(backoff: Mapping[str, int], attempt: int) -> int:
    initial = backoff.get("initial_ms", 250)
    capped = min(backoff.get("max_ms", 10_000), initial * 2 ** min(attempt - 1, 30))
    return int(round(capped * (0.5 + random.random() / 2)))


class _Restart:
    """The restart policy: exit (default, code 75 after `grace_ms`) or emit only."""

    def __init__(self, setting: Any, name: str, logger: Logger, exit: Callable[[int], None] | None) -> None:
        given: dict[str, Any] = {"policy": setting} if isinstance(setting, str) else dict(setting or {})
        self.policy = given.get("policy", "exit")
        self.exit_code = int(given.get("exit_code", RESTART_EXIT_CODE))
        self.grace_ms = int(given.get("grace_ms", 5_000))
        self.before_exit: Callable[[], object] | None = given.get("before_exit")
        self.name = name
        self.logger = logger
        self.exit = exit or _exit_process
        self.reported = ""
        self.timer: threading.Timer | None = None
        self.exit_at = 0.0

    def update(self, pending: Sequence[KeyChange]) -> tuple[bool, int | None]:
        signature = js_json([[c.key, None if is_missing(c.new_value) else c.new_value] for c in pending])
        if not pending:
            if self.timer:
                self.logger.info(f"{self.name}: restart cancelled: the restart-only keys are back to their running values")
            self.cancel()
            return False, None
        if signature == self.reported:
            return False, None
        self.reported = signature
        if self.policy == "emit":
            return True, None
        now = time.monotonic() * 1000
        if self.timer is None:
            self.exit_at = now + self.grace_ms
            self.timer = threading.Timer(self.grace_ms / 1000, self._exit_now)
            self.timer.daemon = True
            self.timer.start()
        return True, max(0, round(self.exit_at - now))

    def cancel(self) -> None:
        if self.timer:
            self.timer.cancel()
        self.timer = None
        self.reported = ""

    @property
    def pending(self) -> bool:
        return self.timer is not None

    def _exit_now(self) -> None:
        self.logger.warning(f"{self.name}: exiting with code {self.exit_code} so that the service manager starts it again with the new configuration")
        if self.before_exit:
            done = threading.Thread(target=self._before_exit, daemon=True)
            done.start()
            done.join(self.grace_ms / 1000)
        self.exit(self.exit_code)

    def _before_exit(self) -> None:
        try:
            assert self.before_exit is not None
            self.before_exit()
        except Exception as error:  # noqa: BLE001 - logged, the exit goes on
            self.logger.error(f"{self.name}: before_exit failed: {error}")


def _exit_process(code: int) -> None:
    # From a timer thread sys.exit would end only that thread: flush what can be flushed, then leave.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


class Watcher:
    """The handle `watch_config` returns: `config` (updated in place), `ready`, `reload()`, `close()`."""

    def __init__(self, service: ServiceSpec, config: dict[str, Any], handlers: WatchHandlers | None, options: dict[str, Any]) -> None:
        self.service = service
        self.config = config
        self.handlers = dict(handlers or {})
        self.logger: Logger = options.pop("logger", None) or default_logger
        given_wait = dict(options.pop("wait", None) or {})
        min_ms = max(0, given_wait.get("min_ms", DEFAULT_QUIESCENCE["min_ms"]))
        default_max = DEFAULT_QUIESCENCE["max_ms"] if "min_ms" not in given_wait else 4 * min_ms
        self.wait = {"min_ms": min_ms, "max_ms": max(min_ms, given_wait.get("max_ms", default_max))}
        self.blocking_wait_ms = int(options.pop("blocking_wait_ms", DEFAULT_BLOCKING_WAIT_MS))
        self.backoff = dict(options.pop("backoff", None) or {})
        self.rate_limit = dict(options.pop("rate_limit", None) or {})
        self.restart = _Restart(options.pop("restart", None), service.name, self.logger, options.pop("exit", None))
        sighup = options.pop("sighup", True)
        self.options = options
        self.ready = threading.Event()
        self._cond = threading.Condition()
        self._reasons: dict[str, None] = {}
        self._due: float | None = None
        self._first_at: float | None = None
        self._closed = False
        self._started = False
        self._invalid_now = False
        self._warned: set[str] = set()
        self._snapshot: TreeRead | None = None
        self._hidden = HiddenConsulChanges(service)
        self._cycles = 0
        self._kv: ConsulKv | None = None
        self._threads: list[threading.Thread] = []
        self._followers: list[ConsulKv] = []
        self._connect: Any = None

        consul = options.get("consul")
        env = options.get("env")
        located = None if consul is False else locate_consul(consul, os.environ if env is None else env)
        if located is not None and located.kind == "invalid":
            raise ConfigError(service.name, located.problems)
        self._location: ConsulLocation | None = located.location if located is not None and located.kind == "consul" else None
        # The follower exists before the first cycle can run (on another thread): a cycle without it would resolve the
        # Connect keys without their files and apply their defaults (null) live.
        if self._location is not None and options.get("connect") is not False and service.connect_tls is not None:
            from .connect.follow import ConnectFollower

            pem = options.get("pem_files")
            self._connect = ConnectFollower(
                service, self._location, _ConnectHost(self), pem if isinstance(pem, Mapping) else {}, os.environ if env is None else env, self.blocking_wait_ms
            )
        self._spawn(self._cycles_loop, "cycles")
        if self._location is not None:
            self._kv = ConsulKv(self._location)
            self._spawn(self._consul_loop, "consul")
        else:
            self._start()
        if self._discovers():
            for name in discovered_services(service):
                self._spawn(lambda n=name: self._discovery_loop(n), f"discovery {name}")  # type: ignore[misc]
        if self._connect is not None:
            self._connect.start()
        self._previous_sighup: Any = None
        if sighup and threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP"):
            self._previous_sighup = signal.signal(signal.SIGHUP, self._on_sighup)

    # --- public --------------------------------------------------------------------------------

    def reload(self, timeout: float | None = None) -> None:
        """Reads every source again now, as SIGHUP does (Consul from the last answer); returns when done."""
        self.ready.wait(timeout)
        with self._cond:
            target = self._cycles + 1
            self._request("reload", now=True)
            self._cond.wait_for(lambda: self._cycles >= target or self._closed, timeout)

    def close(self) -> None:
        """Stops watching: ends the query, restores the SIGHUP handler, cancels a pending restart."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self.restart.cancel()
        if self._kv:
            self._kv.close()
        for kv in self._followers:
            kv.close()
        if self._connect is not None:
            self._connect.close()
        if self._previous_sighup is not None and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGHUP, self._previous_sighup)
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(5)
        self.ready.set()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- triggers ------------------------------------------------------------------------------

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=f"wazo-config {self.service.name} {name}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _on_sighup(self, signum: int, frame: Any) -> None:
        self.logger.info(f"{self.service.name}: SIGHUP: reading the configuration again")
        with self._cond:
            self._request("sighup", now=True)

    def _request(self, reason: str, now: bool = False) -> None:
        """Under the lock: a cycle is wanted; `now` skips quiescence. Before the first answer it waits for it."""
        if self._closed:
            return
        self._reasons[reason] = None
        if not self._started:
            return
        clock = time.monotonic() * 1000
        min_ms, max_ms = self.wait["min_ms"], self.wait["max_ms"]
        if now or min_ms <= 0:
            self._due, self._first_at = clock, None
        else:
            if self._first_at is None:
                self._first_at = clock
            self._due = min(clock + min_ms, self._first_at + max_ms)
        self._cond.notify_all()

    def _start(self) -> None:
        with self._cond:
            self._started = True
            self._reasons["start"] = None
            self._due = time.monotonic() * 1000
            self._cond.notify_all()

    def _cycles_loop(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    if self._reasons and self._due is not None:
                        left = self._due - time.monotonic() * 1000
                        if left <= 0:
                            break
                        self._cond.wait(left / 1000)
                    else:
                        self._cond.wait()
                if self._closed:
                    return
                reasons = list(self._reasons)
                self._reasons.clear()
                self._due, self._first_at = None, None
            try:
                self._cycle(reasons)
            except Exception as error:  # noqa: BLE001 - a cycle never ends the watcher
                self.logger.error(f"{self.service.name}: watch cycle failed: {error!r}")
            with self._cond:
                self._cycles += 1
                self._cond.notify_all()
            if "start" in reasons:
                self.ready.set()

    def _consul_loop(self) -> None:
        assert self._kv is not None and self._location is not None
        kv, location, prefix = self._kv, self._location, self.service.consul_prefix
        timeout_ms = self.blocking_wait_ms + -(-self.blocking_wait_ms // 16) + location.request_timeout_ms
        last_index, streak = 0, FailureStreak()
        burst = max(1, int(self.rate_limit.get("burst", 2)))
        interval = max(0, int(self.rate_limit.get("interval_ms", 250)))
        tokens, updated = float(burst), time.monotonic() * 1000
        while not self._closed:
            now = time.monotonic() * 1000
            tokens = float(burst) if interval == 0 else min(burst, tokens + (now - updated) / interval)
            updated = now
            if tokens < 1:
                self._sleep(-(-(1 - tokens) * interval // 1))
                now = time.monotonic() * 1000
                tokens, updated = min(burst, tokens + (now - updated) / interval) if interval else burst, now
            tokens = max(0.0, tokens - 1)
            if self._closed:
                return
            try:
                read = kv.read_tree(prefix + "/", timeout_ms, last_index, self.blocking_wait_ms) if last_index else kv.read_tree(prefix + "/", timeout_ms)
                kv.note(read, self.logger, self.service.name)
                hidden = hidden_by_acl(read, not read.entries, location, f"keys under {prefix}/")
                if hidden:
                    raise hidden
            except Exception as error:  # noqa: BLE001 - reported, retried
                if self._closed:
                    return
                attempt = streak.failed()
                delay = backoff_delay(self.backoff, attempt)
                failure = classify(error)
                if failure.kind in ("unreachable", "http"):
                    message = f"Consul at {location.url} (located by {location.how}) did not answer the watch on {prefix}/: {failure.detail}"
                else:
                    message = format_problem(problem_of(failure, location, prefix))
                self._report_failure("consul", failure, message, attempt, delay)
                self._sleep(delay)
                continue
            ended = streak.recovered()
            if ended:
                self._report_recovered("consul", *ended)
            index = read.index if read.index > 0 else 1
            if last_index == 0 or index > last_index:
                last_index = index
                self._on_consul(read)
            elif index < last_index:
                # A snapshot restore or reaped tombstones: start over from 0 with what was answered.
                last_index = 0
                self._on_consul(read)

    def _discovery_loop(self, name: str) -> None:
        consul, env = self.options.get("consul"), self.options.get("env")
        located = locate_consul(consul or None, os.environ if env is None else env)
        if located.location is None:
            return
        kv = ConsulKv(located.location)
        self._followers.append(kv)
        follower = HealthFollower(kv, name)
        keys = [dotted(d.path) for d in self.service.discover if d.service == name]
        before: str | None = None
        streak = FailureStreak()
        stop = threading.Event()
        while not self._closed:
            try:
                instances = follower.next(self.blocking_wait_ms, located.location.request_timeout_ms, stop)
            except Exception as error:  # noqa: BLE001 - reported, retried
                if self._closed:
                    return
                attempt = streak.failed()
                delay = backoff_delay(self.backoff, attempt)
                self._report_failure("discovery", classify(error), f"discovery: {error}", attempt, delay)
                self._sleep(delay)
                continue
            ended = streak.recovered()
            if ended:
                self._report_recovered("discovery", *ended)
            instance = instances[0] if instances else None
            after = address_of(instance)
            if before is None:
                before = after
            elif instance is not None and after != before:
                self.logger.info(f"{self.service.name}: {name} ({', '.join(keys)}) moved: {before} → {after}")
                before = after
                with self._cond:
                    self._request("discovery")

    def _sleep(self, ms: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._closed, max(0, ms) / 1000)

    def _on_consul(self, read: TreeRead) -> None:
        content = json.dumps([[e.key, e.value] for e in read.entries])
        same = self._snapshot is not None and json.dumps([[e.key, e.value] for e in self._snapshot.entries]) == content
        self._snapshot = read
        if not self._started:
            self._start()
        elif not same:
            with self._cond:
                self._request("consul")

    # --- cycles --------------------------------------------------------------------------------

    def _discovers(self) -> bool:
        return self.options.get("consul") is not False and self.options.get("discover") is not False and len(self.service.discover) > 0

    def _resolve(self, first: bool) -> Any:
        watcher = self

        class _OnceLogger:
            def debug(self, m: str) -> None:
                watcher.logger.debug(m)

            def info(self, m: str) -> None:
                watcher.logger.info(m)

            def error(self, m: str) -> None:
                watcher.logger.error(m)

            def warning(self, m: str) -> None:
                if m not in watcher._warned and not first:
                    watcher.logger.warning(m)
                watcher._warned.add(m)

        extra: list[Any] = []
        if self._snapshot is not None:
            extra.append(SnapshotSource(self._snapshot.entries, bool(self.options.get("strict"))))
        if self._discovers():
            env = self.options.get("env")
            extra.append(DiscoverySource(self.options.get("consul") or None, os.environ if env is None else env))
        if self._connect is not None:
            from .connect.source import WatchedConnectSource

            extra.append(WatchedConnectSource())
        options = {k: v for k, v in self.options.items() if k not in ("consul", "wait_for_dependencies", "sources", "discover")}
        return resolve_config(self.service, **options, consul=False, sources=[*extra, *(self.options.get("sources") or [])], logger=_OnceLogger())

    def _cycle(self, reasons: list[str]) -> None:
        reason = ", ".join(reasons)
        first = "start" in reasons
        try:
            resolved = self._resolve(first)
        except Exception as error:  # noqa: BLE001 - an invalid change is an event
            problems = error.problems if isinstance(error, ConfigError) else (Problem(self.service.name, f"watch ({reason})", f"reading the configuration failed: {error}"),)
            message = str(ConfigError(self.service.name, problems))
            self._invalid_now = True
            self.logger.error(f"{problems_line(self.service.name, problems)}; change rejected: the last good configuration stays in use")
            if self.restart.pending:
                self.restart.cancel()
                self.logger.warning(f"{self.service.name}: restart postponed: the new configuration is invalid")
            self._emit("invalid", InvalidEvent(tuple(problems), message, reason))
            return
        if self._snapshot is not None:
            for line in self._hidden.check(self._snapshot.entries, resolved.tree):
                self.logger.warning(line)
        changes = _with_connect_changes(diff_configs(self.service, self.config, resolved.tree), self._connect_changes(resolved.tree))
        mutable = [c for c in changes if c.mutable]
        restart_only = [c for c in changes if not c.mutable]
        if self._invalid_now and not changes:
            self.logger.info(f"{self.service.name}: the configuration is valid again; nothing changed")
        self._invalid_now = False
        if mutable:
            apply_changes(self.config, mutable)
            self.logger.info(f"{self.service.name}: applied live: {'; '.join(map(str, mutable))}")
            self._emit("change", ChangeEvent(mutable, self.config, reason))
        report, exit_in_ms = self.restart.update(restart_only)
        if report:
            exiting = "" if exit_in_ms is None else f"; exiting with code {self.restart.exit_code} in {exit_in_ms / 1000:.1f} s"
            self.logger.warning(f"{self.service.name}: restart required: {'; '.join(map(str, restart_only))}{exiting}")
            self._emit("restart_required", RestartRequiredEvent(restart_only, self.config, resolved.config, exit_in_ms, reason))

    def _connect_changes(self, tree: ConfigTree) -> list[KeyChange]:
        """The Connect files were rewritten in place since the last cycle: their paths are the same, their content is
        not. Each of the group's keys that points at them is reported changed, as mutable as the group is."""
        from .connect.source import CONNECT_SOURCE

        what = self._connect.take_change() if self._connect is not None else None
        spec = self.service.connect_tls
        if what is None or spec is None:
            return []
        changes = []
        for path in (spec.certificate, spec.private_key, *((spec.ca,) if spec.ca else ())):
            setting = next((s for s in self.service.settings if s.path == path), None)
            if setting is None or tree.source_of(path) != CONNECT_SOURCE:
                continue
            value = get_at(tree.root, path)
            changes.append(KeyChange(setting, value, value, f"{CONNECT_SOURCE}: {what}"))
        return changes

    def _report_failure(self, what: str, error: BaseException, message: str, attempt: int, delay: int) -> None:
        line = f"{self.service.name}: {message}; attempt {attempt}, retrying in {delay / 1000:.1f} s (the last good configuration stays in use)"
        if attempt == 1:
            self.logger.warning(line)
        else:
            self.logger.debug(line)
        self._emit("error", WatchErrorEvent(what, error, message, attempt, delay))

    def _report_recovered(self, what: str, attempts: int, down_ms: float) -> None:
        self.logger.info(f"{self.service.name}: {what} answers again after {down_ms / 1000:.1f} s ({attempts} failed attempt{'' if attempts == 1 else 's'})")
        self._emit("reconnected", ReconnectedEvent(what, attempts, round(down_ms)))

    def _emit(self, name: str, event: Any) -> None:
        """Calls the event's handler; what it raises is logged, never fatal."""
        handler = self.handlers.get(name)
        if handler is None:
            return
        try:
            handler(event)
        except Exception as error:  # noqa: BLE001
            self.logger.error(f"{self.service.name}: the {name} handler failed: {error!r}")


def _with_connect_changes(diff: list[KeyChange], connect: list[KeyChange]) -> list[KeyChange]:
    """The changes of a cycle: the diff's, and the Connect files rewritten in place. A key in both (its path changed
    too) is reported once, from its old path to its new one, with the renewal or rotation as its source."""
    renewed = {c.key: c for c in connect}
    merged = []
    for change in diff:
        also = renewed.pop(change.key, None)
        merged.append(change if also is None else KeyChange(change.setting, change.old_value, change.new_value, also.source))
    return [*merged, *renewed.values()]


class _ConnectHost:
    """What the Connect follower (connect/follow.py) uses of its watcher: threads, pacing, reports."""

    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.logger = watcher.logger

    @property
    def closed(self) -> bool:
        return self.watcher._closed

    def spawn(self, target: Callable[[], None], name: str) -> None:
        self.watcher._spawn(target, name)

    def sleep(self, ms: float) -> None:
        self.watcher._sleep(ms)

    def backoff_ms(self, attempt: int) -> int:
        return backoff_delay(self.watcher.backoff, attempt)

    def report_failure(self, what: str, error: BaseException, message: str, attempt: int, delay: int) -> None:
        self.watcher._report_failure(what, error, message, attempt, delay)

    def report_recovered(self, what: str, attempts: int, down_ms: float) -> None:
        self.watcher._report_recovered(what, attempts, down_ms)

    def changed(self, what: str) -> None:
        with self.watcher._cond:
            self.watcher._request("connect")


def watch(service: ServiceSpec, config: dict[str, Any], handlers: WatchHandlers | None = None, **options: Any) -> Watcher:
    return Watcher(service, config, handlers, dict(options))
