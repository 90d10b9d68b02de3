"""The Python runtime bounds nesting while it parses a config file, as the TypeScript one does
(generator/runtime/yaml11.ts, MAX_DEPTH in limits.ts): a file nesting 100,000 levels is one
problem at its position, not a crash. libyaml's C composer recurses once per level and overflows
the C stack (SIGSEGV) long before a check of the parsed value could run, so each file is read in a
child process: a crash is a failure of this test, not of the whole suite."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from conftest import REPO

READ = "import json, sys; from wazo_config.yaml_files import read_yaml_file; r = read_yaml_file(sys.argv[1]); print(json.dumps(r.problem.as_dict() if r.problem else r.tree))"
HINT = "a configuration nests a few levels at most: check the brackets and the indentation"


def read_in_child(path: str) -> Any:
    env = {**os.environ, "PYTHONPATH": os.path.join(REPO, "python")}
    done = subprocess.run([sys.executable, "-c", READ, path], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, f"the reader died with {done.returncode}: {done.stderr[-500:]}"
    return json.loads(done.stdout)


# Where the 65th level starts (the file's mapping is level 1), as the TypeScript parser reports it: the 64th `[`,
# or the key `a` of the 63rd `{a: ` (a key is a level below its mapping).
@pytest.mark.parametrize("opening, closing, column", [("[", "]", 70), ("{a: ", "}", 256)])
def test_a_file_nesting_100000_levels_is_one_problem_at_its_position(tmp_path: Any, opening: str, closing: str, column: int) -> None:
    path = tmp_path / "config.yml"
    path.write_text("log_level: info\ndeep: " + opening * 100_000 + "x" + closing * 100_000 + "\n", encoding="utf-8")
    problem = read_in_child(str(path))
    assert problem == {
        "key": f"{path}:2:{column}",
        "source": f"file {path}",
        "message": "invalid YAML: nesting exceeded the limit of 64 levels",
        "hint": HINT,
    }


def test_64_levels_are_read(tmp_path: Any) -> None:
    path = tmp_path / "config.yml"
    path.write_text("deep: " + "[" * 63 + "]" * 63 + "\n", encoding="utf-8")
    tree = read_in_child(str(path))
    depth, node = 1, tree["deep"]  # the file's mapping is level 1
    while isinstance(node, list):
        depth, node = depth + 1, node[0] if node else None
    assert depth == 64
