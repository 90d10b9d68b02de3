"""Source 3: Consul KV under the service's prefix (sources/consul.ts, consul/decode.ts, consul/read.ts):
located, read with ONE recursive query (waiting for Consul), each value decoded by its leaf's
schema with the one codec, attributed as `consul <key>`; unknown keys are warnings, or problems
under `strict`."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from ..codec import decode
from ..problems import ConfigError, Problem, did_you_mean, show_value
from ..settings import SettingsIndex
from ..sources import SourceContext, SourceOutput, ValuesLayer
from ..tree import dotted, pointer_of
from ..spec import Logger
from .locate import locate_consul

if TYPE_CHECKING:
    from .client import ConsulKv, KvEntry, TreeRead


class DecodedEntries:
    __slots__ = ("layer", "invalid", "unknown")

    def __init__(self, layer: ValuesLayer) -> None:
        self.layer = layer
        self.invalid: list[Problem] = []
        self.unknown: list[Problem] = []


def decode_entries(entries: Sequence[KvEntry], index: SettingsIndex) -> DecodedEntries:
    prefix = index.service.consul_prefix + "/"
    out = DecodedEntries(ValuesLayer())
    for entry in entries:
        source = f"consul {entry.key}"
        text = entry.value or ""
        setting = index.by_consul_key.get(entry.key)
        if setting is not None:
            decoded = decode(text, setting.types, setting.item_types, setting.default)
            if decoded.ok:
                out.layer.values.append((setting.path, decoded.value, source))
            else:
                out.invalid.append(Problem(dotted(setting.path), source, f"expected {decoded.expected}", show_value(text, setting.secret), decoded.hint))
            continue
        # "Folders" (`config/wazo-auth/`, `…/bus/`) are how UIs show the hierarchy: not settings.
        if entry.key.endswith("/") and text == "":
            continue
        relative = entry.key[len(prefix):]
        out.unknown.append(Problem(dotted(path_of_key(relative)), source, "unknown key", hint=_unknown_hint(relative, index)))
    return out


def path_of_key(relative_key: str) -> list[str]:
    """Key segments back to path segments: `%2F` → `/`, `%25` → `%`."""
    return [_ESCAPED.sub(_unescape, s) for s in relative_key.split("/")]


_ESCAPED = re.compile(r"%(2F|25)", re.IGNORECASE)


def _unescape(match: re.Match[str]) -> str:
    return "%" if match.group(0) == "%25" else "/"


def _unknown_hint(relative: str, index: SettingsIndex) -> str:
    prefix = index.service.consul_prefix
    path = path_of_key(relative)
    leaf = index.leaf_for(path)
    if leaf:
        return f"{dotted(leaf.path)} is one key holding the whole value as JSON: write it at {leaf.consul_key}"
    if pointer_of(path) in index.groups:
        return f"{dotted(path)} is a group: write each of its settings under its own key, {prefix}/{relative[:-1] if relative.endswith('/') else relative}/<name>"
    known = [key[len(prefix) + 1:] for key in index.by_consul_key]
    guess = did_you_mean(relative, known)
    return f"did you mean {prefix}/{guess}?" if guess else "check the spelling against the settings reference, or delete the key"


def unknown_key_warning(p: Problem) -> str:
    return f"unknown key {p.key} ({p.source}): {p.hint}"


def read_prefix(kv: ConsulKv, prefix: str, what: str, logger: Logger) -> TreeRead:
    """Every key under `prefix/` with ONE recursive query, waiting for Consul; keys hidden by ACL
    filtering count as a denial. Raises ConsulUnavailable."""
    from .client import hidden_by_acl
    from .wait import ConsulUnavailable, problem_of, wait_for_consul

    consistency = "consistent" if kv.location.consistent_load else None
    read = wait_for_consul(kv.location, what, prefix, logger, lambda timeout: kv.read_tree(prefix + "/", timeout, consistency=consistency))
    kv.note(read, logger, what)
    hidden = hidden_by_acl(read, not read.entries, kv.location, f"keys under {prefix}/")
    if hidden:
        raise ConsulUnavailable(hidden, problem_of(hidden, kv.location, prefix))
    return read


def entries_output(entries: Sequence[KvEntry], index: SettingsIndex, strict: bool) -> SourceOutput:
    decoded = decode_entries(entries, index)
    if strict:
        return SourceOutput([decoded.layer], [*decoded.invalid, *decoded.unknown])
    return SourceOutput([decoded.layer], decoded.invalid, [unknown_key_warning(p) for p in decoded.unknown])


class ConsulSource:
    name = "consul"

    def __init__(self, options: Mapping[str, Any] | None, env: Mapping[str, str], strict: bool) -> None:
        self.options = options
        self.env = env
        self.strict = strict

    def read(self, context: SourceContext) -> SourceOutput:
        service = context.service
        located = locate_consul(self.options, self.env)
        if located.kind == "invalid":
            return SourceOutput([], located.problems)
        if located.kind == "off" or located.location is None:
            if located.reason.startswith("disabled"):
                context.logger.debug(f"{service.name}: Consul not read: {located.reason}")
            return SourceOutput()
        # The HTTP client (http.client, ssl, threads) is imported once Consul is located: a host without it starts faster.
        from .client import ConsulFailure, ConsulKv
        from .wait import ConsulUnavailable, problem_of

        kv: ConsulKv | None = None
        try:
            kv = ConsulKv(located.location)
            read = read_prefix(kv, service.consul_prefix, service.name, context.logger)
            return entries_output(read.entries, context.index, self.strict)
        except ConsulUnavailable as error:
            raise ConfigError(service.name, [error.problem]) from None
        except ConsulFailure as error:
            raise ConfigError(service.name, [problem_of(error, located.location, service.consul_prefix)]) from None
        finally:
            if kv is not None:
                kv.close()


class SnapshotSource:
    """The `consul` source of a watch cycle: the entries of the last answer, decoded as a load decodes them."""

    name = "consul"

    def __init__(self, entries: Sequence[KvEntry], strict: bool) -> None:
        self.entries = entries
        self.strict = strict

    def read(self, context: SourceContext) -> SourceOutput:
        return entries_output(self.entries, context.index, self.strict)
