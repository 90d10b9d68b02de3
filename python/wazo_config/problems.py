"""Problems found while loading, and the one error that lists them all (problems.ts)."""
from __future__ import annotations

import json
import re
from typing import Any, Iterable

MASK = "*****"


class Problem:
    """One thing wrong with the configuration (a class with slots: see spec.py on dataclasses)."""

    __slots__ = ("key", "source", "message", "value", "hint")

    def __init__(self, key: str, source: str, message: str, value: str | None = None, hint: str | None = None) -> None:
        #: Dotted key, e.g. `bus.port`, or an env/file name when no key applies.
        self.key = key
        #: Where the value came from: `env WAZO_AUTH_BUS_PORT`, `file /etc/…/config.yml`, `default`…
        self.source = source
        #: What was wrong, e.g. `expected an integer`.
        self.message = message
        #: The offending value as shown to humans: masked when secret.
        self.value = value
        self.hint = hint

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._fields() == other._fields()

    def _fields(self) -> tuple[Any, ...]:
        return (self.key, self.source, self.message, self.value, self.hint)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Problem({self.as_dict()!r})"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "source": self.source, "message": self.message}
        if self.value is not None:
            out["value"] = self.value
        if self.hint:
            out["hint"] = self.hint
        return out


def format_problem(p: Problem) -> str:
    got = "" if p.value is None else f", got {p.value}"
    hint = f" (hint: {p.hint})" if p.hint else ""
    return f"{p.key} ({p.source}): {p.message}{got}{hint}"


def problems_line(service: str, problems: Iterable[Problem]) -> str:
    """Every problem on one line, for a log record (journald, syslog and log shippers cut at line breaks)."""
    listed = tuple(problems)
    each = "; ".join(re.sub(r"\s*[\r\n]+\s*", " ", format_problem(p)) for p in listed)
    return f"{service}: invalid configuration ({_count(listed)}): {each}"


def _count(problems: tuple[Problem, ...]) -> str:
    return "1 problem" if len(problems) == 1 else f"{len(problems)} problems"


class ConfigError(Exception):
    """Every problem of one load at once, each with key, source, masked value and hint."""

    def __init__(self, service: str, problems: Iterable[Problem]) -> None:
        self.service = service
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  - {format_problem(p)}" for p in self.problems)
        super().__init__(f"{service}: invalid configuration ({_count(self.problems)}):\n{lines}")

    @property
    def message(self) -> str:
        return str(self)


def js_json(value: Any) -> str:
    """`JSON.stringify` of a JSON value: no spaces, non-ASCII kept, integral floats without `.0`."""
    return json.dumps(_js_numbers(value), ensure_ascii=False, separators=(",", ":"))


def _js_numbers(value: Any) -> Any:
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None  # JSON has neither: JSON.stringify writes null
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    return value


_NOTHING: Any = object()


def show_value(value: Any, secret: bool, *, missing: bool = False) -> str:
    """A value as printed in messages: JSON, cut at 80 characters, or the mask for secrets."""
    if secret:
        return MASK
    # Infinity and NaN as JSON would read `null`: say what the value is.
    if isinstance(value, float) and not missing and (value != value or value in (float("inf"), float("-inf"))):
        text = "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    else:
        text = "nothing" if missing else js_json(value)
    return text[:77] + "..." if len(text) > 80 else text


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate within a small edit distance, for "did you mean …" hints."""
    best: str | None = None
    best_distance: float = max(2, len(name) // 3) + 1
    lowered = name.lower()
    for candidate in candidates:
        d = _edit_distance(lowered, candidate.lower())
        if d < best_distance:
            best, best_distance = candidate, d
    return best


def _edit_distance(a: str, b: str) -> float:
    if abs(len(a) - len(b)) > 3:
        return float("inf")
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[len(b)]
