"""A small HTTP service on the real wazo-webhookd schema, in Python, reconfigured while it runs —
the twin of ../webhookd-http/server.ts, on the generated config.py and the wazo_config runtime:

  - `log_level` and `debug` are mutable: a change in Consul (or a file, then SIGHUP) is applied at
    once — the next request is logged, or not, at the new level;
  - `rest_api.port` is restart-only: a change is reported, and after a grace period the process
    exits with code 75 so that systemd (`Restart=on-failure`) or Kubernetes starts it again;
  - an invalid value is reported and the service keeps its last good configuration.

Run it next to a Consul agent (docs/python.md):

  WAZO_CONSUL_HOST=127.0.0.1 PYTHONPATH=python /usr/bin/python3 \
    examples/webhookd-http-python/server.py --config-file ./config.yml
  curl http://127.0.0.1:9300/
  consul kv put config/wazo-webhookd/log_level debug
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A daemon copies its generated config.py into its own package; the example reads it where it is.
sys.path.insert(0, os.path.join(REPO, "generated", "wazo-webhookd"))
from config import Config, load_config, watch_config  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("-c", "--config-file")
parser.add_argument("--config-dir")
parser.add_argument("--grace-ms", type=int, default=5000, help="time between 'restart required' and the exit")
parser.add_argument("--quiet-ms", type=int, default=500, help="quiet time after a change before it is applied")
args = parser.parse_args()

logging.basicConfig(stream=sys.stdout, format="%(asctime)s [%(levelname)s] %(message)s")
logger = logging.getLogger("webhookd-http-python")


def level_of(config: Config) -> str:
    return "debug" if config["debug"] else config["log_level"]


def set_level(config: Config) -> None:
    logger.setLevel(level_of(config).upper())


options: dict[str, Any] = {"config_file": args.config_file, "config_dir": args.config_dir, "logger": logger}
config = load_config(**options)
set_level(config)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        logger.debug(f"GET {self.path}")
        body = json.dumps(
            {
                "log_level": config["log_level"],
                "debug": config["debug"],
                "hook_max_attempts": config["hook_max_attempts"],
                "listen": config["rest_api"]["listen"],
                "port": config["rest_api"]["port"],
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *values: Any) -> None:
        pass  # requests are logged by do_GET, at debug


server = ThreadingHTTPServer((config["rest_api"]["listen"], config["rest_api"]["port"]), Handler)


def on_change(event: Any) -> None:
    # `config` is already updated in place; only what caches a value needs telling.
    before = logging.getLevelName(logger.level).lower()
    set_level(event.config)
    if level_of(event.config) != before:
        logger.warning(f"log level is now {level_of(event.config)}")


def on_restart_required(event: Any) -> None:
    logger.warning(f"restart required: {'; '.join(map(str, event.changes))}")


def on_invalid(event: Any) -> None:
    logger.error(f"configuration refused, keeping the last good one: {event.message}")


def before_exit() -> None:
    threading.Thread(target=server.shutdown, daemon=True).start()


watcher = watch_config(
    config,
    {"change": on_change, "restart_required": on_restart_required, "invalid": on_invalid},
    **options,
    wait={"min_ms": args.quiet_ms},
    restart={"grace_ms": args.grace_ms, "before_exit": before_exit},
)
logger.warning(f"listening on http://{config['rest_api']['listen']}:{config['rest_api']['port']}")
try:
    server.serve_forever()
finally:
    watcher.close()
