"""Registering a service in Consul, as Wazo's `ServiceCatalogRegistration` and `Registerer` do
(discovery/registration.ts): when `service_discovery.enabled`, wait until the service's own
`check()` passes (asking again every `retry_interval` s), register it with a TTL check, send the TTL
every `refresh_interval` s (after a failure: back to `retry_interval` and register again), and
deregister on `stop()` or on SIGTERM / SIGINT. Runs in a daemon thread."""
from __future__ import annotations

import fcntl
import os
import signal
import socket
import struct
import threading
import uuid as uuids
from typing import Any, Callable, Mapping, Sequence

from .consul.client import ConsulKv
from .discovery import open_consul
from .load import default_logger
from .problems import ConfigError, Problem
from .spec import Logger


def _ipv4_of(interface: str) -> str | None:
    """The IPv4 address of a network interface (SIOCGIFADDR), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            packed = fcntl.ioctl(s.fileno(), 0x8915, struct.pack("256s", interface[:15].encode()))
            return socket.inet_ntoa(packed[20:24])
    except OSError:
        return None


def advertise_address(settings: Mapping[str, Any], interfaces: Callable[[], Sequence[str]] | None = None) -> str:
    """`advertise_address`, or for `auto` the first IPv4 address of `advertise_address_interface`,
    then of the interfaces named `eth*` or `en*`, then of `lo`; else 127.0.0.1."""
    if settings["advertise_address"] != "auto":
        return str(settings["advertise_address"])
    names = [name for _, name in socket.if_nameindex()] if interfaces is None else list(interfaces())
    for name in [settings.get("advertise_address_interface", ""), *[n for n in names if n.startswith(("eth", "en"))], "lo"]:
        address = _ipv4_of(name) if name else None
        if address:
            return address
    return "127.0.0.1"


class ServiceRegistration:
    """The handle: `id`, `address`, `port`, `tags`, `registered` (an Event), `state()`, `stop()`."""

    def __init__(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        uuid: str | None = None,
        id: str | None = None,
        meta: Mapping[str, str] | None = None,
        check: Callable[[], bool] | None = None,
        consul: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        logger: Logger | None = None,
        deregister_on: Sequence[int] = (signal.SIGTERM, signal.SIGINT),
    ) -> None:
        self.name = name
        self.settings = settings
        self.logger = logger or default_logger
        self.id = id or str(uuids.uuid4())
        self.address = advertise_address(settings)
        self.port = int(settings["advertise_port"])
        self.tags = [*([uuid] if uuid else []), name, *settings.get("extra_tags", [])]
        self.meta = dict(meta or {})
        self.check = check
        self.registered = threading.Event()
        self._state = "waiting"
        self._stop = threading.Event()
        self._stopped = False
        self._lock = threading.Lock()
        self._kv: ConsulKv | None = None
        self._previous: dict[int, Any] = {}
        if not settings.get("enabled"):
            self.logger.debug(f"{name}: not registering in Consul: service_discovery.enabled is false")
            self._state = "disabled"
            self.registered.set()
            return
        kind, opened = open_consul({**(consul or {}), "required": True}, os.environ if env is None else env)
        if kind == "invalid":
            raise ConfigError(name, opened)
        if kind == "off":
            raise ConfigError(name, [Problem("consul", "service_discovery.enabled", str(opened))])
        self._kv = opened
        self.where = f"{name} ({self.id}) at {self.address}:{self.port} in Consul at {opened.location.url}"
        self._thread = threading.Thread(target=self._run, name=f"wazo-config {name} registration", daemon=True)
        self._thread.start()
        if threading.current_thread() is threading.main_thread():
            for signum in deregister_on:
                self._previous[signum] = signal.signal(signum, self._on_signal)

    def state(self) -> str:
        return self._state

    def _retry(self) -> None:
        self._stop.wait(float(self.settings["retry_interval"]))

    def _ready(self) -> bool:
        if self.check is None:
            return True
        try:
            return self.check() is True
        except Exception as error:  # noqa: BLE001 - a check that raises is a failing one
            self.logger.warning(f"{self.name}: its readiness check failed: {error}")
            return False

    def _register(self) -> bool:
        assert self._kv is not None
        ttl = f"{round(float(self.settings['ttl_interval']) * 1000)}ms"
        try:
            self._kv.register_service(self.name, self.id, self.address, self.port, self.tags, self.meta, ttl)
            self._kv.pass_check(f"service:{self.id}")
            return True
        except Exception as error:  # noqa: BLE001 - logged, retried
            if not self._stop.is_set():
                self.logger.warning(f"{self.name}: cannot register {self.where}: {error}; retrying in {self.settings['retry_interval']} s")
            return False

    def _run(self) -> None:
        assert self._kv is not None
        while not self._stop.is_set():
            if not self._ready() or self._stop.is_set() or not self._register():
                self._retry()
                continue
            self._state = "registered"
            self.logger.info(f"{self.name}: registered {self.where}")
            self.registered.set()
            while not self._stop.wait(float(self.settings["refresh_interval"])):
                try:
                    self._kv.pass_check(f"service:{self.id}")
                except Exception as error:  # noqa: BLE001 - register again
                    if not self._stop.is_set():
                        self.logger.warning(
                            f"{self.name}: the TTL update of {self.where} failed: {error}; registering again in {self.settings['retry_interval']} s"
                        )
                    break
            if not self._stop.is_set():
                self._state = "waiting"
                self._retry()

    def stop(self) -> None:
        """Stops the TTL updates and deregisters; idempotent."""
        with self._lock:
            if self._stopped or self._kv is None:
                return
            self._stopped = True
        self._stop.set()
        if threading.current_thread() is threading.main_thread():
            for signum, previous in self._previous.items():
                signal.signal(signum, previous)
        self._thread.join(10)
        self._state = "stopped"
        kv = ConsulKv(self._kv.location)
        try:
            kv.deregister_service(self.id)
            self.logger.info(f"{self.name}: deregistered {self.where}")
        except Exception as error:  # noqa: BLE001
            self.logger.error(f"{self.name}: cannot deregister {self.where}: {error}")
        finally:
            kv.close()
            self._kv.close()

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.stop()
        previous = self._previous.get(signum)
        # Let the signal do what it would have done without us.
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL or previous is None:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)


def start_registration(name: str, settings: Mapping[str, Any], **options: Any) -> ServiceRegistration:
    """Starts registering in a daemon thread and returns at once (see ServiceRegistration)."""
    return ServiceRegistration(name, settings, **options)
