"""The loader (generator/runtime/load.ts): sources applied lowest priority first — defaults <
config file < conf.d < Consul KV < discovered < Consul Connect < extra sources < env < overrides —, unknown keys
reported, then the whole result validated once by the service's emitted validator."""
from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

from .problems import ConfigError, Problem, did_you_mean, show_value
from .settings import SettingsIndex, index_of
from .sources import ConfigSource, DefaultsSource, EnvSource, FileSource, Layer, OverridesSource, SourceContext, TreeLayer
from .tree import ConfigTree, dotted, get_at, is_missing, pointer_of
from .spec import Logger, ServiceSpec
from .validation import json_equal, missing_required, problems_from_validation

#: What `configFile=False` / `configDir=False` mean: no file, no directory.
NONE = False


class _StdLogger:
    """Warnings to the `wazo_config` logger (stderr when logging is not configured). `logging` is
    imported by the first record: a quiet load does without it, and importing a loader is faster."""

    def _log(self) -> Any:
        import logging

        return logging.getLogger("wazo_config")

    def debug(self, message: str) -> None:
        self._log().debug(message)

    def info(self, message: str) -> None:
        self._log().info(message)

    def warning(self, message: str) -> None:
        self._log().warning(message)

    def error(self, message: str) -> None:
        self._log().error(message)


default_logger: Logger = _StdLogger()


class Resolved:
    """A loaded configuration, where each value came from, and what the load noticed."""

    __slots__ = ("config", "tree", "warnings", "pem_files")

    def __init__(self, config: dict[str, Any], tree: ConfigTree, warnings: list[str] | None = None, pem_files: Any = None) -> None:
        self.config = config
        #: The merged tree with the source of every value.
        self.tree = tree
        self.warnings: list[str] = [] if warnings is None else warnings
        #: The files PEM-content settings were written to (also `pem_files(config)`).
        self.pem_files = pem_files


def _path_option(value: str | bool | None, default: str) -> str | None:
    if value is None or value is True:
        return default
    if value is False:
        return None
    return value


def sources_for(
    service: ServiceSpec,
    *,
    env: Mapping[str, str],
    config_file: str | bool | None = None,
    config_dir: str | bool | None = None,
    confd_order: str = "first-wins",
    wazo_compat: Mapping[str, bool] | None = None,
    consul: Any = None,
    discover: bool = True,
    connect: bool = True,
    pem_files: Mapping[str, Any] | bool | None = None,
    sources: Sequence[ConfigSource] = (),
    overrides: Mapping[str, Any] | None = None,
    strict: bool = False,
) -> list[ConfigSource]:
    compat = wazo_compat or {}
    chain: list[ConfigSource] = [
        DefaultsSource(),
        FileSource(
            _path_option(config_file, service.config_file),
            _path_option(config_dir, service.config_dir),
            confd_order,
            exec_commands=bool(compat.get("exec")),
            accumulate_lists=bool(compat.get("accumulate_lists") or compat.get("accumulateLists")),
        ),
    ]
    if consul is not False:
        from .consul.source import ConsulSource

        chain.append(ConsulSource(consul, env, strict))
        if discover and service.discover:
            from .discovery import DiscoverySource

            chain.append(DiscoverySource(consul, env))
        if connect and service.connect_tls is not None:
            from .connect.source import ConnectSource

            chain.append(ConnectSource(consul, env, pem_files if isinstance(pem_files, Mapping) else {}))
    chain.extend(sources)
    chain.append(EnvSource(env))
    chain.append(OverridesSource(overrides))
    return chain


def resolve_config(
    service: ServiceSpec,
    *,
    env: Mapping[str, str] | None = None,
    config_file: str | bool | None = None,
    config_dir: str | bool | None = None,
    confd_order: str = "first-wins",
    wazo_compat: Mapping[str, bool] | None = None,
    consul: Any = None,
    wait_for_dependencies: bool | Mapping[str, Any] = False,
    discover: bool = True,
    connect: bool = True,
    pem_files: Mapping[str, Any] | bool | None = None,
    sources: Sequence[ConfigSource] = (),
    overrides: Mapping[str, Any] | None = None,
    strict: bool = False,
    logger: Logger | None = None,
) -> Resolved:
    """Reads every source, validates once; raises ConfigError listing every problem."""
    log = logger or default_logger
    environ: Mapping[str, str] = os.environ if env is None else env
    context = SourceContext(service, index_of(service), log)
    tree = ConfigTree(lambda path: pointer_of(path) in context.index.groups)
    problems: list[Problem] = []
    warnings: list[str] = []
    if wait_for_dependencies:
        from .discovery import wait_for_dependencies as wait

        wait(service, wait_for_dependencies, consul=consul, env=environ, logger=log)
    chain = sources_for(
        service,
        env=environ,
        config_file=config_file,
        config_dir=config_dir,
        confd_order=confd_order,
        wazo_compat=wazo_compat,
        consul=consul,
        discover=discover,
        connect=connect,
        pem_files=pem_files,
        sources=sources,
        overrides=overrides,
        strict=strict,
    )
    for source in chain:
        output = source.read(context)
        if getattr(source, "name", None) == "consul":
            warnings.extend(_shadowed_file_values(tree, output.layers, context.index))
        for layer in output.layers:
            _apply(tree, layer)
        problems.extend(output.problems)
        warnings.extend(output.warnings)
    problems.extend(tree.refused)
    for unknown in _remove_unknown_keys(tree, context.index):
        if strict:
            unknown.message = "unknown key"
            problems.append(unknown)
        else:
            warnings.append(f"unknown key {unknown.key} ({unknown.source})" + (f": {unknown.hint}" if unknown.hint else ""))
    file_name = _path_option(config_file, service.config_file)
    missing = missing_required(tree, context.index, file_name)
    problems.extend(missing)
    errors = service.validate(tree.root)
    if errors:
        reported = {p.key for p in missing}
        problems.extend(p for p in problems_from_validation(errors, tree, context.index, file_name) if p.key not in reported)
    if problems:
        raise ConfigError(service.name, problems)
    written = None
    if pem_files is not False and any(s.pem for s in service.settings):
        from .pem import write_pem_files

        written = write_pem_files(service, tree, pem_files if isinstance(pem_files, Mapping) else {}, environ)
    for warning in warnings:
        log.warning(f"{service.name}: {warning}")
    return Resolved(tree.root, tree, warnings, written)


def load(service: ServiceSpec, **options: Any) -> dict[str, Any]:
    return resolve_config(service, **options).config


def _shadowed_file_values(tree: ConfigTree, layers: Sequence[Layer], index: SettingsIndex) -> list[str]:
    """Consul ranks above the files: a Consul value that differs from what a file set hides the
    file's (the trap of seeding defaults into Consul). One warning per key, naming both sources."""
    warnings: list[str] = []
    for layer in layers:
        if isinstance(layer, TreeLayer):
            continue
        for path, value, source in layer.values:
            before = get_at(tree.root, path)
            file_source = tree.source_of(path)
            if is_missing(before) or not file_source.startswith("file ") or json_equal(before, value):
                continue
            leaf = index.leaf_for(path)
            secret = leaf.secret if leaf else False
            warnings.append(
                f"{dotted(path)}: {source} ({show_value(value, secret)}) hides {file_source} ({show_value(before, secret)}); "
                "Consul ranks above files: delete the Consul key to use the file, or set the value there"
            )
    return warnings


def _apply(tree: ConfigTree, layer: Layer) -> None:
    if isinstance(layer, TreeLayer):
        tree.merge(layer.tree, layer.source)
    else:
        for path, value, source in layer.values:
            tree.set(path, value, source)


def _remove_unknown_keys(tree: ConfigTree, index: SettingsIndex) -> list[Problem]:
    """Takes keys the schema does not know out of the tree, so that the validator sees only known ones."""
    unknown: list[Problem] = []
    for path, children in index.group_paths:
        node = get_at(tree.root, path)
        if not isinstance(node, dict):
            continue
        for key in [k for k in node if k not in children]:
            key_path = [*path, key]
            guess = did_you_mean(key, children)
            unknown.append(
                Problem(
                    dotted(key_path),
                    tree.source_of(key_path),
                    "unknown key",
                    hint=f"did you mean {dotted([*path, guess])}?" if guess else "check the spelling against the settings reference, or remove it",
                )
            )
            tree.delete(key_path)
    return unknown
