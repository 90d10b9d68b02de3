"""A server context of `server_ssl_context` reloaded in place: after the bundle loses a root, a client
whose leaf that root signed is refused by new handshakes (`ssl` can only add roots to a context, so the
server switches each handshake to a context built at the last reload); a renewed leaf is what new
clients see; a connection made before the reload goes on. Real handshakes over a socket pair, with
certificates made by `cryptography` as Consul's CA makes them."""
from __future__ import annotations

import os
import socket
import ssl
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from cryptography import x509

from test_connect import Ca, pem
from wazo_config.connect.tls import reload_ssl_context, server_ssl_context
from wazo_config.spec import ConnectTlsSpec, ServiceSpec

SERVICE = ServiceSpec(
    "web", "WEB_", "web/", "/nonexistent/config.yml", "/nonexistent/conf.d", (), lambda value: [],
    connect_tls=ConnectTlsSpec(("tls",), ("tls", "certificate"), ("tls", "private_key"), ("tls", "ca")),
)


class Files:
    """The three files the loader writes (leaf, key, CA bundle), rewritten as its watcher does."""

    def __init__(self, directory: Path) -> None:
        self.config: dict[str, Any] = {"tls": {name: str(directory / name) for name in ("certificate", "private_key", "ca")}}

    def write(self, leaf_of: Ca, *roots: Ca) -> x509.Certificate:
        leaf = leaf_of.leaf()
        for name, text in (("certificate", leaf.cert_pem), ("private_key", leaf.key_pem), ("ca", "".join(pem(r.cert) for r in roots))):
            path = self.config["tls"][name]
            with open(path + ".tmp", "w") as file:
                file.write(text)
            os.replace(path + ".tmp", path)
        return x509.load_pem_x509_certificate(leaf.cert_pem.encode())


def client(tmp_path: Path, of: Ca, trusted: Ca) -> ssl.SSLContext:
    """A client with a leaf `of` signed, trusting `trusted` for the server."""
    leaf = of.leaf()
    cert, key = tmp_path / f"client-{of.name}.crt", tmp_path / f"client-{of.name}.key"
    cert.write_text(leaf.cert_pem)
    key.write_text(leaf.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_cert_chain(cert, key)
    context.load_verify_locations(cadata=pem(trusted.cert))
    return context


def handshake(server: ssl.SSLContext, client_context: ssl.SSLContext) -> tuple[str, ssl.SSLSocket | None]:
    """One handshake over a socket pair: the server's outcome ("ok" or its error) and the client socket."""
    near, far = socket.socketpair()
    outcome: list[str] = []

    def serve() -> None:
        try:
            with server.wrap_socket(far, server_side=True) as tls:
                outcome.append("ok")
                tls.sendall(tls.recv(5))
        except (OSError, ssl.SSLError) as error:
            outcome.append(str(error))

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        tls_client: ssl.SSLSocket | None = client_context.wrap_socket(near)
    except (OSError, ssl.SSLError):
        tls_client = None
        near.close()
    if tls_client is not None:
        try:
            tls_client.sendall(b"hello")
            tls_client.recv(5)
        except (OSError, ssl.SSLError):
            pass
    thread.join(10)
    return outcome[0], tls_client


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Files, Ca, Ca, Callable[[Ca], ssl.SSLContext]]:
    old, new = Ca("pri-1.consul.ca"), Ca("pri-2.consul.ca")
    files = Files(tmp_path)
    return files, old, new, lambda of: client(tmp_path, of, new)


def test_a_root_removed_from_the_bundle_is_no_longer_trusted_after_a_reload(setup: Any) -> None:
    files, old, new, client_of = setup
    files.write(new, old, new)
    context = server_ssl_context(SERVICE, files.config)
    assert handshake(context, client_of(old))[0] == "ok"
    assert handshake(context, client_of(new))[0] == "ok"

    files.write(new, new)
    reload_ssl_context(context, SERVICE, files.config)
    refused, _ = handshake(context, client_of(old))
    assert "certificate verify failed" in refused
    assert handshake(context, client_of(new))[0] == "ok"


def test_a_root_added_to_the_bundle_is_trusted_after_a_reload(setup: Any) -> None:
    files, old, new, client_of = setup
    files.write(new, new)
    context = server_ssl_context(SERVICE, files.config)
    assert "certificate verify failed" in handshake(context, client_of(old))[0]
    files.write(new, old, new)
    reload_ssl_context(context, SERVICE, files.config)
    assert handshake(context, client_of(old))[0] == "ok"


def test_new_clients_see_the_renewed_leaf_and_a_connection_made_before_goes_on(setup: Any) -> None:
    files, _old, new, client_of = setup
    first = files.write(new, new)
    context = server_ssl_context(SERVICE, files.config)
    near, far = socket.socketpair()
    accepted: list[ssl.SSLSocket] = []
    thread = threading.Thread(target=lambda: accepted.append(context.wrap_socket(far, server_side=True)))
    thread.start()
    established = client_of(new).wrap_socket(near)
    thread.join(10)

    renewed = files.write(new, new)
    reload_ssl_context(context, SERVICE, files.config)
    _, later = handshake(context, client_of(new))
    assert later is not None
    seen = x509.load_der_x509_certificate(later.getpeercert(binary_form=True) or b"")
    assert seen.serial_number == renewed.serial_number != first.serial_number
    later.close()

    established.sendall(b"still")
    assert accepted[0].recv(5) == b"still"
    established.close()
    accepted[0].close()


def test_without_a_switch_the_outer_context_trusts_no_client(setup: Any) -> None:
    """The outer context holds no roots: were the switch skipped, a client certificate would be refused, not
    checked against roots a reload removed."""
    files, _old, new, client_of = setup
    files.write(new, new)
    context = server_ssl_context(SERVICE, files.config)
    context.sni_callback = None
    assert "certificate verify failed" in handshake(context, client_of(new))[0]


def test_what_the_server_set_on_its_context_holds_after_a_reload(setup: Any) -> None:
    files, _old, new, client_of = setup
    files.write(new, new)
    context = server_ssl_context(SERVICE, files.config)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    reload_ssl_context(context, SERVICE, files.config)
    old_client = client_of(new)
    old_client.maximum_version = ssl.TLSVersion.TLSv1_2
    assert "unsupported protocol" in handshake(context, old_client)[0]
    assert handshake(context, client_of(new))[0] == "ok"


def test_ciphers_the_server_chose_hold_after_a_reload(setup: Any) -> None:
    files, _old, new, client_of = setup
    files.write(new, new)
    context = server_ssl_context(SERVICE, files.config)
    context.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
    reload_ssl_context(context, SERVICE, files.config)
    other = client_of(new)
    other.maximum_version = ssl.TLSVersion.TLSv1_2
    other.set_ciphers("ECDHE-ECDSA-AES256-GCM-SHA384")
    assert "no shared cipher" in handshake(context, other)[0]
