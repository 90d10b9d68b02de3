"""Using the Connect material with the standard library's `ssl` (connect/tls.ts, docs/tls.md): a server
context from the files the loader wrote, reloaded when the watcher rewrites them (new connections get
the new leaf and roots, established ones keep theirs), and a client context that calls another service
with this one's leaf and wants the server's SPIFFE ID (Connect leaves carry no DNS name)."""
from __future__ import annotations

import ssl
from typing import Any, Mapping, TypeVar

from ..spec import ServiceSpec
from ..tree import dotted, get_at
from .files import connect_files


def connect_paths(service: ServiceSpec, config: Mapping[str, Any]) -> tuple[str, str, str]:
    """The certificate, key and CA bundle paths the config holds now; raises ValueError, naming the key,
    when one is not set."""
    spec = service.connect_tls
    if spec is None:
        raise ValueError(f"{service.name}: no group of its schema is marked x-connect-tls")

    def path(key_path: tuple[str, ...] | None) -> str:
        files = connect_files(service.name)
        value = get_at(config, key_path) if key_path is not None else (files.ca if files else None)
        if not isinstance(value, str) or value == "":
            what = dotted(key_path) if key_path is not None else "the Connect CA bundle"
            raise ValueError(f"{service.name}: {what} has no file path (is Consul located, and Connect on?)")
        return value

    return path(spec.certificate), path(spec.private_key), path(spec.ca)


class ConnectServerContext(ssl.SSLContext):
    """A server context whose every handshake uses the context built from the files at the last reload.

    `ssl` can add roots to a context but never remove one, so a reload builds a whole new context and
    the handshake switches to it (`sni_callback`, which OpenSSL calls for every ClientHello, with or
    without a server name): a root Consul stopped trusting is no longer trusted by new connections, as
    Node's `server.setSecureContext` does. The outer context holds no roots: a handshake that did not
    switch verifies no client certificate and fails. Its options, versions and ciphers are copied at
    each reload; ALPN protocols cannot be read back from a context and are not carried over."""

    current: ssl.SSLContext


def _use_current(connection: ssl.SSLSocket | ssl.SSLObject, _server_name: str | None, context: ssl.SSLContext) -> None:
    connection.context = context.current  # type: ignore[attr-defined]


_Context = TypeVar("_Context", bound=ssl.SSLContext)


def _server_context(kind: type[_Context], verify_mode: ssl.VerifyMode) -> _Context:
    context = kind(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = verify_mode
    return context


def server_ssl_context(service: ServiceSpec, config: Mapping[str, Any], *, require_client_certificate: bool = True) -> ConnectServerContext:
    """A server context with the service's leaf, trusting the Connect roots; by default every client must
    present a certificate they signed (mutual TLS: `ConnectAuthorizer` then asks Consul who it is allowed)."""
    verify_mode = ssl.CERT_REQUIRED if require_client_certificate else ssl.CERT_OPTIONAL
    context = _server_context(ConnectServerContext, verify_mode)
    context.sni_callback = _use_current
    reload_ssl_context(context, service, config)
    return context


def reload_ssl_context(context: ssl.SSLContext, service: ServiceSpec, config: Mapping[str, Any]) -> None:
    """Puts the certificate, key and roots on disk now into a context in use, without a restart: new
    connections get them, established ones keep theirs. A server context of `server_ssl_context` then
    trusts exactly the roots of the bundle; any other context (a client's) can only gain roots: one that
    is no longer trusted stays in it, so make a new client context after a root change."""
    certificate, key, ca = connect_paths(service, config)
    if isinstance(context, ConnectServerContext):
        fresh = _server_context(ssl.SSLContext, context.verify_mode)
        # What the server set on its context since (as far as `ssl` lets it be read: not ALPN), so that the
        # context switched to agrees with it: OpenSSL takes some settings, the ciphers among them, from that one.
        fresh.options, fresh.verify_flags = context.options, context.verify_flags
        fresh.minimum_version, fresh.maximum_version = context.minimum_version, context.maximum_version
        fresh.set_ciphers(":".join(c["name"] for c in context.get_ciphers()))
        fresh.load_cert_chain(certificate, key)
        fresh.load_verify_locations(cafile=ca)
        context.load_cert_chain(certificate, key)
        context.current = fresh
        return
    context.load_cert_chain(certificate, key)
    context.load_verify_locations(cafile=ca)


def spiffe_id_of(peer_certificate: Mapping[str, Any] | None) -> str | None:
    """The SPIFFE ID a certificate (as `SSLSocket.getpeercert()` gives it) carries as URI SAN, if any."""
    for kind, value in (peer_certificate or {}).get("subjectAltName", ()):
        if kind == "URI" and isinstance(value, str) and value.startswith("spiffe://"):
            return value
    return None


def spiffe_id_for(service: ServiceSpec, other: str) -> str:
    """The SPIFFE ID of another service of this service's trust domain and datacenter."""
    files = connect_files(service.name)
    if files is None:
        raise ValueError(f"{service.name}: no Connect material was loaded (is Consul located, and Connect on?)")
    return files.uri[: files.uri.rindex("/svc/")] + f"/svc/{other}"


def _check_server(context: ssl.SSLContext, peer: dict[str, Any] | None) -> None:
    expected = getattr(context, "expected_server", None)
    got = spiffe_id_of(peer)
    if expected is not None and got != expected:
        raise ssl.SSLCertVerificationError(f"the server is {got or 'not a Connect service (no SPIFFE URI SAN)'}, not {expected}")


class _ConnectSocket(ssl.SSLSocket):
    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        try:
            _check_server(self.context, self.getpeercert())
        except ssl.SSLCertVerificationError:
            self.close()
            raise


class _ConnectObject(ssl.SSLObject):
    """For asyncio's streams, which use `SSLObject` over memory buffers."""

    def do_handshake(self) -> None:
        super().do_handshake()
        _check_server(self.context, self.getpeercert())


class ConnectClientContext(ssl.SSLContext):
    """A client context whose handshakes fail unless the server presents `expected_server` as URI SAN."""

    sslsocket_class = _ConnectSocket
    sslobject_class = _ConnectObject
    expected_server: str


def client_ssl_context(service: ServiceSpec, config: Mapping[str, Any], target: str) -> ConnectClientContext:
    """A context for calling `target` with this service's leaf as client certificate: the server must
    chain to the Connect roots and present `target`'s SPIFFE ID, whatever host name was dialled
    (`http.client.HTTPSConnection(host, port, context=…)`, `urllib`, asyncio streams)."""
    context = ConnectClientContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    # Connect leaves carry no DNS name: the identity is checked on the SPIFFE ID instead.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.expected_server = spiffe_id_for(service, target)
    reload_ssl_context(context, service, config)
    return context
