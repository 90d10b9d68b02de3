"""The fast path of config files (wazo_config/yaml_events.py) builds exactly what the full loader
builds, or hands the file over: compared on every YAML file of the test suite (Wazo's shipped files
among them), on the YAML 1.1 scalar spellings, and on random documents made of them."""
from __future__ import annotations

import glob
import os
import random
from typing import Any

import yaml

from conftest import REPO
from wazo_config.yaml_events import Unusual, plain_document
from wazo_config.yaml_files import ConfigLoader

RESOLVERS = ConfigLoader.yaml_implicit_resolvers

# Spellings whose reading differs between YAML 1.1 and 1.2, numbers at the edges, and what must go to the full loader.
SCALARS = [
    "yes", "No", "ON", "off", "y", "n", "Y", "true", "False", "~", "null", "Null", "", "0x1F", "0o17", "017", "0b101",
    "1_000", "190:20:30", "-0", "+12", "1e3", "1.0e+3", ".5", "-.inf", ".NaN", "9007199254740991", "9007199254740993",
    "2001-12-14", "'yes'", '"0x1F"', "abc", "a b", "<<", "=", "!!str 5", "!exec {command: x}", "&a 1", "*a", "'it''s'",
    '"\\u00e9t\\u00e9"', "1.5", "0.", "-1_0.5", "!!float 3", "! 7",
]


def both(text: str) -> tuple[Any, Any]:
    """(what the fast path built, or Unusual), and what the full loader built (or the error it raised)."""
    try:
        fast: Any = plain_document(text, RESOLVERS)
    except Unusual:
        fast = Unusual
    try:
        full: Any = yaml.load(text, Loader=ConfigLoader)
    except (yaml.YAMLError, RecursionError) as error:
        full = error
    return fast, full


def assert_same(text: str) -> bool:
    """True when the fast path took the text; then its value is the full loader's, types included."""
    fast, full = both(text)
    if fast is Unusual:
        return False
    assert not isinstance(full, Exception), f"the fast path accepted what the full loader refuses ({full}):\n{text}"
    assert repr(fast) == repr(full), f"{fast!r} != {full!r} for:\n{text}"
    return True


def test_every_yaml_file_of_the_test_suite_reads_alike() -> None:
    files = [f for pattern in ("**/*.yml", "**/*.yaml") for f in glob.glob(os.path.join(REPO, "test", pattern), recursive=True)]
    taken = 0
    for path in sorted(files):
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            text = handle.read()
        taken += assert_same(text.lstrip("\ufeff"))
    # The fast path is the common case: Wazo's shipped files are plain mappings, lists and scalars.
    wazo = sorted(glob.glob(os.path.join(REPO, "test/fixtures/wazo/*/config.yml")))
    assert len(wazo) >= 15 and all(assert_same(open(f, encoding="utf-8").read()) for f in wazo)
    assert taken >= len(files) // 2, f"{taken} of {len(files)} files took the fast path"


def test_scalar_spellings_read_alike_in_every_position() -> None:
    for scalar in SCALARS:
        for text in (f"key: {scalar}\n", f"list: [{scalar}]\n", f"list:\n  - {scalar}\n", f"{scalar}: value\n", f"{scalar}\n"):
            assert_same(text)


def test_what_needs_the_full_loader_is_handed_over() -> None:
    for text in (
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "base: &b {x: 1}\nmore: {<<: *b, y: 2}\n",  # merge keys
        "a: !exec {command: date}\n",
        "a: !!omap [{x: 1}]\n",
        "a: 1\na: 2\n",  # a duplicate: the full loader names its line
        "__proto__: {x: 1}\n",
        "1: one\n",  # a key that is not text
        "a: 9007199254740993\n",  # beyond 2^53
        "a: .inf\n",
        "--- {a: 1}\n--- {b: 2}\n",
        "a: [1, 2\n",  # a syntax error
        "deep: " + "[" * 70 + "]" * 70 + "\n",
    ):
        fast, _ = both(text)
        assert fast is Unusual, text


def random_value(rng: random.Random, depth: int) -> str:
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(SCALARS[:33] + ["text", "'quoted'", '"double"', "12", "-3.5"])
    if roll < 0.75:
        return "{" + ", ".join(f"k{i}: {random_value(rng, depth + 1)}" for i in range(rng.randint(0, 3))) + "}"
    return "[" + ", ".join(random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"


def random_document(rng: random.Random) -> str:
    lines = []
    for i in range(rng.randint(0, 6)):
        if rng.random() < 0.3:
            lines.append(f"group{i}:")
            lines.extend(f"  key{j}: {random_value(rng, 2)}" for j in range(rng.randint(1, 3)))
        elif rng.random() < 0.3:
            lines.append(f"list{i}:")
            lines.extend(f"  - {random_value(rng, 2)}" for _ in range(rng.randint(1, 3)))
        else:
            lines.append(f"key{i}: {random_value(rng, 1)}")
    return "\n".join(lines) + "\n"


def test_random_documents_read_alike() -> None:
    rng = random.Random(20261202)
    taken = sum(assert_same(random_document(rng)) for _ in range(2000))
    assert taken > 500
