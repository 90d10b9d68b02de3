"""Whether a caller may call this service (connect/authorize.ts, docs/tls.md): given a TLS connection
whose client certificate was verified against the Connect roots, the local agent is asked
(`POST /v1/agent/connect/authorize`) with the certificate's SPIFFE URI and serial; it answers by the
intentions. Anything that prevents an answer denies (fail closed), with the reason."""
from __future__ import annotations

import os
import ssl
import threading
from dataclasses import dataclass
from typing import Any, Mapping

from ..consul.client import ConsulKv
from .tls import spiffe_id_of


@dataclass(frozen=True)
class Authorization:
    allowed: bool
    #: Consul's reason (`Matched L4 intention: web => db (allow)`), or why no answer could be had.
    reason: str
    #: The caller's SPIFFE ID, when it has one.
    caller: str | None = None


def _colon_hex(serial: str) -> str:
    """`getpeercert()`'s serial (`0A1F`) as Consul writes serials (`0a:1f`)."""
    even = f"0{serial}" if len(serial) % 2 else serial
    return ":".join(even[i : i + 2] for i in range(0, len(even), 2)).lower()


class ConnectAuthorizer:
    """Asks the local Consul agent (located as the loader locates it) whether callers may call `target`.
    Safe to share between a server's threads."""

    def __init__(self, target: str, *, consul: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> None:
        from ..discovery import open_consul

        self.target = target
        kind, opened = open_consul(consul, os.environ if env is None else env)
        self._kv: ConsulKv | None = opened if kind == "consul" else None
        self._unlocated = None if kind == "consul" else (f"Consul is not located: {opened}" if kind == "off" else "Consul's location is invalid")
        self._lock = threading.Lock()

    def authorize(self, peer: ssl.SSLSocket | ssl.SSLObject | Mapping[str, Any] | None) -> Authorization:
        """`peer`: a server's connection (its client certificate verified against the Connect roots, as
        `server_ssl_context` does), or the certificate it gave (`getpeercert()`)."""
        if isinstance(peer, (ssl.SSLSocket, ssl.SSLObject)):
            if peer.context.verify_mode == ssl.CERT_NONE:
                return Authorization(False, "the client certificate was not verified: the server's context has verify_mode CERT_NONE")
            cert: Mapping[str, Any] | None = peer.getpeercert()
            if not cert:
                return Authorization(False, "the client certificate was not verified: none was sent")
        else:
            cert = peer
        if not cert:
            return Authorization(False, "no client certificate")
        caller = spiffe_id_of(cert)
        if caller is None:
            return Authorization(False, "the client certificate carries no SPIFFE URI SAN")
        if self._kv is None:
            return Authorization(False, f"Consul could not be asked: {self._unlocated}", caller)
        serial = _colon_hex(str(cert.get("serialNumber", "")))
        try:
            with self._lock:
                allowed, reason = self._kv.connect_authorize(self.target, caller, serial)
        except Exception as error:  # noqa: BLE001 - fail closed, with the reason
            return Authorization(False, f"Consul could not be asked: {error}", caller)
        return Authorization(allowed, reason, caller)

    def close(self) -> None:
        if self._kv is not None:
            self._kv.close()

    def __enter__(self) -> ConnectAuthorizer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def connect_authorizer(target: str, *, consul: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> ConnectAuthorizer:
    return ConnectAuthorizer(target, consul=consul, env=env)
