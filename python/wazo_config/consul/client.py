"""The Consul calls the runtime makes, over the standard library's HTTP client (consul/client.ts):
one recursive KV read per prefix, health reads, agent registration. Failures are sorted into what
a person can act on: unreachable (worth waiting for), ACL, TLS, or another HTTP answer."""
from __future__ import annotations

import base64
import errno
import http.client
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from .locate import ConsulLocation


@dataclass
class KvEntry:
    key: str
    #: The value as UTF-8 text; None when Consul stores an empty value.
    value: str | None
    flags: int = 0
    modify_index: int = 0


@dataclass
class TreeRead:
    entries: list[KvEntry]
    #: `X-Consul-Index` of the read, for blocking queries.
    index: int
    #: Consul left keys out because the token may not read them.
    filtered_by_acl: bool = False
    #: `X-Consul-Default-Acl-Policy` (every answer since Consul 1.9).
    default_acl_policy: str | None = None
    #: `X-Consul-Knownleader`; None when not sent.
    known_leader: bool | None = None
    #: `X-Consul-Lastcontact`: ms since the answering server heard from the leader.
    last_contact_ms: int | None = None
    #: Set when a `?stale` answer was staler than max_stale: its last contact; this answer is the leader's.
    too_stale_ms: int | None = None


@dataclass
class HealthInstance:
    id: str
    address: str
    port: int
    tags: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class HealthRead:
    instances: list[HealthInstance]
    index: int
    filtered_by_acl: bool = False
    default_acl_policy: str | None = None
    known_leader: bool | None = None
    last_contact_ms: int | None = None
    too_stale_ms: int | None = None


@dataclass
class ConnectRead:
    """An answer of the agent's Connect CA endpoints: its JSON body, checked by wazo_config.connect.material."""

    body: Any
    index: int


class ConsulFailure(Exception):
    """A failed call, sorted: kind is unreachable, acl, tls, ca-file or http; `retryable` failures
    are the ones worth waiting for."""

    def __init__(self, kind: str, detail: str, retryable: bool, status: int | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.retryable = retryable
        self.status = status


def hidden_by_acl(read: TreeRead | HealthRead, empty: bool, location: ConsulLocation, what: str) -> ConsulFailure | None:
    """The one ACL check of a read, KV or health (consul/session.ts hiddenByAcl): what was asked for
    is hidden when Consul says it filtered items out (`X-Consul-Results-Filtered-By-ACLs`), or —
    since Consul drops that header for requests without a token (`maskResultsFilteredByACLs`) — when
    the answer is empty, no token was sent and the default policy is `deny`
    (`X-Consul-Default-Acl-Policy`, Consul ≥ 1.9). `what` names it: `keys under config/wazo-auth/`,
    `instances of wazo-auth`."""
    if read.filtered_by_acl:
        return ConsulFailure("acl", f"{what} were left out by ACL filtering (X-Consul-Results-Filtered-By-ACLs)", False, 403)
    if empty and location.token is None and read.default_acl_policy == "deny":
        detail = f"ACLs deny by default and no token was given (X-Consul-Default-Acl-Policy: deny), so Consul answers as if there were no {what}"
        return ConsulFailure("acl", detail, False, 403)
    return None


_UNREACHABLE = {
    errno.ECONNREFUSED: "ECONNREFUSED",
    errno.ECONNRESET: "ECONNRESET",
    errno.ETIMEDOUT: "ETIMEDOUT",
    errno.EHOSTUNREACH: "EHOSTUNREACH",
    errno.ENETUNREACH: "ENETUNREACH",
    errno.EPIPE: "EPIPE",
    errno.ECONNABORTED: "ECONNABORTED",
}


def classify(error: BaseException, where: str = "") -> ConsulFailure:
    """Sorts what a call raised."""
    if isinstance(error, ConsulFailure):
        return error
    if isinstance(error, ssl.SSLError):
        reason = getattr(error, "verify_message", None) or getattr(error, "reason", None) or str(error)
        return ConsulFailure("tls", f"{reason} ({type(error).__name__})", False)
    if isinstance(error, socket.gaierror):
        code = "EAI_AGAIN" if error.errno == socket.EAI_AGAIN else "ENOTFOUND"
        return ConsulFailure("unreachable", f"getaddrinfo {code} {where}".strip(), True)
    if isinstance(error, (TimeoutError, socket.timeout)):
        return ConsulFailure("unreachable", "request timed out (ETIMEDOUT)", True)
    if isinstance(error, (http.client.RemoteDisconnected, http.client.IncompleteRead, http.client.BadStatusLine)):
        return ConsulFailure("unreachable", "socket hang up", True)
    if isinstance(error, OSError) and error.errno in _UNREACHABLE:
        return ConsulFailure("unreachable", f"connect {_UNREACHABLE[error.errno]} {where}".strip(), True)
    if isinstance(error, OSError):
        return ConsulFailure("unreachable", str(error), True)
    return ConsulFailure("http", str(error), False)


class ConsulKv:
    """One client per Consul location: a persistent connection, re-opened after a failure."""

    def __init__(self, location: ConsulLocation) -> None:
        self.location = location
        self._context: ssl.SSLContext | None = None
        if location.scheme == "https":
            try:
                self._context = ssl.create_default_context(cafile=location.ca_file) if location.ca_file else ssl.create_default_context()
            except (OSError, ssl.SSLError) as error:
                code = errno.errorcode.get(getattr(error, "errno", 0) or 0, str(error))
                raise ConsulFailure("ca-file", f"cannot read the CA file {location.ca_file} ({code})", False) from None
        self._connection: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._leaderless = False

    def _connect(self, timeout_s: float) -> http.client.HTTPConnection:
        loc = self.location
        if self._connection is None:
            if self._context is not None:
                self._connection = http.client.HTTPSConnection(loc.host, loc.port, timeout=timeout_s, context=self._context)
            else:
                self._connection = http.client.HTTPConnection(loc.host, loc.port, timeout=timeout_s)
        self._connection.timeout = timeout_s
        if self._connection.sock is not None:
            self._connection.sock.settimeout(timeout_s)
        return self._connection

    def request(self, method: str, path: str, query: dict[str, Any] | None = None, body: Any = None, timeout_ms: float | None = None) -> tuple[int, dict[str, str], bytes]:
        """One call; answers other than 2xx and 404 raise a ConsulFailure."""
        if self._closed:
            raise ConsulFailure("unreachable", "the client is closed", False)
        url = "/v1" + path + (("?" + urlencode(query)) if query else "")
        headers = {"Accept": "application/json"}
        if self.location.token is not None:
            headers["X-Consul-Token"] = self.location.token
        payload = None if body is None else json.dumps(body).encode()
        if payload is not None:
            headers["Content-Type"] = "application/json"
        timeout_s = (timeout_ms if timeout_ms is not None else self.location.request_timeout_ms) / 1000
        where = f"{self.location.host}:{self.location.port}"
        try:
            connection = self._connect(timeout_s)
            connection.request(method, url, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
            if response.will_close:
                self._drop()
        except BaseException as error:
            self._drop()
            if self._closed:
                raise ConsulFailure("unreachable", "the client is closed", False) from None
            raise classify(error, where) from None
        status = response.status
        if 200 <= status < 300 or status == 404:
            return status, answer_headers, data
        said = f"{status} {data.decode('utf-8', 'replace').strip() or response.reason}"
        if status == 403:
            raise ConsulFailure("acl", said, False, status)
        # 5xx: no leader yet, overloaded, restarting — all worth waiting for.
        raise ConsulFailure("http", said, status >= 500, status)

    def _read(self, path: str, query: dict[str, Any], consistency: str | None, timeout_ms: float | None) -> tuple[int, dict[str, str], bytes, int | None]:
        """One read in the consistency mode asked (None: `?stale` when the location's max_stale_ms is
        above 0); a `?stale` answer staler than max_stale_ms is asked again without it (the
        leader answers), once, as consul-template does. Returns the last contact of the answer
        found too stale, if one was."""
        mode = consistency if consistency is not None else ("stale" if self.location.max_stale_ms > 0 else "default")
        status, headers, data = self.request("GET", path, {**query, **({mode: ""} if mode != "default" else {})}, timeout_ms=timeout_ms)
        last_contact = _last_contact(headers)
        if mode == "stale" and last_contact is not None and last_contact > self.location.max_stale_ms:
            status, headers, data = self.request("GET", path, query, timeout_ms=timeout_ms)
            return status, headers, data, last_contact
        return status, headers, data, None

    def note(self, read: TreeRead | HealthRead, logger: Any, what: str) -> None:
        """Logs a leaderless episode once when it starts and once when it ends, never per answer; a
        too-stale answer read again from the leader at debug level (consul/staleness.ts)."""
        location = self.location
        if read.too_stale_ms is not None and hasattr(logger, "debug"):
            logger.debug(
                f"{what}: Consul at {location.url} answered {read.too_stale_ms} ms behind its leader, over maxStale "
                f"({location.max_stale_ms} ms, {location.max_stale_origin}); read again from the leader"
            )
        if read.known_leader is False and not self._leaderless:
            self._leaderless = True
            behind = "" if read.last_contact_ms is None else f" (last contact {read.last_contact_ms} ms ago)"
            logger.warning(
                f"{what}: Consul at {location.url} has no known leader (X-Consul-KnownLeader: false): "
                f"reading a server's own copy{behind}; writes made meanwhile show once a leader is back"
            )
        elif read.known_leader is True and self._leaderless:
            self._leaderless = False
            logger.info(f"{what}: Consul at {location.url} has a leader again")

    def read_tree(self, prefix: str, timeout_ms: float | None = None, index: int | None = None, wait_ms: int | None = None, consistency: str | None = None) -> TreeRead:
        """Every key under `prefix` in one recursive read; with `index`, a blocking query."""
        query: dict[str, Any] = {"recurse": "true"}
        if index is not None:
            query.update(index=index, wait=f"{wait_ms}ms")
        status, headers, data, too_stale = self._read("/kv/" + quote(prefix, safe="/"), query, consistency, timeout_ms)
        rows = json.loads(data) if status == 200 and data else []
        entries = [
            KvEntry(
                row["Key"],
                None if row.get("Value") is None else base64.b64decode(row["Value"]).decode("utf-8", "replace"),
                int(row.get("Flags") or 0),
                int(row.get("ModifyIndex") or 0),
            )
            for row in (rows if isinstance(rows, list) else [])
        ]
        return TreeRead(
            entries,
            _index(headers),
            headers.get("x-consul-results-filtered-by-acls") == "true",
            headers.get("x-consul-default-acl-policy"),
            _known_leader(headers),
            _last_contact(headers),
            too_stale,
        )

    def health_service(self, service: str, timeout_ms: float | None = None, index: int | None = None, wait_ms: int | None = None) -> HealthRead:
        """The passing instances of `service`, sorted by ID; with `index`, a blocking query."""
        query: dict[str, Any] = {"passing": "true"}
        if index is not None:
            query.update(index=index, wait=f"{wait_ms}ms")
        status, headers, data, too_stale = self._read("/health/service/" + quote(service, safe=""), query, None, timeout_ms)
        rows = json.loads(data) if status == 200 and data else []
        instances = []
        for row in rows if isinstance(rows, list) else []:
            s = row.get("Service")
            if not s:
                continue
            node = row.get("Node") or {}
            instances.append(HealthInstance(s["ID"], s.get("Address") or node.get("Address") or "", int(s.get("Port") or 0), s.get("Tags") or [], s.get("Meta") or {}))
        instances.sort(key=lambda i: i.id)
        filtered = headers.get("x-consul-results-filtered-by-acls") == "true"
        policy = headers.get("x-consul-default-acl-policy")
        return HealthRead(instances, _index(headers), filtered, policy, _known_leader(headers), _last_contact(headers), too_stale)

    def connect_leaf(self, service: str, timeout_ms: float | None = None, index: int | None = None, wait_ms: int | None = None) -> ConnectRead:
        """The service's Connect leaf certificate from the local agent (`GET /v1/agent/connect/ca/leaf/<service>`;
        blocking: Consul answers once the agent has replaced the leaf, near its expiry or after a root rotation).
        Needs service:write."""
        return self._connect_read("/agent/connect/ca/leaf/" + quote(service, safe=""), f"the Connect leaf of {service}", timeout_ms, index, wait_ms)

    def connect_roots(self, timeout_ms: float | None = None, index: int | None = None, wait_ms: int | None = None) -> ConnectRead:
        """The Connect CA roots (`GET /v1/agent/connect/ca/roots`; blocking: Consul answers when they rotate)."""
        return self._connect_read("/agent/connect/ca/roots", "the Connect CA roots", timeout_ms, index, wait_ms)

    def connect_authorize(self, target: str, client_cert_uri: str, client_cert_serial: str) -> tuple[bool, str]:
        """Whether the service named by a client certificate's URI SAN may call `target`, by the intentions
        (`POST /v1/agent/connect/authorize`; the token needs service:write on `target`): (authorized, reason)."""
        body = {"Target": target, "ClientCertURI": client_cert_uri, "ClientCertSerial": client_cert_serial}
        status, _, data = self.request("POST", "/agent/connect/authorize", body=body)
        if status != 200:
            raise ConsulFailure("http", f"{status} {data.decode('utf-8', 'replace').strip()}", False, status)
        answer = _json_of(data, f"the authorization of {client_cert_uri} to call {target}")
        if not isinstance(answer, dict) or not isinstance(answer.get("Authorized"), bool) or not isinstance(answer.get("Reason"), str):
            raise ConsulFailure("malformed", f"the authorization of a call to {target} answered without Authorized and Reason", False)
        return answer["Authorized"], answer["Reason"]

    def _connect_read(self, path: str, what: str, timeout_ms: float | None, index: int | None, wait_ms: int | None) -> ConnectRead:
        query: dict[str, Any] = {} if index is None else {"index": index, "wait": f"{wait_ms}ms"}
        try:
            status, headers, data = self.request("GET", path, query or None, timeout_ms=timeout_ms)
        except ConsulFailure as failure:
            # Connect disabled is a 500 that waiting does not cure.
            if failure.status == 500 and "Connect must be enabled" in failure.detail:
                raise ConsulFailure("http", failure.detail, False, 500) from None
            raise
        if status != 200:
            raise ConsulFailure("http", f"{status} {data.decode('utf-8', 'replace').strip()}", False, status)
        return ConnectRead(_json_of(data, what), _index(headers))

    def register_service(self, name: str, id: str, address: str, port: int, tags: list[str], meta: dict[str, str], ttl: str) -> None:
        body = {"Name": name, "ID": id, "Address": address, "Port": port, "Tags": tags, "Meta": meta, "Check": {"TTL": ttl, "CheckID": f"service:{id}"}}
        self.request("PUT", "/agent/service/register", body=body)

    def deregister_service(self, id: str) -> None:
        self.request("PUT", "/agent/service/deregister/" + quote(id, safe=""))

    def pass_check(self, check_id: str, note: str | None = None) -> None:
        status, _, data = self.request("PUT", "/agent/check/pass/" + quote(check_id, safe=""), {"note": note} if note else None)
        if status == 404:
            raise ConsulFailure("http", f"404 {data.decode('utf-8', 'replace').strip() or 'unknown check'}", False, 404)

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        """Closes the connection; a blocking query in flight on another thread ends at once."""
        self._closed = True
        connection = self._connection
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._drop()


def _json_of(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except ValueError:
        raise ConsulFailure("malformed", f"{what}: not JSON: not a Consul answer", False) from None


def _index(headers: dict[str, str]) -> int:
    try:
        return int(headers.get("x-consul-index", "0"))
    except ValueError:
        return 0


def _known_leader(headers: dict[str, str]) -> bool | None:
    value = headers.get("x-consul-knownleader")
    return None if value is None else value == "true"


def _last_contact(headers: dict[str, str]) -> int | None:
    value = headers.get("x-consul-lastcontact")
    return int(value) if value is not None and value.isdigit() else None
