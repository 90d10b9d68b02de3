"""The merged configuration tree and where each value came from (tree.ts). Merging follows Wazo's
ChainMap: objects are deep-merged; arrays, scalars and null replace what was there."""
from __future__ import annotations

import copy
import re
from typing import Any, Sequence

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
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value


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


class ConfigTree:
    """A tree plus the source of every value in it, kept at the deepest path each source set."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self._sources = _SourceNode()

    def merge(self, patch: dict[str, Any], source: str, at: Sequence[str] = ()) -> None:
        """Deep-merges `patch` over the tree (objects merged, everything else replaced)."""
        for key, value in patch.items():
            path = (*at, key)
            current = get_at(self.root, path)
            if isinstance(value, dict) and isinstance(current, dict):
                self.merge(value, source, path)
            else:
                self.set(path, value, source)

    def set(self, path: Sequence[str], value: Any, source: str) -> None:
        """Replaces the value at `path` whole, creating parent objects as needed."""
        previous = get_at(self.root, path)
        node = self.root
        sources = self._sources
        for segment in path[:-1]:
            nxt = node.get(segment)
            if not isinstance(nxt, dict):
                nxt = node[segment] = {}
            node = nxt
            sources = sources.child(segment)
        node[path[-1]] = clone(value)
        sources = sources.child(path[-1])
        # Only a replaced object or array can have had sources recorded below it.
        if isinstance(previous, (dict, list)):
            sources.children = None
        sources.source = source

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
