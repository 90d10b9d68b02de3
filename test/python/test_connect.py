"""The checks of wazo_config.connect that need no Consul: a leaf is used only when it is valid now, its
key is the certificate's, its URI SAN is its ServiceURI and it chains to a root (directly or through
the intermediate that follows it after a rotation); the key is never in a message or a repr; the
authorize helper denies, with the reason, whatever it cannot ask Consul about. Certificates are made
here with `cryptography`, as Consul's built-in CA makes them (ECDSA P-256, SPIFFE URI SAN)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from wazo_config.connect.authorize import ConnectAuthorizer, _colon_hex
from wazo_config.connect.material import ConnectLeaf, ConnectRoots, leaf_of, leaf_problem, roots_of
from wazo_config.consul.client import ConsulFailure

NOW = datetime.now(timezone.utc)
DOMAIN = "11111111-2222-3333-4444-555555555555.consul"
URI = f"spiffe://{DOMAIN}/ns/default/dc/dc1/svc/web"


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def certificate(subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey] | None, uri: str, ca: bool) -> x509.Certificate:
    issuer_name, issuer_key = issuer or (subject, key)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(minutes=1))
        .not_valid_after(NOW + timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.UniformResourceIdentifier(uri)]), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


class Ca:
    def __init__(self, name: str) -> None:
        self.name = name
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = certificate(name, self.key, None, f"spiffe://{DOMAIN}", True)

    def leaf(self, uri: str = URI, key: ec.EllipticCurvePrivateKey | None = None, chain: str = "", **fields: Any) -> ConnectLeaf:
        own = ec.generate_private_key(ec.SECP256R1())
        cert = certificate("web", own, (self.name, self.key), uri, False)
        values: dict[str, Any] = {
            "serial": "0a:1f", "cert_pem": pem(cert) + chain, "key_pem": key_pem(key or own), "service": "web", "uri": URI,
            "valid_after": NOW - timedelta(minutes=1), "valid_before": NOW + timedelta(hours=1),
        }
        return ConnectLeaf(**{**values, **fields})

    def roots(self) -> ConnectRoots:
        return ConnectRoots("root-1", DOMAIN, (pem(self.cert),))


@pytest.fixture(scope="module")
def ca() -> Ca:
    return Ca("pri-1.consul.ca")


NAMED = "the Connect leaf certificate of web (serial 0a:1f)"


def test_a_good_leaf_has_no_problem(ca: Ca) -> None:
    assert leaf_problem(ca.leaf(), ca.roots()) is None


def test_an_expired_leaf_is_refused_with_its_expiry_as_javascript_writes_it(ca: Ca) -> None:
    leaf = ca.leaf(valid_before=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert leaf_problem(leaf, ca.roots()) == f"{NAMED} expired at 2026-01-02T03:04:05.000Z"


def test_a_leaf_from_the_future_points_at_the_clock(ca: Ca) -> None:
    problem = leaf_problem(ca.leaf(valid_after=NOW + timedelta(hours=1)), ca.roots())
    assert problem is not None and problem.endswith("(is this host's clock right?)")


def test_a_key_of_another_certificate_is_refused(ca: Ca) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    assert leaf_problem(ca.leaf(key=other), ca.roots()) == f"{NAMED}: its private key is not the certificate's"


def test_an_unreadable_key_is_refused_without_quoting_it(ca: Ca) -> None:
    secret = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0IG1hdGVyaWFs\n-----END PRIVATE KEY-----\n"
    problem = leaf_problem(ca.leaf(key_pem=secret), ca.roots())
    assert problem == f"{NAMED}: PrivateKeyPEM is not a readable private key"


def test_a_certificate_of_another_service_is_refused(ca: Ca) -> None:
    problem = leaf_problem(ca.leaf(uri=f"spiffe://{DOMAIN}/ns/default/dc/dc1/svc/db"), ca.roots())
    assert problem == f"{NAMED} does not carry its ServiceURI {URI} as URI SAN"


def test_a_leaf_of_another_ca_is_refused(ca: Ca) -> None:
    assert leaf_problem(Ca("pri-9.consul.ca").leaf(), ca.roots()) == f"{NAMED} is not signed by the Connect CA roots"


def test_after_a_rotation_the_new_leaf_chains_to_the_old_root_through_the_cross_signed_one(ca: Ca) -> None:
    new = Ca("pri-2.consul.ca")
    cross = certificate(new.name, new.key, (ca.name, ca.key), f"spiffe://{DOMAIN}", True)
    assert leaf_problem(new.leaf(chain=pem(cross)), ca.roots()) is None
    assert leaf_problem(new.leaf(), ca.roots()) == f"{NAMED} is not signed by the Connect CA roots"


def test_the_key_is_in_no_repr(ca: Ca) -> None:
    leaf = ca.leaf()
    assert "PRIVATE KEY" not in repr(leaf) and "PRIVATE KEY" in leaf.key_pem


def test_consul_answers_are_read_with_go_times_and_checked() -> None:
    body = {
        "SerialNumber": "0a", "CertPEM": "c", "PrivateKeyPEM": "k", "Service": "web", "ServiceURI": URI,
        "ValidAfter": "2026-12-02T07:00:00.123456789Z", "ValidBefore": "2026-12-05T07:00:00Z",
    }
    leaf = leaf_of(body, "web")
    assert leaf.valid_after == datetime(2026, 12, 2, 7, 0, 0, 123456, tzinfo=timezone.utc)
    with pytest.raises(ConsulFailure, match="the Connect leaf of web: no ServiceURI") as failure:
        leaf_of({**body, "ServiceURI": ""}, "web")
    assert failure.value.kind == "malformed"
    roots = {"ActiveRootID": "b", "TrustDomain": DOMAIN, "Roots": [{"ID": "a", "RootCert": "A"}, {"ID": "b", "RootCert": "B"}]}
    assert roots_of(roots).pems == ("B", "A"), "the active root first"
    with pytest.raises(ConsulFailure, match="no root has the ActiveRootID c"):
        roots_of({**roots, "ActiveRootID": "c"})


def test_the_authorizer_denies_what_it_cannot_ask_about_with_the_reason() -> None:
    authorizer = ConnectAuthorizer("db", consul={"file": False}, env={})
    try:
        assert authorizer.authorize(None).reason == "no client certificate"
        no_spiffe = {"subjectAltName": (("DNS", "web.example"),), "serialNumber": "0A"}
        assert authorizer.authorize(no_spiffe).reason == "the client certificate carries no SPIFFE URI SAN"
        answer = authorizer.authorize({"subjectAltName": (("URI", URI),), "serialNumber": "A1F"})
        assert (answer.allowed, answer.caller) == (False, URI)
        assert answer.reason.startswith("Consul could not be asked: Consul is not located"), answer.reason
    finally:
        authorizer.close()


def test_serials_are_written_as_consul_writes_them() -> None:
    assert _colon_hex("A1F") == "0a:1f"
    assert _colon_hex("0A1F2B") == "0a:1f:2b"
