"""Bounds on what one source may hand the loader (generator/runtime/limits.ts): the same limits and
words as the TypeScript runtime, so that both refuse the same hostile or broken input."""
from __future__ import annotations

from typing import Any

#: Deepest nesting of lists and maps in one value or file (the root counts as level 1).
MAX_DEPTH = 64
#: Most values in one file or one value once YAML aliases are expanded.
MAX_VALUES = 1_000_000
#: Largest config file read, in bytes.
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024
#: Keys that would reach a JavaScript object's prototype: refused by both runtimes alike.
FORBIDDEN_KEYS = frozenset(("__proto__", "constructor", "prototype"))
FORBIDDEN_KEY_HINT = "no setting has this name; it would reach the prototype of JavaScript objects (remove it)"


def json_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """The nesting depth of a JSON text, counted before parsing it (brackets outside strings)."""
    depth = deepest = 0
    in_string = False
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if in_string:
            if c == "\\":
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif c in "]}":
            depth -= 1
        i += 1
    return deepest


def tree_fault(value: Any, max_depth: int = MAX_DEPTH) -> tuple[str, list[str], Any] | None:
    """The first thing the loader must not take: ("depth", path, None), ("size", [], None),
    ("key", path, key) or ("number", path, value)."""
    count = 0
    path: list[str] = []

    def walk(node: Any, depth: int) -> tuple[str, list[str], Any] | None:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            return ("size", [], None)
        if isinstance(node, float):
            return None if node == node and node not in (float("inf"), float("-inf")) else ("number", list(path), node)
        if not isinstance(node, (dict, list)):
            return None
        if depth > max_depth:
            return ("depth", list(path), None)
        entries = [(str(i), v) for i, v in enumerate(node)] if isinstance(node, list) else list(node.items())
        for key, child in entries:
            if isinstance(node, dict) and key in FORBIDDEN_KEYS:
                return ("key", list(path), key)
            path.append(key)
            fault = walk(child, depth + 1)
            path.pop()
            if fault:
                return fault
        return None

    return walk(value, 1)
