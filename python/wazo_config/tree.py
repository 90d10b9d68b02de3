"""The merged configuration tree and where each value came from (tree.ts). Merging follows Wazo's
ChainMap: objects are deep-merged; arrays, scalars and null replace what was there."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .limits import FORBIDDEN_KEY_HINT, FORBIDDEN_KEYS
from .problems import Problem

if TYPE_CHECKING:
    from .spec import SettingSpec

_INDEX = re.compile(r"\d+")


def pointer_of(path: Sequence[str]) -> str:
    return "".join("/" + s.replace("~", "~0").replace("/", "~1") for s in path)


def path_of_pointer(pointer: str) -> list[str]:
    if pointer == "":
        return []
    return [s.replace("~1", "/").replace("~0", "~") for s in pointer[1:].split("/")]


def dotted(path: Sequence[str]) -> str:
    """Dotted display form of a path: `rest_api.https.port`."""
    return ".".join(path) or "(root)"


_MISSING: Any = object()


def get_at(tree: Any, path: Sequence[str], default: Any = _MISSING) -> Any:
    """The value at `path`, or `default` (a sentinel that `is_missing` recognises) when there is none."""
    node = tree
    for segment in path:
        if isinstance(node, dict) and segment in node:
            node = node[segment]
        elif isinstance(node, list) and _INDEX.fullmatch(segment) and int(segment) < len(node):
            node = node[int(segment)]
        else:
            return default
    return node


def is_missing(value: Any) -> bool:
    return value is _MISSING


def clone(value: Any) -> Any:
    """A copy of a JSON value: only lists and dicts need one (faster than copy.deepcopy)."""
    kind = type(value)
    if kind is dict:
        return {k: clone(v) for k, v in value.items()}
    if kind is list:
        return [clone(v) for v in value]
    return value


class _SourceNode:
    __slots__ = ("source", "children")

    def __init__(self) -> None:
        self.source: str | None = None
        self.children: dict[str, _SourceNode] | None = None

    def child(self, segment: str) -> _SourceNode:
        if self.children is None:
            self.children = {}
        node = self.children.get(segment)
        if node is None:
            node = self.children[segment] = _SourceNode()
        return node


def _replace(node: dict[str, Any], sources: _SourceNode, key: str, value: Any, previous: Any, source: str) -> None:
    """Puts `value` whole at `key` of `node` (a copy), set by `source`: the last step of `set` and of `merge`."""
    kind = type(value)
    node[key] = clone(value) if kind is dict or kind is list else value
    child = sources.child(key)
    # Only a replaced object or array can have had sources recorded below it.
    if type(previous) is dict or type(previous) is list:
        child.children = None
    child.source = source


class ConfigTree:
    """A tree plus the source of every value in it, kept at the deepest path each source set.

    `refused` holds the values that could not be placed: a child set under a group that a source
    emptied (`rest_api:` with nothing under it is null) or gave another type, and keys that would
    reach a JavaScript prototype (refused as the TypeScript runtime refuses them)."""

    def __init__(self, is_group: Callable[[Sequence[str]], bool] = lambda path: False) -> None:
        self.root: dict[str, Any] = {}
        self._sources = _SourceNode()
        self._is_group = is_group
        self.refused: list[Problem] = []

    def merge(self, patch: dict[str, Any], source: str, at: Sequence[str] = ()) -> None:
        """Deep-merges `patch` over the tree (objects merged, everything else replaced)."""
        node = get_at(self.root, at)
        if type(node) is not dict:
            for key, value in patch.items():
                self.set((*at, key), value, source)
            return
        sources = self._sources
        for segment in at:
            sources = sources.child(segment)
        self._merge_into(node, sources, patch, source, tuple(at))

    def _merge_into(self, node: dict[str, Any], sources: _SourceNode, patch: dict[str, Any], source: str, at: tuple[str, ...]) -> None:
        # Walks the tree and its sources alongside the patch: one step per key, not a walk from the root per value.
        for key, value in patch.items():
            if key in FORBIDDEN_KEYS:
                self.set((*at, key), value, source)  # refused there, with its message
                continue
            current = node.get(key, _MISSING)
            if isinstance(value, dict) and isinstance(current, dict):
                self._merge_into(current, sources.child(key), value, source, (*at, key))
            elif isinstance(value, dict) and current is not _MISSING and self._is_group((*at, key)) and self.source_of((*at, key)) != "default":
                self._refuse((*at, key), source, (*at, key), current)
            else:
                _replace(node, sources, key, value, current, source)

    def set(self, path: Sequence[str], value: Any, source: str) -> None:
        """Replaces the value at `path` whole, creating parent objects as needed."""
        for segment in path:
            if segment in FORBIDDEN_KEYS:
                self.refused.append(Problem(dotted(path), source, f"the key {segment} is refused", hint=FORBIDDEN_KEY_HINT))
                return
        node = self.root
        sources = self._sources
        last = len(path) - 1
        for n in range(last):
            segment = path[n]
            nxt = node.get(segment, _MISSING)
            if nxt is _MISSING:
                nxt = node[segment] = {}
            elif type(nxt) is not dict:
                self._refuse(path, source, path[: n + 1], nxt)
                return
            node = nxt
            sources = sources.child(segment)
        _replace(node, sources, path[last], value, node.get(path[last], _MISSING), source)

    def _refuse(self, path: Sequence[str], source: str, group: Sequence[str], existing: Any) -> None:
        """A value under a group that a source emptied or gave another type: the group keeps its value (and its error)."""
        if existing is None:
            what = "empty (null)"
        else:
            kind = "a list" if isinstance(existing, list) else "string" if isinstance(existing, str) else "boolean" if isinstance(existing, bool) else "number"
            what = f"not a group ({kind})"
        self.refused.append(
            Problem(
                dotted(path),
                source,
                f"cannot be set: {dotted(group)} is {what} in {self.source_of(group)}",
                hint=f'give {dotted(group)} its settings there, or remove its empty "{group[-1]}:" line to keep the defaults',
            )
        )

    def delete(self, path: Sequence[str]) -> None:
        parent = get_at(self.root, path[:-1])
        if isinstance(parent, dict):
            parent.pop(path[-1], None)

    def source_of(self, path: Sequence[str]) -> str:
        """The source that set the value at `path` (or the nearest ancestor that did)."""
        node: _SourceNode | None = self._sources
        found = node.source if node else None
        for segment in path:
            node = node.children.get(segment) if node and node.children else None
            if node is None:
                break
            if node.source:
                found = node.source
        return found or "default"

    def sources_within(self, path: Sequence[str]) -> list[str]:
        """Every source that set a value at or below `path`, each once: a map merged from the defaults,
        a file and Consul has no one source (`source_of` names only the one that set the map itself)."""
        value = get_at(self.root, path)
        if not isinstance(value, dict) or not value:
            return [self.source_of(path)]
        return list(dict.fromkeys(s for key in value for s in self.sources_within((*path, key))))


def source_rows(tree: ConfigTree, setting: SettingSpec) -> list[tuple[tuple[str, ...], str]]:
    """Where a setting's value came from (tree.ts `sourceRows`): one row per entry of a map (each entry
    has its own source), else one row for the setting itself; several sources joined by ` + `."""
    path = tuple(setting.path)
    value = get_at(tree.root, path)

    def row(at: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        return at, " + ".join(tree.sources_within(at))

    if "map" not in setting.types or not isinstance(value, dict) or not value:
        return [row(path)]
    return [row((*path, key)) for key in value]
