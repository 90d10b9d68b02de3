"""What the local agent's Connect CA answers (connect/material.ts), read and checked before anything is
written: a leaf certificate with its key, and the roots. A leaf is used only when it is valid now, its
key is the certificate's, its URI SAN is the service's SPIFFE ID, and it chains to one of the roots
(directly, or through the intermediates that follow it, as after a root rotation). The key never
appears in a message nor in a repr. The certificate checks use `cryptography` (Debian's
python3-cryptography): the standard library's `ssl` cannot read a certificate from memory nor check
a signature without a handshake."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from ..consul.client import ConsulFailure

_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?-----END CERTIFICATE-----\r?\n?")


@dataclass(frozen=True)
class ConnectLeaf:
    #: Colon-separated hex, as Consul writes it.
    serial: str
    #: The leaf, then the intermediates Consul appends.
    cert_pem: str
    key_pem: str = field(repr=False)
    service: str
    uri: str
    valid_after: datetime
    valid_before: datetime


@dataclass(frozen=True)
class ConnectRoots:
    active_root_id: str
    trust_domain: str
    #: Every trusted root's certificate (the CA bundle), the active one first.
    pems: tuple[str, ...]


def _malformed(what: str, detail: str) -> ConsulFailure:
    return ConsulFailure("malformed", f"{what}: {detail}", False)


def _record(body: Any, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _malformed(what, "not a JSON object: not a Consul answer")
    return body


def _text(fields: dict[str, Any], name: str, what: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or value == "":
        raise _malformed(what, f"no {name}")
    return value


def _time(fields: dict[str, Any], name: str, what: str) -> datetime:
    text = _text(fields, name, what)
    # Go writes nanoseconds (`…:28.123456789Z`); Python reads at most microseconds.
    trimmed = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        value = datetime.fromisoformat(trimmed.replace("Z", "+00:00"))
    except ValueError:
        raise _malformed(what, f"{name} is not a time") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def leaf_of(body: Any, service: str) -> ConnectLeaf:
    """A leaf answer's fields (`/v1/agent/connect/ca/leaf/<service>`); raises a `malformed` ConsulFailure."""
    what = f"the Connect leaf of {service}"
    fields = _record(body, what)
    return ConnectLeaf(
        serial=_text(fields, "SerialNumber", what),
        cert_pem=_text(fields, "CertPEM", what),
        key_pem=_text(fields, "PrivateKeyPEM", what),
        service=_text(fields, "Service", what),
        uri=_text(fields, "ServiceURI", what),
        valid_after=_time(fields, "ValidAfter", what),
        valid_before=_time(fields, "ValidBefore", what),
    )


def roots_of(body: Any) -> ConnectRoots:
    """A roots answer's fields (`/v1/agent/connect/ca/roots`); raises a `malformed` ConsulFailure."""
    what = "the Connect CA roots"
    fields = _record(body, what)
    active_root_id = _text(fields, "ActiveRootID", what)
    trust_domain = _text(fields, "TrustDomain", what)
    listed = fields.get("Roots")
    if not isinstance(listed, list) or not listed:
        raise _malformed(what, "no Roots")
    roots = [_record(r, what) for r in listed]
    active = [r for r in roots if r.get("ID") == active_root_id]
    if len(active) != 1:
        raise _malformed(what, f"no root has the ActiveRootID {active_root_id}")
    ordered = [*active, *(r for r in roots if r.get("ID") != active_root_id)]
    return ConnectRoots(active_root_id, trust_domain, tuple(_text(r, "RootCert", what) for r in ordered))


def iso(moment: datetime) -> str:
    """As JavaScript's toISOString writes it (`2026-12-02T07:00:00.000Z`), for the same messages as TypeScript."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def leaf_problem(leaf: ConnectLeaf, roots: ConnectRoots, now: datetime | None = None) -> str | None:
    """Why the leaf must not be used now (None: it is good). Never quotes the key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    moment = now or datetime.now(timezone.utc)
    named = f"the Connect leaf certificate of {leaf.service} (serial {leaf.serial})"
    if leaf.valid_before <= moment:
        return f"{named} expired at {iso(leaf.valid_before)}"
    if leaf.valid_after > moment + timedelta(seconds=60):
        return f"{named} is not valid before {iso(leaf.valid_after)} (is this host's clock right?)"
    try:
        chain = certificates_of(leaf.cert_pem)
        trusted = [c for pem in roots.pems for c in certificates_of(pem)]
    except ValueError as error:
        return f"{named}, or a root, is not a readable certificate ({error})"
    if not chain:
        return f"{named}: CertPEM holds no certificate"
    cert, intermediates = chain[0], chain[1:]
    try:
        key = serialization.load_pem_private_key(leaf.key_pem.encode(), password=None)
    except Exception:  # noqa: BLE001 - whatever the reason, the message must not carry the key's text
        return f"{named}: PrivateKeyPEM is not a readable private key"
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        return f"{named}: its private key is not the certificate's"
    try:
        uris = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.UniformResourceIdentifier)
    except x509.ExtensionNotFound:
        uris = []
    if leaf.uri not in uris:
        return f"{named} does not carry its ServiceURI {leaf.uri} as URI SAN"
    if not _chains_to(cert, intermediates, trusted):
        return f"{named} is not signed by the Connect CA roots"
    return None


def certificates_of(pem: str) -> list[Any]:
    """The certificates of a PEM bundle, in order (`cryptography.x509.Certificate`); ValueError when one is unreadable."""
    from cryptography import x509

    return [x509.load_pem_x509_certificate(block.encode()) for block in _CERTIFICATE.findall(pem)]


def signed_by(cert: Any, issuer: Any) -> bool:
    """Whether `issuer` (its subject and its key) issued `cert`."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

    if cert.issuer != issuer.subject:
        return False
    key = issuer.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(cert.signature, cert.tbs_certificate_bytes)
        else:
            return False
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _chains_to(cert: Any, intermediates: list[Any], roots: list[Any]) -> bool:
    if any(signed_by(cert, root) for root in roots):
        return True
    return any(signed_by(cert, i) and any(signed_by(i, root) for root in roots) for i in intermediates)
