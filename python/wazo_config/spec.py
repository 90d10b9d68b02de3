"""Shapes shared by the runtime and the generated loaders (generator/runtime/types.ts).

No dataclasses in what a load imports: `dataclasses` imports `inspect` (and `ast`, `dis`…), about
20 ms of every service's start-up. Records are NamedTuples or classes with slots."""
from __future__ import annotations

from typing import Any, Callable, NamedTuple, Protocol, Union

JsonValue = Union[str, int, float, bool, None, list[Any], dict[str, Any]]
JsonObject = dict[str, Any]


class SettingSpec(NamedTuple):
    """One row of a service's settings table, emitted into its generated loader."""

    path: tuple[str, ...]
    env: str
    consul_key: str
    #: Accepted JSON types (`string`, `integer`, `number`, `boolean`, `null`, `array`, `map`); empty: any.
    types: tuple[str, ...]
    mutable: bool = False
    secret: bool = False
    #: For arrays of scalars: the item types, which enable comma-separated lists.
    item_types: tuple[str, ...] | None = None
    has_default: bool = False
    default: Any = None
    enum: tuple[Any, ...] | None = None
    #: The value is PEM text: the loader writes it to a private file.
    pem: bool = False
    #: Required and without a default: loading fails when no source sets it.
    required: bool = False


class DiscoverSpec(NamedTuple):
    """A group marked `x-discover`: its host, port, scheme/https leaves come from Consul health."""

    path: tuple[str, ...]
    service: str


class ConnectTlsSpec(NamedTuple):
    """The group marked `x-connect-tls` (docs/tls.md): the leaves that get the paths of the service's
    Connect leaf certificate, its key and the CA bundle."""

    #: The group's path, e.g. `("rest_api",)`.
    path: tuple[str, ...]
    certificate: tuple[str, ...]
    private_key: tuple[str, ...]
    #: None when the group has no leaf for the CA bundle.
    ca: tuple[str, ...] | None = None


class ValidationError(NamedTuple):
    """One failure, shaped as ajv reports it: JSON pointer, keyword, params."""

    instance_path: str
    keyword: str
    params: dict[str, Any]
    message: str = ""


Validator = Callable[[Any], list[ValidationError]]


class ServiceSpec:
    """Everything the runtime knows of a service: what its generated loader hands to `load()`."""

    __slots__ = ("name", "env_prefix", "consul_prefix", "config_file", "config_dir", "settings", "validate", "depends_on", "discover", "connect_tls", "extra", "__weakref__")

    def __init__(
        self,
        name: str,
        env_prefix: str,
        consul_prefix: str,
        config_file: str,
        config_dir: str,
        settings: tuple[SettingSpec, ...],
        validate: Validator,
        depends_on: tuple[str, ...] = (),
        discover: tuple[DiscoverSpec, ...] = (),
        connect_tls: ConnectTlsSpec | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.env_prefix = env_prefix
        self.consul_prefix = consul_prefix
        self.config_file = config_file
        self.config_dir = config_dir
        self.settings = settings
        #: The validator emitted at generate time.
        self.validate = validate
        self.depends_on = depends_on
        self.discover = discover
        #: The group Consul Connect's TLS material fills, if the schema marks one.
        self.connect_tls = connect_tls
        self.extra: dict[str, Any] = {} if extra is None else extra

    def __repr__(self) -> str:
        return f"ServiceSpec({self.name!r}, {len(self.settings)} settings)"


class Logger(Protocol):
    def info(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def error(self, message: str) -> None: ...
    def debug(self, message: str) -> None: ...
