"""A cycle's changes: the diff's and the Connect files rewritten in place, each key once (watch.py); a loop's failure streak."""
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


def test_a_failure_streak_counts_attempts_and_reports_its_end_once() -> None:
    from wazo_config.consul.wait import FailureStreak

    streak = FailureStreak()
    assert streak.recovered() is None  # nothing failed: nothing to report
    assert [streak.failed(), streak.failed(), streak.failed()] == [1, 2, 3]
    ended = streak.recovered()
    assert ended is not None and ended[0] == 3 and ended[1] >= 0
    assert streak.recovered() is None
    assert streak.failed() == 1  # a new streak starts over
