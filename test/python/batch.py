"""Runs many loads in one Python process, for the tests that compare the two runtimes.

stdin: {"cases": [{"id", "module" (a generated config.py's text), "options"}]}; options as the
TypeScript harness (harness.ts) gives them: configFile, configDir, confdOrder, env, kv
([[key, value]]: Consul entries served as one read), overrides, strict, wazoCompat.
stdout: one JSON list: {"id", "config", "sources", "warnings"} or {"id", "problems", "message"}.
"""
from __future__ import annotations

import hashlib
import json
import sys
import types
from typing import Any

from wazo_config.consul.client import KvEntry
from wazo_config.consul.source import SnapshotSource
from wazo_config.problems import ConfigError, js_json
from wazo_config.tree import dotted

_modules: dict[str, types.ModuleType] = {}


class _Quiet:
    def debug(self, m: str) -> None: ...
    def info(self, m: str) -> None: ...
    def warning(self, m: str) -> None: ...
    def error(self, m: str) -> None: ...


def module_of(text: str) -> types.ModuleType:
    digest = hashlib.sha256(text.encode()).hexdigest()
    module = _modules.get(digest)
    if module is None:
        module = types.ModuleType(f"config_{digest[:12]}")
        exec(compile(text, f"<config.py {digest[:12]}>", "exec"), module.__dict__)
        _modules[digest] = module
    return module


def run(case: dict[str, Any]) -> dict[str, Any]:
    module = module_of(case["module"])
    o = case.get("options", {})
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
            logger=_Quiet(),
        )
    except ConfigError as error:
        return {"id": case["id"], "problems": [p.as_dict() for p in error.problems], "message": str(error)}
    service = module.SERVICE
    return {
        "id": case["id"],
        "config": json.loads(js_json(resolved.config)),
        "sources": {dotted(s.path): resolved.tree.source_of(s.path) for s in service.settings},
        "warnings": resolved.warnings,
    }


def main() -> None:
    request = json.load(sys.stdin)
    results = []
    for case in request["cases"]:
        try:
            results.append(run(case))
        except Exception as error:  # noqa: BLE001 - a crash is a result the test shows
            results.append({"id": case["id"], "crash": f"{type(error).__name__}: {error}"})
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
