"""The conformance corpus (test/conformance/), run by the Python runtime: every case gives its
expected.json, the same file the TypeScript runtime is held to."""
from __future__ import annotations

import json
import os
import re
from typing import Any

import pytest

from conftest import REPO
from runner import module_at, run

HERE = os.path.join(REPO, "test", "conformance")
CASES = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)) and not d.startswith("_"))


def options_of(name: str) -> dict[str, Any]:
    directory = os.path.join(HERE, name)
    with open(os.path.join(directory, "case.json"), encoding="utf-8") as handle:
        options = dict(json.load(handle)["options"])
    for key in ("configFile", "configDir"):
        options[key] = os.path.join(directory, options[key]) if isinstance(options.get(key), str) else False
    return options


def without_parser_words(text: str) -> Any:
    """A YAML error's position and words are each parser's own; option names in hints each language's."""
    text = re.sub(r'(\.yml):\d+:\d+"', r'\1:<position>"', text)
    text = re.sub(r'"invalid YAML: [^"]*"', '"invalid YAML: <parser\'s words>"', text)
    return json.loads(text.replace("wazo_compat={'exec': True}", "wazoCompat: { exec: true }"))


def portable(outcome: dict[str, Any], name: str) -> Any:
    kept = {"problems": outcome["problems"]} if "problems" in outcome else {k: outcome[k] for k in ("config", "sources", "warnings")}
    return without_parser_words(json.dumps(kept, ensure_ascii=False).replace(os.path.join(HERE, name), "{case}"))


@pytest.fixture(scope="module")
def config_module() -> Any:
    return module_at(os.path.join(HERE, "_schema", "config.py"))


def test_the_corpus_has_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("name", CASES)
def test_case_gives_expected(name: str, config_module: Any) -> None:
    with open(os.path.join(HERE, name, "expected.json"), encoding="utf-8") as handle:
        expected = json.load(handle)
    expected = without_parser_words(json.dumps(expected, ensure_ascii=False))
    assert portable(run(config_module, options_of(name)), name) == expected
