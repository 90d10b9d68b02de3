"""Using the Connect material with the standard library's `ssl` (connect/tls.ts, docs/tls.md): a server
context from the files the loader wrote, reloaded in place when the watcher rewrites them
(`load_cert_chain` on the same context: new connections get the new certificate, established ones
keep theirs), and a client context that calls another service with this one's leaf and wants the
server's SPIFFE ID (Connect leaves carry no DNS name)."""
from __future__ import annotations

import ssl
from typing import Any, Mapping

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


def server_ssl_context(service: ServiceSpec, config: Mapping[str, Any], *, require_client_certificate: bool = True) -> ssl.SSLContext:
    """A server context with the service's leaf, trusting the Connect roots; by default every client must
    present a certificate they signed (mutual TLS: `ConnectAuthorizer` then asks Consul who it is allowed)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED if require_client_certificate else ssl.CERT_OPTIONAL
    reload_ssl_context(context, service, config)
    return context


def reload_ssl_context(context: ssl.SSLContext, service: ServiceSpec, config: Mapping[str, Any]) -> None:
    """Loads the certificate, key and roots on disk now into a context in use, without a restart: new
    connections get them, established ones keep theirs. Roots are added: one that is no longer
    trusted stays in this context until the process restarts."""
    certificate, key, ca = connect_paths(service, config)
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
