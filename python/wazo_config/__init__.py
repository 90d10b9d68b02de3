"""wazo_config: the runtime of the Python loaders wazo-config generates (generated/<service>/config.py).
Same sources, precedence, value codec, env names, Consul keys, warnings and messages as the
TypeScript runtime (generator/runtime/)."""
from .codec import decode, describe_types, encode, type_hint
from .discovery import wait_for_dependencies
from .load import Resolved, load, resolve_config
from .pem import PemFiles, pem_files
from .problems import MASK, ConfigError, Problem, format_problem
from .registration import ServiceRegistration, advertise_address, start_registration
from .spec import DiscoverSpec, ServiceSpec, SettingSpec, ValidationError
from .tree import ConfigTree
from .watch import RESTART_EXIT_CODE, KeyChange, Watcher, watch

__all__ = [
    "MASK",
    "ConfigError",
    "ConfigTree",
    "DiscoverSpec",
    "PemFiles",
    "RESTART_EXIT_CODE",
    "KeyChange",
    "ServiceRegistration",
    "Watcher",
    "Problem",
    "Resolved",
    "ServiceSpec",
    "SettingSpec",
    "ValidationError",
    "decode",
    "describe_types",
    "encode",
    "format_problem",
    "load",
    "pem_files",
    "resolve_config",
    "type_hint",
    "advertise_address",
    "start_registration",
    "wait_for_dependencies",
    "watch",
]
