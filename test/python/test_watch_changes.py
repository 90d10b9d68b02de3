"""A cycle's changes: the diff's and the Connect files rewritten in place, each key once (watch.py)."""
from __future__ import annotations

from wazo_config.spec import SettingSpec
from wazo_config.watch import KeyChange, _with_connect_changes


def setting(*path: str) -> SettingSpec:
    return SettingSpec(path, "X", "k", ("string",), mutable=True)


def test_a_connect_file_whose_path_changed_too_is_reported_once_from_its_old_path() -> None:
    cert, key, log = setting("rest_api", "certificate"), setting("rest_api", "private_key"), setting("log_level")
    renewal = "consul connect: leaf 01 → 02"
    changes = _with_connect_changes(
        [KeyChange(log, "info", "debug", "env X"), KeyChange(cert, "/old/leaf.crt", "/new/leaf.crt", "consul connect")],
        [KeyChange(cert, "/new/leaf.crt", "/new/leaf.crt", renewal), KeyChange(key, "/k", "/k", renewal)],
    )
    assert [(c.key, c.old_value, c.new_value, c.source) for c in changes] == [
        ("log_level", "info", "debug", "env X"),
        ("rest_api.certificate", "/old/leaf.crt", "/new/leaf.crt", renewal),
        ("rest_api.private_key", "/k", "/k", renewal),
    ]
