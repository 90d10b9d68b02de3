"""wazo_config: the runtime of the Python loaders wazo-config generates (generated/<service>/config.py).
Same sources, precedence, value codec, env names, Consul keys, warnings and messages as the
TypeScript runtime (generator/runtime/)."""
from typing import TYPE_CHECKING, Any

# Names are imported on first use (PEP 562): a generated loader that only loads pays for no watcher,
# no HTTP client and no registration thread.
_WHERE = {
    "Authorization": "connect.authorize", "ConnectAuthorizer": "connect.authorize", "connect_authorizer": "connect.authorize",
    "ConnectFiles": "connect.files", "connect_files": "connect.files",
    "ConnectClientContext": "connect.tls", "ConnectServerContext": "connect.tls",
    "client_ssl_context": "connect.tls", "connect_paths": "connect.tls", "reload_ssl_context": "connect.tls",
    "server_ssl_context": "connect.tls", "spiffe_id_for": "connect.tls", "spiffe_id_of": "connect.tls",
    "decode": "codec", "describe_types": "codec", "encode": "codec", "type_hint": "codec",
    "wait_for_dependencies": "discovery",
    "Resolved": "load", "load": "load", "resolve_config": "load",
    "PemFiles": "pem", "pem_files": "pem",
    "MASK": "problems", "ConfigError": "problems", "Problem": "problems", "format_problem": "problems",
    "ServiceRegistration": "registration", "advertise_address": "registration", "start_registration": "registration",
    "ConnectTlsSpec": "spec", "DiscoverSpec": "spec", "ServiceSpec": "spec", "SettingSpec": "spec", "ValidationError": "spec",
    "ConfigTree": "tree",
    "RESTART_EXIT_CODE": "watch", "KeyChange": "watch", "Watcher": "watch", "watch": "watch",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'wazo_config' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)


if TYPE_CHECKING:
    from .connect.authorize import Authorization, ConnectAuthorizer, connect_authorizer
    from .connect.files import ConnectFiles, connect_files
    from .connect.tls import ConnectClientContext, ConnectServerContext
    from .connect.tls import client_ssl_context, connect_paths, reload_ssl_context, server_ssl_context, spiffe_id_for, spiffe_id_of
    from .codec import decode, describe_types, encode, type_hint
    from .discovery import wait_for_dependencies
    from .load import Resolved, load, resolve_config
    from .pem import PemFiles, pem_files
    from .problems import MASK, ConfigError, Problem, format_problem
    from .registration import ServiceRegistration, advertise_address, start_registration
    from .spec import ConnectTlsSpec, DiscoverSpec, ServiceSpec, SettingSpec, ValidationError
    from .tree import ConfigTree
    from .watch import RESTART_EXIT_CODE, KeyChange, Watcher, watch
