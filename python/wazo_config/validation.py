"""Validation: what the validators emitted into each generated config.py call at run time, and the
translation of their errors (shaped as ajv's) into problems that name key, source, value and hint,
worded as generator/runtime/validation.ts words them."""
from __future__ import annotations

import json
import math
import re
from typing import Any, Callable, Sequence

from .codec import decode, type_hint
from .problems import Problem, js_json, show_value
from .settings import SettingsIndex
from .tree import ConfigTree, dotted, get_at, is_missing, path_of_pointer
from .spec import SettingSpec, ValidationError

# --- helpers of the emitted validators -------------------------------------------------------


def is_type(value: Any, name: str) -> bool:
    """JSON Schema's types over Python values, as ajv sees JSON: a bool is no number, 2.0 is an integer."""
    if name == "string":
        return isinstance(value, str)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if isinstance(value, bool):
        return False
    # ajv's strictNumbers: Infinity and NaN are neither numbers nor integers.
    if name == "number":
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    if name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value.is_integer())
    return False


def _canonical(value: Any) -> str:
    return json.dumps(_typed(value), sort_keys=True, ensure_ascii=False)


def _typed(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return ["#n", float(value)]
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    return repr(value)


def json_equal(a: Any, b: Any) -> bool:
    """Deep equality of JSON values, as ajv's: 1 equals 1.0, but true is not 1."""
    return _canonical(a) == _canonical(b)


def duplicate_items(items: Sequence[Any]) -> tuple[int, int] | None:
    """ajv's uniqueItems params: (i, j) with j < i the first duplicate pair found from the end."""
    seen: dict[str, int] = {}
    for i in range(len(items) - 1, -1, -1):
        key = _canonical(items[i])
        if key in seen:
            return seen[key], i
        seen[key] = i
    return None


def js_len(text: str) -> int:
    """ajv counts code points (ucs2length), as Python does."""
    return len(text)


def multiple_of(value: float, divisor: float) -> bool:
    return bool(value % divisor == 0) if divisor else True


def pointer_join(base: str, key: str | int) -> str:
    segment = str(key)
    return f"{base}/{segment.replace('~', '~0').replace('/', '~1')}"


# ajv-formats "full" formats that are functions rather than regular expressions.
_DATE = re.compile(r"(\d\d\d\d)-(\d\d)-(\d\d)", re.ASCII)
_TIME = re.compile(r"(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?", re.ASCII | re.IGNORECASE)
_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
_NOT_URI_FRAGMENT = re.compile(r"/|:")
# ajv-formats' URI (RFC 3986), as its `uri` format checks it; compiled when a schema uses the format (it is long).
URI_PATTERN = (r"(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::[0-9]*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?")
_BYTE = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _date(text: str) -> bool:
    m = _DATE.fullmatch(text)
    if not m:
        return False
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 and leap else _DAYS[month])


def _time(strict_zone: bool) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        m = _TIME.fullmatch(text)
        if not m:
            return False
        hr, minute, sec = int(m[1]), int(m[2]), float(m[3])
        zone, sign = m[4], -1 if m[5] == "-" else 1
        tz_h, tz_m = int(m[6] or 0), int(m[7] or 0)
        if tz_h > 23 or tz_m > 59 or (strict_zone and not zone):
            return False
        if hr <= 23 and minute <= 59 and sec < 60:
            return True
        utc_min = minute - tz_m * sign
        utc_hr = hr - tz_h * sign - (1 if utc_min < 0 else 0)
        return utc_hr in (23, -1) and utc_min in (59, -1) and sec < 61

    return check


def _date_time(strict_zone: bool) -> Callable[[str], bool]:
    time = _time(strict_zone)

    def check(text: str) -> bool:
        parts = re.split(r"t|\s", text, flags=re.IGNORECASE)
        return len(parts) == 2 and _date(parts[0]) and time(parts[1])

    return check


def _regex(text: str) -> bool:
    if re.search(r"[^\\]\\Z", text):
        return False
    try:
        re.compile(text)
        return True
    except re.error:
        return False


def format_function(name: str) -> Callable[[Any], bool]:
    """The check of a format of ajv-formats that is a function rather than a regular expression."""
    if name == "date":
        return lambda v: not isinstance(v, str) or _date(v)
    if name in ("time", "iso-time"):
        check = _time(name == "time")
        return lambda v: not isinstance(v, str) or check(v)
    if name in ("date-time", "iso-date-time"):
        check_dt = _date_time(name == "date-time")
        return lambda v: not isinstance(v, str) or check_dt(v)
    if name == "uri":
        uri = re.compile(URI_PATTERN, re.IGNORECASE)
        return lambda v: not isinstance(v, str) or bool(_NOT_URI_FRAGMENT.search(v) and uri.fullmatch(v))
    if name == "byte":
        return lambda v: not isinstance(v, str) or bool(_BYTE.fullmatch(v))
    if name == "regex":
        return lambda v: not isinstance(v, str) or _regex(v)
    if name == "int32":
        return lambda v: not is_type(v, "number") or (is_type(v, "integer") and -(2**31) <= v <= 2**31 - 1)
    if name == "int64":
        return lambda v: not is_type(v, "number") or is_type(v, "integer")
    return lambda v: True


# --- errors → problems ------------------------------------------------------------------------


def _types_text(value: Any) -> str:
    return " or ".join(value) if isinstance(value, list) else str(value)


EXPECTATIONS: dict[str, Callable[[dict[str, Any]], str]] = {
    "type": lambda p: f"expected {_types_text(p['type'])}",
    "enum": lambda p: "expected one of " + ", ".join(js_json(v) for v in p["allowedValues"]),
    "const": lambda p: f"expected {js_json(p['allowedValue'])}",
    "required": lambda p: NOT_SET,
    "pattern": lambda p: f"expected text matching {p['pattern']}",
    "format": lambda p: f"expected a valid {p['format']}",
    "minimum": lambda p: f"expected a value >= {js_json(p['limit'])}",
    "maximum": lambda p: f"expected a value <= {js_json(p['limit'])}",
    "exclusiveMinimum": lambda p: f"expected a value > {js_json(p['limit'])}",
    "exclusiveMaximum": lambda p: f"expected a value < {js_json(p['limit'])}",
    "minLength": lambda p: f"expected at least {p['limit']} characters",
    "maxLength": lambda p: f"expected at most {p['limit']} characters",
    "minItems": lambda p: f"expected at least {p['limit']} items",
    "maxItems": lambda p: f"expected at most {p['limit']} items",
    "uniqueItems": lambda p: "expected no duplicate items",
    "multipleOf": lambda p: f"expected a multiple of {js_json(p['multipleOf'])}",
}


def _describe(error: ValidationError) -> str:
    describe = EXPECTATIONS.get(error.keyword)
    return describe(error.params) if describe else f"expected a value that passes {error.keyword} ({error.message})"


NOT_SET = "required, not set"


def missing_required(tree: ConfigTree, index: SettingsIndex, config_file: str | None) -> list[Problem]:
    """Required settings no source set. Checked here rather than left to the validator, which says
    nothing when the group holding the key is absent altogether."""
    return [
        Problem(dotted(s.path), "nothing", NOT_SET, hint=where_to_set(s, config_file))
        for s in index.service.settings
        if s.required and is_missing(get_at(tree.root, s.path))
    ]


def where_to_set(setting: SettingSpec, config_file: str | None) -> str:
    """Every place a service reads a key from, for the hint of a required key nothing set."""
    return f"set {setting.env}, or Consul {setting.consul_key}, or {dotted(setting.path)} in {config_file or 'a config file'}"


#: The words YAML 1.1 (PyYAML, and this loader) reads as booleans when they are not quoted.
_YAML_BOOLEAN = re.compile(r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF")


def _quoted_hint(leaf: SettingSpec, value: Any, source: str) -> str | None:
    """A file's `'no'` or `"5672"` is a string because it is quoted (validation.ts `quotedHint`).
    Secrets' values are never echoed."""
    if not isinstance(value, str) or leaf.secret or not source.startswith("file "):
        return None
    meant = decode(value, leaf.types, leaf.item_types)
    if not meant.ok or not isinstance(meant.value, (bool, int, float)):
        return None
    if isinstance(meant.value, bool):
        plain = value if _YAML_BOOLEAN.fullmatch(value) else js_json(meant.value)
    else:
        plain = js_json(meant.value)
    return f"'{value}' is quoted, so it is a string; write {plain} without quotes"


def _hint(error: ValidationError, leaf: SettingSpec | None, value: Any, source: str) -> str:
    if error.keyword == "required":
        return "set a key under it: the schema requires it and gives no default"
    if error.keyword == "enum":
        return "use one of the listed values"
    if leaf and error.keyword == "type":
        return _quoted_hint(leaf, value, source) or type_hint(leaf.types, leaf.item_types, leaf.default)
    if error.keyword in ("minimum", "maximum") or error.keyword.startswith("exclusive"):
        return "use a value inside the allowed range"
    return "see the settings reference for this key"


def problems_from_validation(errors: Sequence[ValidationError], tree: ConfigTree, index: SettingsIndex, config_file: str | None = None) -> list[Problem]:
    by_key: dict[str, Problem] = {}
    for error in errors:
        path = path_of_pointer(error.instance_path)
        if error.keyword == "required":
            path.append(str(error.params["missingProperty"]))
        leaf = index.leaf_for(path)
        key = dotted(path)
        expected = _describe(error)
        seen = by_key.get(key)
        if seen:
            # Several keywords may fail on one value (a union's branches): one problem, every expectation.
            if expected not in seen.message:
                seen.message += f"; {expected}"
            continue
        missing = error.keyword == "required"
        value = get_at(tree.root, path)
        source = "nothing" if missing else tree.source_of(path)
        by_key[key] = Problem(
            key,
            source,
            expected,
            None if missing else show_value(value, leaf.secret if leaf else False, missing=is_missing(value)),
            where_to_set(leaf, config_file) if missing and leaf else _hint(error, leaf, value, source),
        )
    return list(by_key.values())
