"""Runs many loads in one Python process, for the tests that compare the two runtimes.

stdin: {"cases": [{"id", "module" (a generated config.py's text), "options"}]}, options as
harness.ts gives them; stdout: one JSON list of {"id", "config", "sources", "warnings"} or
{"id", "problems", "message"} (or {"id", "crash"}: a traceback is a result the test shows).
"""
from __future__ import annotations

import json
import sys

from runner import module_of, run


def main() -> None:
    results = []
    for case in json.load(sys.stdin)["cases"]:
        try:
            results.append({"id": case["id"], **run(module_of(case["module"]), case.get("options", {}))})
        except Exception as error:  # noqa: BLE001
            results.append({"id": case["id"], "crash": f"{type(error).__name__}: {error}"})
    json.dump(results, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
