"""The Python side of bench/python.bench.ts: times, in one process, wazo_config's load_config on a
generated config.py, Wazo's own path (PyYAML's safe_load + the ChainMap merge of SEMANTICS.md §1,
no validation, no env) and pydantic 1.10 BaseSettings on the same settings; and the validation
alone: the validator emitted into config.py against jsonschema's Draft 2020-12 validator.
stdin: JSON {config_py, yaml, env, defaults, schema, runs}; prints JSON timings in ms."""
from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
from typing import Any, Callable

import yaml


def timed(ops: dict[str, Callable[[], Any]], runs: int) -> dict[str, dict[str, float]]:
    """Each op's median and p95 in ms. The ops take turns, one run each, so that whatever else the
    machine does weighs on all of them alike and their ratios hold."""
    for op in ops.values():
        op()  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(runs):
        for name, op in ops.items():
            start = time.perf_counter()
            op()
            samples[name].append((time.perf_counter() - start) * 1000)
    out = {}
    for name, times in samples.items():
        times.sort()
        out[name] = {"median": statistics.median(times), "p95": times[min(len(times) - 1, int(len(times) * 0.95))], "runs": runs}
    return out


class ChainMap(dict[str, Any]):
    """xivo.chain_map.ChainMap as SEMANTICS.md §1 says it merges: the first map with a key wins; dicts merge deep."""

    def __init__(self, *maps: dict[str, Any]) -> None:
        super().__init__()
        for m in maps:
            self._update(self, m)

    @staticmethod
    def _update(original: dict[str, Any], update: dict[str, Any]) -> None:
        for key, value in update.items():
            if key not in original:
                original[key] = dict(value) if isinstance(value, dict) else value
            elif isinstance(original[key], dict) and isinstance(value, dict):
                ChainMap._update(original[key], value)


def pydantic_settings(schema: dict[str, Any]) -> Any:
    """pydantic 1.10 models for the schema's groups, the root as BaseSettings."""
    import pydantic
    from typing import List, Literal, Optional

    def field_type(node: dict[str, Any]) -> Any:
        if "enum" in node:
            return Literal[tuple(node["enum"])]  # type: ignore[misc]
        t = node.get("type")
        if isinstance(t, list):
            inner = field_type({**node, "type": [x for x in t if x != "null"][0]})
            return Optional[inner]
        return {"string": str, "integer": int, "number": float, "boolean": bool}.get(t, None) or (
            List[field_type(node["items"])] if t == "array" else dict  # type: ignore[misc]
        )

    def model(name: str, node: dict[str, Any], base: Any) -> Any:
        fields: dict[str, Any] = {}
        for key, child in node["properties"].items():
            if "properties" in child:
                sub = model(name + key.title(), child, pydantic.BaseModel)
                fields[key] = (sub, sub())
            else:
                fields[key] = (field_type(child), child.get("default"))
        return pydantic.create_model(name, __base__=base, **fields)

    return model("Settings", schema, pydantic.BaseSettings)


def main() -> None:
    request = json.load(sys.stdin)
    runs = request["runs"]
    spec = importlib.util.spec_from_file_location("bench_config", request["config_py"])
    assert spec and spec.loader
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    env = request["env"]
    path = request["yaml"]
    defaults = request["defaults"]

    class Quiet:
        def debug(self, m: str) -> None: ...
        def info(self, m: str) -> None: ...
        def warning(self, m: str) -> None: ...
        def error(self, m: str) -> None: ...

    quiet = Quiet()

    def ours() -> Any:
        return config.load_config(config_file=path, config_dir=False, env=env, logger=quiet, pem_files=False)

    from wazo_config import yaml_files

    def ours_parsing() -> Any:
        # As the first load of a process: the file is parsed (the cache of unchanged files emptied).
        yaml_files._parsed.clear()
        return ours()

    def wazo() -> Any:
        with open(path, encoding="utf-8") as handle:
            file_config = yaml.safe_load(handle)
        return ChainMap(file_config, defaults)

    settings_class = pydantic_settings(request["schema"])
    env_paths = {s.env: s for s in config.SERVICE.settings}

    def pydantic_load() -> Any:
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=yaml.CSafeLoader)
        for name, text in env.items():
            setting = env_paths.get(name)
            if setting is None:
                continue
            node = data
            for segment in setting.path[:-1]:
                node = node.setdefault(segment, {})
            # pydantic coerces scalars from text; lists of scalars come as comma-separated items.
            value: Any = json.loads(text) if text[:1] in "[{" else text
            if "array" in setting.types and isinstance(value, str):
                value = [item.strip() for item in value.split(",")] if value else []
            node[setting.path[-1]] = value
        return settings_class(**data)

    loaded = ours()
    validate_input = json.loads(json.dumps(loaded))
    out: dict[str, Any] = timed(
        {"wazo_config": ours, "wazo_config_parsing": ours_parsing, "wazo": wazo, "pydantic": pydantic_load}, runs
    )
    out.update(timed({"validate_emitted": lambda: config.SERVICE.validate(validate_input)}, runs))
    start = time.perf_counter()
    import jsonschema

    out["jsonschema_import_ms"] = (time.perf_counter() - start) * 1000
    validator = jsonschema.Draft202012Validator(request["validation_schema"])
    out.update(timed({"validate_jsonschema": lambda: list(validator.iter_errors(validate_input))}, runs))
    assert not config.SERVICE.validate(validate_input) and not list(validator.iter_errors(validate_input))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
