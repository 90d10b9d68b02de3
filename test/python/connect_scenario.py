"""One Python Connect TLS scenario against the Consul test server's Connect CA, driven by connect.test.ts
(which starts the server from Node, generates the loaders and sets the CA's state). argv[1]: JSON
{"scenario", "server", "client" (paths of the generated config.py), "env", "client_env"}; prints one
JSON line per log line, event and result."""
from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from consul_scenario import Lines, say
from runner import module_at
from wazo_config import client_ssl_context, connect_authorizer, reload_ssl_context, server_ssl_context
from wazo_config.problems import ConfigError, js_json


def options(request: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    given = {"pem_files": request["pem_files"]} if "pem_files" in request else {}
    return {"env": env, "config_file": False, "config_dir": False, "logger": Lines(), "consul": {"file": False}, **given}


def load(module: Any, request: dict[str, Any], env: dict[str, str]) -> None:
    try:
        resolved = module.resolve_config(**options(request, env))
    except ConfigError as error:
        say(result="problems", problems=[p.as_dict() for p in error.problems], message=str(error))
        return
    config = json.loads(js_json(resolved.config))
    spec = module.SERVICE.connect_tls
    paths = [p for p in (spec.certificate, spec.private_key, spec.ca) if p]
    say(
        result="config",
        config=config,
        sources={".".join(p): resolved.tree.source_of(p) for p in paths},
        modes={".".join(p): oct(os.stat(resolved.tree.root[p[0]][p[1]]).st_mode & 0o777) for p in paths},
    )


def call(port: int, context: ssl.SSLContext) -> None:
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    try:
        connection.request("GET", "/")
        assert isinstance(connection.sock, ssl.SSLSocket)
        peer = connection.sock.getpeercert()
        response = connection.getresponse()
        body = response.read().decode()
        say(result="called", status=response.status, body=body, serial=(peer or {}).get("serialNumber"))
    except (OSError, ssl.SSLError) as error:
        say(result="refused", error=str(error))
    finally:
        connection.close()


def serve(request: dict[str, Any]) -> None:
    """A Python https server with its Connect leaf, callers authorized by the intentions, its certificate
    reloaded in place by the watcher's `change`; stdin: `call` (a Python client with the client
    service's own leaf), `call-as <service>` (expecting another service's identity), `stop`."""
    server_module = module_at(request["server"])
    env = request["env"]
    config = server_module.load_config(**options(request, env))
    context = server_ssl_context(server_module.SERVICE, config)
    authorizer = connect_authorizer("wazo-tls-server", env=env, consul={"file": False})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            answer = authorizer.authorize(self.connection)  # type: ignore[arg-type]
            body = (f"hello {answer.caller}" if answer.allowed else answer.reason).encode()
            self.send_response(200 if answer.allowed else 403)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None: ...

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def get_request(self) -> tuple[socket.socket, Any]:
            # The handshake happens in the connection's own thread, at its first read: a slow client holds no one up.
            sock, address = self.socket.accept()
            return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

        def handle_error(self, request: Any, client_address: Any) -> None:
            say(event="server-error", detail=str(sys.exc_info()[1]))

    httpd = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def record(name: str) -> Any:
        def handler(event: Any) -> None:
            if name == "change":
                reload_ssl_context(context, server_module.SERVICE, config)
            detail = "; ".join(map(str, getattr(event, "changes", []))) or getattr(event, "message", "")
            say(event=name, detail=detail, keys=[c.key for c in getattr(event, "changes", [])])

        return handler

    handlers = {name: record(name) for name in ("change", "restart_required", "invalid", "error", "reconnected")}
    watcher = server_module.watch_config(
        config, handlers, **options(request, env), wait={"min_ms": 50, "max_ms": 500}, blocking_wait_ms=2000, restart="emit", sighup=False
    )
    watcher.ready.wait(10)
    client_module = module_at(request["client"])
    client_config = client_module.load_config(**options(request, request["client_env"]))
    # The client's leaf lives 8 s too: its own watcher keeps its files current.
    client_watcher = client_module.watch_config(
        client_config, {"error": record("client-error")}, **options(request, request["client_env"]), blocking_wait_ms=2000, restart="emit", sighup=False
    )
    say(result="ready", port=httpd.server_address[1], ca=config["rest_api"]["ca_certificate"])
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "stop":
            break
        target = command[1] if command[0] == "call-as" else "wazo-tls-server"
        call(httpd.server_address[1], client_ssl_context(client_module.SERVICE, client_config, target))
    watcher.close()
    client_watcher.close()
    httpd.shutdown()
    authorizer.close()
    say(result="closed")


def follow(request: dict[str, Any]) -> None:
    """A watcher of the service's Connect material, its events printed; stdin: `stop`. `slow_follower_ms`: the
    Connect follower takes that long to build, as on a loaded machine."""
    module = module_at(request["module"])
    config = module.load_config(**options(request, request["env"]))
    if request.get("slow_follower_ms"):
        from wazo_config.connect import follow as follow_module

        build = follow_module.ConnectFollower.__init__

        def slow_build(self: Any, *args: Any) -> None:
            time.sleep(request["slow_follower_ms"] / 1000)
            build(self, *args)

        follow_module.ConnectFollower.__init__ = slow_build  # type: ignore[method-assign]

    def record(name: str) -> Any:
        def handler(event: Any) -> None:
            detail = "; ".join(map(str, getattr(event, "changes", []))) or getattr(event, "message", "")
            say(event=name, detail=detail, keys=[c.key for c in getattr(event, "changes", [])])

        return handler

    handlers = {name: record(name) for name in ("change", "restart_required", "invalid", "error", "reconnected")}
    watcher = module.watch_config(
        config, handlers, **options(request, request["env"]), wait={"min_ms": 50, "max_ms": 500}, blocking_wait_ms=2000, restart="emit", sighup=False
    )
    watcher.ready.wait(10)
    say(result="ready", config=json.loads(js_json(config)))
    sys.stdin.readline()
    watcher.close()
    say(result="closed")


def main() -> None:
    request = json.loads(sys.argv[1])
    scenario = request["scenario"]
    if scenario == "load":
        load(module_at(request["module"]), request, request["env"])
    elif scenario == "serve":
        serve(request)
    elif scenario == "follow":
        follow(request)


if __name__ == "__main__":
    main()
