"""One Python scenario against a Consul-compatible server, driven by consul.test.ts (which starts
the server from Node and sets its state). argv[1]: JSON {"scenario", "env", ...}; prints one JSON
line per event, then the result."""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from runner import module_at
from wazo_config.problems import ConfigError, js_json

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Lines:
    """A logger that prints each line as JSON, for the driving test to read."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def _say(self, level: str, message: str) -> None:
        print(json.dumps({"log": level, "message": message}), flush=True)

    def debug(self, m: str) -> None: ...

    def info(self, m: str) -> None:
        self._say("info", m)

    def warning(self, m: str) -> None:
        self._say("warning", m)

    def error(self, m: str) -> None:
        self._say("error", m)


def say(**what: Any) -> None:
    print(json.dumps(what, default=str, ensure_ascii=False), flush=True)


def main() -> None:
    request = json.loads(sys.argv[1])
    module = module_at(os.path.join(REPO, "generated", request.get("service", "wazo-webhookd"), "config.py"))
    env = request["env"]
    logger = Lines()
    options: dict[str, Any] = {"env": env, "config_file": False, "config_dir": False, "logger": logger, "consul": request.get("consul") or {"file": False}}
    scenario = request["scenario"]
    if scenario == "load":
        try:
            resolved = module.resolve_config(**options, **request.get("options", {}))
            say(result="config", config=json.loads(js_json(resolved.config)), sources={".".join(s.path): resolved.tree.source_of(s.path) for s in module.SERVICE.settings})
        except ConfigError as error:
            say(result="problems", problems=[p.as_dict() for p in error.problems], message=str(error))
    elif scenario == "register":
        from wazo_config.registration import start_registration

        config = module.load_config(**options)
        settings = {**config["service_discovery"], **request.get("settings", {})}
        registration = start_registration(module.SERVICE.name, settings, env=env, consul={"file": False}, logger=logger, meta={"scheme": "http"})
        registration.registered.wait(20)
        say(result="registered", id=registration.id, address=registration.address, port=registration.port, state=registration.state())
        sys.stdin.readline()  # the test says when to stop
        registration.stop()
        say(result="stopped", state=registration.state())
    elif scenario == "watch":
        config = module.load_config(**options)
        events: list[str] = []

        def record(name: str) -> Any:
            def handler(event: Any) -> None:
                detail = "; ".join(map(str, getattr(event, "changes", []))) or getattr(event, "message", "") or getattr(event, "what", "")
                say(event=name, detail=detail)

            return handler

        handlers = {name: record(name) for name in ("change", "restart_required", "invalid", "error", "reconnected")}
        watcher = module.watch_config(
            config, handlers, **options, wait={"min_ms": 30, "max_ms": 150}, backoff={"initial_ms": 20, "max_ms": 200}, blocking_wait_ms=1000, restart="emit"
        )
        watcher.ready.wait(10)
        say(result="ready", log_level=config["log_level"])
        for line in sys.stdin:
            if line.strip() == "stop":
                break
            say(result="config", log_level=config["log_level"], auth=config["auth"])
        watcher.close()
        say(result="closed")
    time.sleep(0)


if __name__ == "__main__":
    main()
