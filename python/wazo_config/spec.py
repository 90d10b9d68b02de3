"""Shapes shared by the runtime and the generated loaders (generator/runtime/types.ts)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Union

JsonValue = Union[str, int, float, bool, None, list[Any], dict[str, Any]]
JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SettingSpec:
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


@dataclass(frozen=True, slots=True)
class DiscoverSpec:
    """A group marked `x-discover`: its host, port, scheme/https leaves come from Consul health."""

    path: tuple[str, ...]
    service: str


@dataclass(frozen=True, slots=True)
class ValidationError:
    """One failure, shaped as ajv reports it: JSON pointer, keyword, params."""

    instance_path: str
    keyword: str
    params: dict[str, Any]
    message: str = ""


Validator = Callable[[Any], list[ValidationError]]


@dataclass(frozen=True, eq=False)
class ServiceSpec:
    """Everything the runtime knows of a service: what its generated loader hands to `load()`."""

    name: str
    env_prefix: str
    consul_prefix: str
    config_file: str
    config_dir: str
    settings: tuple[SettingSpec, ...]
    #: The validator emitted at generate time.
    validate: Validator
    depends_on: tuple[str, ...] = ()
    discover: tuple[DiscoverSpec, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class Logger(Protocol):
    def info(self, message: str) -> None: ...
    def warning(self, message: str) -> None: ...
    def error(self, message: str) -> None: ...
    def debug(self, message: str) -> None: ...
