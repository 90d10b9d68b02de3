"""Loads with a generated config.py as the TypeScript test harness (harness.ts) does: shared by
batch.py (the differential and corpus tests, one process for many cases) and the pytest suite."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import types
from typing import Any

from wazo_config.consul.client import KvEntry
from wazo_config.consul.source import SnapshotSource
from wazo_config.problems import ConfigError, js_json
from wazo_config.tree import dotted, source_rows

_modules: dict[str, types.ModuleType] = {}


class Quiet:
    def debug(self, m: str) -> None: ...
    def info(self, m: str) -> None: ...
    def warning(self, m: str) -> None: ...
    def error(self, m: str) -> None: ...


def module_of(text: str) -> types.ModuleType:
    """A generated config.py given as text, executed once per distinct text."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    module = _modules.get(digest)
    if module is None:
        module = types.ModuleType(f"config_{digest[:12]}")
        exec(compile(text, f"<config.py {digest[:12]}>", "exec"), module.__dict__)
        _modules[digest] = module
    return module


def module_at(path: str) -> types.ModuleType:
    """A generated config.py file, imported under a name of its own."""
    name = "config_" + hashlib.sha256(path.encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(module: types.ModuleType, o: dict[str, Any]) -> dict[str, Any]:
    """One load with the harness's options (camelCase, as case.json writes them)."""
    sources = [SnapshotSource([KvEntry(k, v) for k, v in o["kv"]], bool(o.get("strict")))] if o.get("kv") else []
    compat = o.get("wazoCompat") or {}
    try:
        resolved = module.resolve_config(
            env=o.get("env", {}),
            config_file=o.get("configFile", False),
            config_dir=o.get("configDir", False),
            confd_order=o.get("confdOrder", "first-wins"),
            wazo_compat={"exec": bool(compat.get("exec")), "accumulate_lists": bool(compat.get("accumulateLists"))},
            consul=False,
            sources=sources,
            overrides=o.get("overrides"),
            strict=bool(o.get("strict")),
            pem_files=False,
            logger=Quiet(),
        )
    except ConfigError as error:
        return {"problems": [p.as_dict() for p in error.problems], "message": str(error)}
    return {
        "config": json.loads(js_json(resolved.config)),
        "sources": {dotted(path): source for s in module.SERVICE.settings for path, source in source_rows(resolved.tree, s)},
        "warnings": resolved.warnings,
    }
