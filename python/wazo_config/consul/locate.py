"""Where Consul is (consul/locate.ts): for each of host, port and scheme, the program's options,
else the `WAZO_CONSUL_*` environment variable, else the same variable in /etc/wazo-platform/consul
(systemd EnvironmentFile syntax), else `consul` / 8500 / http. Consul is read only when something
located it; without any of them the loader makes no network attempt."""
from __future__ import annotations

import errno
import math
import re
from typing import Any, Mapping, NamedTuple
from urllib.parse import urlsplit

from ..codec import decode, js_trim
from ..problems import Problem, show_value

CONSUL_FILE = "/etc/wazo-platform/consul"
CONSUL_DEFAULTS = {"host": "consul", "port": 8500, "scheme": "http"}
DEFAULT_WAIT_TIMEOUT_MS = 60_000

VARIABLES = {
    "host": "WAZO_CONSUL_HOST",
    "port": "WAZO_CONSUL_PORT",
    "scheme": "WAZO_CONSUL_SCHEME",
    "token": "WAZO_CONSUL_TOKEN",
    "ca_file": "WAZO_CONSUL_CACERT",
    "disabled": "WAZO_CONSUL_DISABLED",
    "wait_timeout": "WAZO_CONSUL_WAIT_TIMEOUT",
    "max_stale": "WAZO_CONSUL_MAX_STALE",
}
# consul-template's `max_stale` default: a follower up to 2 s behind the leader may answer.
DEFAULT_MAX_STALE_MS = 2_000
_LOCATING = ("host", "port", "scheme", "token", "ca_file")


class ConsulLocation(NamedTuple):
    scheme: str
    host: str
    port: int
    url: str
    how: str
    wait_timeout_ms: int
    request_timeout_ms: int
    backoff: dict[str, int]
    token: str | None = None
    token_origin: str | None = None
    ca_file: str | None = None
    ca_file_origin: str | None = None
    # Reads ask `?stale` and take an answer at most this stale (X-Consul-LastContact); 0: default mode.
    max_stale_ms: int = DEFAULT_MAX_STALE_MS
    max_stale_origin: str = "default"
    # The start-up read asks `?consistent`.
    consistent_load: bool = False


class Locating:
    """`kind` is `consul` (with `location`), `off` (with `reason`) or `invalid` (with `problems`).
    Records here are NamedTuples and slotted classes: every load locates Consul (see spec.py on dataclasses)."""

    __slots__ = ("kind", "location", "reason", "problems")

    def __init__(self, kind: str, location: ConsulLocation | None = None, reason: str = "", problems: list[Problem] | None = None) -> None:
        self.kind = kind
        self.location = location
        self.reason = reason
        self.problems: list[Problem] = [] if problems is None else problems


def parse_environment_file(text: str) -> dict[str, str]:
    """systemd `EnvironmentFile=` syntax (consul/env-file.ts)."""
    variables: dict[str, str] = {}
    text = re.sub(r"\r\n?", "\n", text).replace("\\\n", "")
    for raw in text.split("\n"):
        line = js_trim(raw)
        if line == "" or line.startswith("#") or line.startswith(";"):
            continue
        match = re.fullmatch(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", line, re.DOTALL)
        if match:
            variables[match[1]] = _unquote(match[2])
    return variables


def _unquote(value: str) -> str:
    if len(value) >= 2 and value.startswith("'") and value.endswith("'"):
        return value[1:-1]
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], value[1:-1], flags=re.DOTALL)
    return value


class _Found(NamedTuple):
    value: str
    origin: str
    variable: str | None = None


def locate_consul(options: Mapping[str, Any] | None, env: Mapping[str, str]) -> Locating:
    """`options` may hold url, host, port, scheme, token, ca_file, file, required, wait_timeout_ms,
    request_timeout_ms, backoff ({initial_ms, max_ms}), max_stale_ms, consistent_load and origin, as
    LoadOptions.consul does."""
    opts = dict(options or {})
    problems: list[Problem] = []
    file_path = opts.get("file", CONSUL_FILE)
    file = None if file_path is False or file_path is None else _read_locating_file(file_path, problems)
    origin = opts.get("origin") or "the program's options"
    from_url = {} if opts.get("url") is None else _parse_url(opts["url"], origin, problems)
    wait_ms = opts.get("wait_timeout_ms")
    given: dict[str, Any] = {
        "host": from_url.get("host", opts.get("host")),
        "port": from_url.get("port", opts.get("port")),
        "scheme": from_url.get("scheme", opts.get("scheme")),
        "token": opts.get("token"),
        "ca_file": opts.get("ca_file"),
        "wait_timeout": None if wait_ms is None else wait_ms / 1000,
        "max_stale": None if opts.get("max_stale_ms") is None else f"{opts['max_stale_ms']}ms",
        "disabled": None,
    }

    def find(name: str) -> _Found | None:
        option = given.get(name)
        if option is not None:
            return _Found(_js_string(option), origin)
        variable = VARIABLES[name]
        from_env = env.get(variable)
        if from_env is not None and from_env != "":
            return _Found(from_env, f"env {variable}", variable)
        if file is not None:
            from_file = file[1].get(variable)
            if from_file is not None and from_file != "":
                return _Found(from_file, f"file {file[0]}", variable)
        return None

    required = opts.get("required") is True
    disabled = find("disabled")
    if disabled and not required:
        flag = decode(disabled.value, ("boolean",))
        if not flag.ok:
            problems.append(_invalid(disabled, "expected a boolean", flag.hint))
        elif flag.value is True:
            return Locating("invalid", problems=problems) if problems else Locating("off", reason=f"disabled by {disabled.origin}")
    explicit = (
        required
        or any(given[k] is not None for k in ("host", "port", "scheme", "token", "ca_file"))
        or any(env.get(VARIABLES[k]) not in (None, "") for k in _LOCATING)
        or file is not None
    )
    if not explicit and not problems:
        file_part = "" if file_path is False or file_path is None else f", no {file_path}"
        return Locating("off", reason=f"nothing locates Consul (no {VARIABLES['host']} or other WAZO_CONSUL_* variable{file_part})")

    host, port, scheme = find("host"), find("port"), find("scheme")
    token, ca_file, wait_timeout = find("token"), find("ca_file"), find("wait_timeout")
    port_number: float = _js_number(port.value) if port else CONSUL_DEFAULTS["port"]  # type: ignore[assignment]
    if port and not (float(port_number).is_integer() and 1 <= port_number <= 65535):
        problems.append(_invalid(port, "expected a port number", "write a whole number from 1 to 65535, such as 8500"))
    scheme_name = (scheme.value if scheme else str(CONSUL_DEFAULTS["scheme"])).lower()
    if scheme_name not in ("http", "https") and scheme:
        problems.append(_invalid(scheme, "expected http or https", "write http or https"))
    wait_seconds = _js_number(wait_timeout.value) if wait_timeout else DEFAULT_WAIT_TIMEOUT_MS / 1000
    if wait_timeout and not (js_trim(wait_timeout.value) != "" and math.isfinite(wait_seconds) and wait_seconds >= 0):
        problems.append(_invalid(wait_timeout, "expected a number of seconds", "write a number such as 60, or 0 for a single attempt"))
    max_stale = find("max_stale")
    max_stale_ms = parse_duration(max_stale.value) if max_stale else DEFAULT_MAX_STALE_MS
    if max_stale and max_stale_ms is None:
        problems.append(_invalid(max_stale, "expected a duration", "write a duration such as 2s or 500ms, or 0 to read from the leader only"))
    if problems:
        return Locating("invalid", problems=problems)

    host_name = host.value if host else str(CONSUL_DEFAULTS["host"])
    port_int = int(port_number)
    shown_host = f"[{host_name}]" if ":" in host_name else host_name
    backoff = opts.get("backoff") or {}
    location = ConsulLocation(
        scheme=scheme_name,
        host=host_name,
        port=port_int,
        url=f"{scheme_name}://{shown_host}:{port_int}",
        how=_describe_how({"host": host, "port": port, "scheme": scheme}),
        wait_timeout_ms=_js_round(wait_seconds * 1000),
        request_timeout_ms=int(opts.get("request_timeout_ms") or 10_000),
        backoff={"initial_ms": int(backoff.get("initial_ms", 250)), "max_ms": int(backoff.get("max_ms", 5_000))},
        max_stale_ms=max_stale_ms if max_stale_ms is not None else DEFAULT_MAX_STALE_MS,
        max_stale_origin=max_stale.origin if max_stale else "default",
        consistent_load=opts.get("consistent_load") is True,
        token=token.value if token else None,
        token_origin=token.origin if token else None,
        ca_file=ca_file.value if ca_file else None,
        ca_file_origin=ca_file.origin if ca_file else None,
    )
    return Locating("consul", location=location)


_DURATION_UNITS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000}


def parse_duration(text: str) -> int | None:
    """A duration as Go writes one (`2s`, `500ms`, `1m30s`, `1.5s`), in ms; a bare `0` is zero (locate.ts)."""
    trimmed = js_trim(text)
    if re.fullmatch(r"0+", trimmed):
        return 0
    if not re.fullmatch(r"(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h))+", trimmed):
        return None
    total = sum(float(amount) * _DURATION_UNITS[unit] for amount, unit in re.findall(r"([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)", trimmed))
    return _js_round(total)


def _js_string(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _js_round(value: float) -> int:
    return int(math.floor(value + 0.5))


def _js_number(text: str) -> float:
    """JavaScript's `Number(text)`: blank is 0, anything unparsable NaN."""
    t = js_trim(text)
    if t == "":
        return 0.0
    try:
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", t):
            return float(t)
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", t):
            return float(int(t, 16))
        if t in ("Infinity", "+Infinity", "-Infinity"):
            return float(t.replace("Infinity", "inf"))
    except ValueError:
        pass
    return float("nan")


def _read_locating_file(path: str, problems: list[Problem]) -> tuple[str, dict[str, str]] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            return path, parse_environment_file(handle.read())
    except FileNotFoundError:
        return None
    except OSError as error:
        code = errno.errorcode.get(error.errno or 0, str(error))
        problems.append(
            Problem(path, f"file {path}", f"cannot read the file that locates Consul ({code})", hint="let the service read it, or remove it to run without Consul")
        )
        return None


def _parse_url(text: str, origin: str, problems: list[Problem]) -> dict[str, Any]:
    try:
        url = urlsplit(text)
        scheme, host, port = url.scheme.lower(), url.hostname or "", url.port
    except ValueError:
        scheme, host, port = "", "", None
    if scheme not in ("http", "https") or host == "":
        problems.append(Problem("consul url", origin, "expected an http(s) URL", show_value(text, False), "write http://host:8500 or https://host:8501"))
        return {}
    return {"host": host, "port": CONSUL_DEFAULTS["port"] if port is None else port, "scheme": scheme}


def _invalid(found: _Found, message: str, hint: str) -> Problem:
    return Problem(found.variable or "consul", found.origin, message, show_value(found.value, False), hint)


def _describe_how(parts: dict[str, _Found | None]) -> str:
    groups: dict[str, list[str]] = {}
    for name, found in parts.items():
        if not found:
            groups.setdefault("default", []).append(name)
        elif not found.variable:
            groups.setdefault(found.origin, []).append("")
        elif found.origin.startswith("env "):
            groups.setdefault("env", []).append(found.variable)
        else:
            groups.setdefault(found.origin, []).append(found.variable)
    said = []
    for group, names in groups.items():
        if group in ("env", "default"):
            said.append(f"{group} {', '.join(names)}")
        elif group.startswith("file "):
            said.append(f"{group} ({', '.join(names)})")
        else:
            said.append(group)
    # The defaults last: what was given explicitly matters more.
    said.sort(key=lambda s: s.startswith("default "))
    return "; ".join(said)
