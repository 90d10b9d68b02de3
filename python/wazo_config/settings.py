"""Lookups over a service's settings table, built once per service (settings-index.ts)."""
from __future__ import annotations

from typing import Any, Sequence
from weakref import WeakKeyDictionary

from .tree import path_of_pointer, pointer_of
from .spec import ServiceSpec, SettingSpec


class SettingsIndex:
    def __init__(self, service: ServiceSpec) -> None:
        self.service = service
        self.by_pointer: dict[str, SettingSpec] = {}
        self.by_env: dict[str, SettingSpec] = {}
        self.by_consul_key: dict[str, SettingSpec] = {}
        #: Every group (object with fixed properties), the root included, with its children's names.
        self.groups: dict[str, dict[str, None]] = {"": {}}
        for setting in service.settings:
            self.by_pointer[pointer_of(setting.path)] = setting
            self.by_env[setting.env] = setting
            self.by_consul_key[setting.consul_key] = setting
            for n in range(len(setting.path)):
                group = pointer_of(setting.path[:n])
                self.groups.setdefault(group, {})[setting.path[n]] = None
        #: The groups as paths, for the walks of every load (the unknown-key check).
        self.group_paths: list[tuple[tuple[str, ...], dict[str, None]]] = [(tuple(path_of_pointer(p)), c) for p, c in self.groups.items()]
        #: Every default in one tree, built once: the defaults source merges it whole (a copy) rather than leaf by leaf.
        self.defaults: dict[str, Any] = {}
        for setting in service.settings:
            if setting.has_default:
                node = self.defaults
                for segment in setting.path[:-1]:
                    node = node.setdefault(segment, {})
                node[setting.path[-1]] = setting.default

    def leaf_for(self, path: Sequence[str]) -> SettingSpec | None:
        """The leaf at `path` or the leaf that holds it (an array item, a map entry)."""
        for n in range(len(path), 0, -1):
            leaf = self.by_pointer.get(pointer_of(path[:n]))
            if leaf:
                return leaf
        return None


_indexes: WeakKeyDictionary[ServiceSpec, SettingsIndex] = WeakKeyDictionary()


def index_of(service: ServiceSpec) -> SettingsIndex:
    index = _indexes.get(service)
    if index is None:
        index = _indexes[service] = SettingsIndex(service)
    return index
