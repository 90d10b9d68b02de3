"""Types that catch mistakes: every generated config.py, and the runtime, pass `mypy --strict`
(Debian's mypy); and mypy rejects a consumer that reads a misspelled key or treats an integer as
a string, while it accepts the correct one."""
from __future__ import annotations

import glob
import os
import subprocess
import sys
import tempfile

import pytest

from conftest import REPO

CONFIG_FILES = sorted(glob.glob(os.path.join(REPO, "generated", "*", "config.py"))) + [os.path.join(REPO, "test", "conformance", "_schema", "config.py")]
CACHE = os.path.join(REPO, ".test-tmp", "mypy-cache")


def mypy(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MYPYPATH": os.path.join(REPO, "python")}
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", CACHE, *args], capture_output=True, text=True, env=env, cwd=REPO)


def test_there_is_a_config_py_per_schema() -> None:
    assert len(CONFIG_FILES) == len(glob.glob(os.path.join(REPO, "schemas", "*.schema.json"))) + 1


@pytest.mark.parametrize("path", CONFIG_FILES, ids=lambda p: os.path.relpath(p, REPO))
def test_generated_config_py_passes_mypy_strict(path: str) -> None:
    done = mypy(path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_runtime_passes_mypy_strict() -> None:
    done = mypy("-p", "wazo_config")
    assert done.returncode == 0, done.stdout + done.stderr


CONSUMER = """
from config import Config, load_config

config: Config = load_config(env={{}}, config_file=False, config_dir=False)
{body}
"""


def check_consumer(body: str) -> str:
    with tempfile.TemporaryDirectory(dir=os.path.join(REPO, ".test-tmp")) as directory:
        path = os.path.join(directory, "consumer.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(CONSUMER.format(body=body))
        env_path = os.pathsep.join([os.path.join(REPO, "python"), os.path.join(REPO, "generated", "wazo-webhookd")])
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", CACHE, path],
            capture_output=True, text=True, env={**os.environ, "MYPYPATH": env_path}, cwd=REPO,
        )
        return done.stdout + done.stderr


def test_mypy_accepts_a_correct_consumer() -> None:
    assert check_consumer("port: int = config['rest_api']['port']\nlevel: str = config['log_level']\n") == ""


def test_mypy_rejects_a_misspelled_key() -> None:
    out = check_consumer("port = config['rest_api']['prot']\n")
    assert 'TypedDict "RestApi" has no key "prot"' in out, out


def test_mypy_rejects_an_integer_used_as_a_string() -> None:
    out = check_consumer("port: str = config['rest_api']['port']\nconfig['bus']['host'].upper()\nconfig['bus']['port'].upper()\n")
    assert 'Incompatible types in assignment (expression has type "int", variable has type "str")' in out, out
    assert '"int" has no attribute "upper"' in out, out
    assert out.count("error:") == 2, out


def test_mypy_rejects_a_value_outside_an_enum() -> None:
    out = check_consumer("config['log_level'] = 'loud'\n")
    assert 'Value of "log_level" has incompatible type "Literal[\'loud\']"' in out, out
