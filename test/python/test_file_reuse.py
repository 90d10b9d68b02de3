"""A config file whose text did not change is not parsed again: its tree is kept and shared by
later loads. What a caller does to a loaded configuration, and what later sources put over the
file's values, must never reach that shared tree."""
from __future__ import annotations

import os
from typing import Any

from conftest import REPO
from runner import module_at

SCHEMA = os.path.join(REPO, "test", "conformance", "_schema", "config.py")


def load(module: Any, path: str, env: dict[str, str]) -> Any:
    return module.load_config(config_file=path, config_dir=False, env=env, pem_files=False)


def test_a_changed_configuration_does_not_change_the_next_load(tmp_path: Any) -> None:
    module = module_at(SCHEMA)
    path = tmp_path / "config.yml"
    path.write_text("bus:\n  host: file-host\nallow_headers: [X-Auth-Token]\nenabled_plugins:\n  config: true\n", encoding="utf-8")
    first = load(module, str(path), {"WAZO_CONF_BUS_HOST": "env-host"})
    assert first["bus"]["host"] == "env-host"
    first["allow_headers"].append("X-Changed")
    first["enabled_plugins"]["config"] = False
    first["bus"]["port"] = 1

    second = load(module, str(path), {})
    assert second["bus"]["host"] == "file-host"
    assert second["allow_headers"] == ["X-Auth-Token"]
    assert second["enabled_plugins"] == {"api": True, "config": True}
    assert second["bus"]["port"] != 1


def test_a_file_changed_between_loads_is_read_again(tmp_path: Any) -> None:
    module = module_at(SCHEMA)
    path = tmp_path / "config.yml"
    path.write_text("bus:\n  host: before\n", encoding="utf-8")
    assert load(module, str(path), {})["bus"]["host"] == "before"
    path.write_text("bus:\n  host: after\n", encoding="utf-8")
    assert load(module, str(path), {})["bus"]["host"] == "after"
