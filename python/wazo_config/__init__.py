"""wazo_config: the runtime of the Python loaders wazo-config generates (generated/<service>/config.py).
Same sources, precedence, value codec, env names, Consul keys, warnings and messages as the
TypeScript runtime (generator/runtime/)."""
from .codec import decode, describe_types, encode, type_hint
from .load import Resolved, load, resolve_config
from .pem import PemFiles, pem_files
from .problems import MASK, ConfigError, Problem, format_problem
from .tree import ConfigTree
from .spec import DiscoverSpec, ServiceSpec, SettingSpec, ValidationError

__all__ = [
    "MASK",
    "ConfigError",
    "ConfigTree",
    "DiscoverSpec",
    "PemFiles",
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
]
