"""The one value-text codec shared by every artifact (Consul KV, env vars, `.env` files, ConfigMap
data) and the loader: the same rules as generator/runtime/codec.ts, text for text.

- strings are written raw; numbers, booleans, arrays, maps and null as JSON;
- a string is JSON-quoted only when its leaf also accepts another type and the raw text would read
  back as that type (`"8668"` for a port that accepts `integer | string`);
- humans may also write booleans as 1/0/yes/no/on/off (any case) and arrays of scalars as
  comma-separated items.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, NamedTuple, Sequence

from .limits import FORBIDDEN_KEY_HINT, MAX_DEPTH, json_depth, tree_fault
from .problems import js_json

TRUE_WORDS = frozenset(("true", "1", "yes", "on"))
FALSE_WORDS = frozenset(("false", "0", "no", "off"))
JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# JavaScript's String.prototype.trim: whitespace and line terminators (Python's str.strip differs on a few).
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


class Decoded(NamedTuple):
    ok: bool
    value: Any = None
    expected: str = ""
    hint: str = ""


class _Spec:
    """What the codec reads of a leaf: its types and item types (a SettingSpec fits)."""

    types: Sequence[str]
    item_types: Sequence[str] | None


def js_trim(text: str) -> str:
    return text.strip(_JS_SPACE)


def encode(value: Any, types: Sequence[str] | None = None, item_types: Sequence[str] | None = None) -> str:
    if not isinstance(value, str):
        return js_json(value)
    if types is not None and _only_string(types):
        return value
    if types is None or not _reads_as_string(value, types, item_types):
        return js_json(value)
    return value


def _number(text: str) -> int | float:
    """JavaScript's `Number(text)` for a JSON number: integral values are ints, as far as JavaScript keeps them exact."""
    if "." in text or "e" in text or "E" in text:
        n = float(text)
        return int(n) if n.is_integer() and abs(n) < 2**53 else n
    value = int(text)
    return value if abs(value) <= MAX_SAFE_INTEGER else float(value)


MAX_SAFE_INTEGER = 2**53 - 1
_NOT_JSON = Decoded(False)


def _parse_json(text: str) -> Decoded:
    """JSON text → value, refusing what the loader must not take (limits.ts): nesting beyond
    MAX_DEPTH, keys that reach a JavaScript prototype, numbers JSON cannot carry. `expected` is
    empty when the text is simply not JSON."""
    if json_depth(text) > MAX_DEPTH:
        return Decoded(False, expected=f"a value nested at most {MAX_DEPTH} levels deep", hint="a setting holds a few levels at most: check what wrote it")
    try:
        value = _normalise(json.loads(text, parse_constant=_reject))
    except (ValueError, RecursionError):
        return _NOT_JSON
    fault = tree_fault(value)
    if fault is not None and fault[0] == "key":
        return Decoded(False, expected=f"no key named {fault[2]}", hint=FORBIDDEN_KEY_HINT)
    if fault is not None:
        return Decoded(False, expected="a smaller value", hint="a setting holds a few levels at most: check what wrote it")
    return Decoded(True, value)


def _reject(name: str) -> Any:
    raise ValueError(name)


def decode(text: str, types: Sequence[str], item_types: Sequence[str] | None = None, default: Any = None) -> Decoded:
    """`default`, a setting's own, is only the example a failure's hint gives (codec.ts)."""
    if _only_string(types):
        return Decoded(True, text)
    if "string" in types and text.startswith('"'):
        quoted = _parse_json(text)
        if quoted.ok and isinstance(quoted.value, str):
            return quoted
    trimmed = js_trim(text)
    any_type = len(types) == 0

    def accepts(t: str) -> bool:
        return any_type or t in types

    if accepts("null") and trimmed == "null":
        return Decoded(True, None)
    if accepts("boolean") and trimmed in ("true", "false"):
        return Decoded(True, trimmed == "true")
    if (accepts("integer") or accepts("number")) and JSON_NUMBER.fullmatch(trimmed):
        n = _number(trimmed)
        if isinstance(n, float) and not math.isfinite(n):
            return Decoded(False, expected="a finite number", hint="JSON has no infinity: write a smaller number")
        # An integer past 2^53 would be rounded: refused for integer settings, text where a string is accepted.
        rounded = "integer" in types and "number" not in types and re.fullmatch(r"-?[0-9]+", trimmed) is not None and abs(int(trimmed)) > MAX_SAFE_INTEGER
        if rounded and "string" not in types:
            return Decoded(False, expected="an integer within ±9007199254740991 (2^53 - 1)", hint="JavaScript would round it: quote it and make the setting a string")
        if not rounded and (accepts("number") or isinstance(n, int)):
            return Decoded(True, n)
    if accepts("boolean") and not any_type:
        word = trimmed.lower()
        if word in TRUE_WORDS:
            return Decoded(True, True)
        if word in FALSE_WORDS:
            return Decoded(True, False)
    if (accepts("array") and trimmed.startswith("[")) or (accepts("map") and trimmed.startswith("{")):
        parsed = _parse_json(trimmed)
        return parsed if parsed.ok or parsed.expected else _failure(types, item_types, default)
    if "array" in types and item_types and not trimmed.startswith("["):
        items = _decode_comma_list(trimmed, item_types)
        if items is not None:
            return Decoded(True, items)
    if accepts("string"):
        if any_type:
            parsed = _parse_json(trimmed)
            if parsed.ok or parsed.expected:
                return parsed
        return Decoded(True, text)
    return _failure(types, item_types, default)


def _normalise(value: Any) -> Any:
    """Numbers as JavaScript reads JSON: an integral float is an integer (`1.0` → 1)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def _decode_comma_list(text: str, item_types: Sequence[str]) -> list[Any] | None:
    if text == "":
        return []
    items = []
    for part in text.split(","):
        item = decode(js_trim(part), item_types)
        if not item.ok:
            return None
        items.append(item.value)
    return items


def _only_string(types: Sequence[str]) -> bool:
    return len(types) == 1 and types[0] == "string"


def _reads_as_string(value: str, types: Sequence[str], item_types: Sequence[str] | None) -> bool:
    back = decode(value, types, item_types)
    return back.ok and back.value == value and isinstance(back.value, str)


def _failure(types: Sequence[str], item_types: Sequence[str] | None, default: Any) -> Decoded:
    return Decoded(False, expected=describe_types(types), hint=type_hint(types, item_types, default))


TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
    "array": "a list",
    "map": "a map",
}


def describe_types(types: Sequence[str]) -> str:
    if not types:
        return "any JSON value"
    return " or ".join(TYPE_NAMES[t] for t in types)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _js_number(value: Any) -> str:
    """A number as JavaScript's String() writes it (an integral float without `.0`)."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


#: What to write for each type; a number's example is the setting's own default, never another key's.
TYPE_HINTS: dict[str, Callable[[Any], str]] = {
    "string": lambda d: "any text",
    "integer": lambda d: f"a whole number such as {_js_number(d)}" if _is_number(d) and float(d).is_integer() else "a whole number",
    "number": lambda d: f"a number such as {_js_number(d) if _is_number(d) else '2.5'}",
    "boolean": lambda d: "true or false (also 1/0, yes/no, on/off)",
    "null": lambda d: "null",
    "array": lambda d: 'a JSON list such as ["a", "b"]',
    "map": lambda d: 'a JSON object such as {"name": true}',
}


def type_hint(types: Sequence[str], item_types: Sequence[str] | None = None, default: Any = None) -> str:
    """`default`, when the types are a setting's: the example a number's hint gives."""
    hints = [TYPE_HINTS[t](default) for t in types]
    if "array" in types and item_types:
        hints.append("a comma-separated list such as a,b")
    return f"write {', or '.join(hints) or 'a JSON value'}"
