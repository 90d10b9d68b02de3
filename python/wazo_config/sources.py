"""The sources a load reads, lowest priority first (generator/runtime/sources/): each contributes
layers (a tree deep-merged, or whole leaf values), problems and warnings."""
from __future__ import annotations

import errno
from typing import Any, Mapping, NamedTuple, Protocol, Sequence

from .codec import decode
from .problems import Problem, did_you_mean, show_value
from .settings import SettingsIndex
from .tree import clone, dotted, get_at, pointer_of
from .spec import Logger, ServiceSpec


class TreeLayer(NamedTuple):
    """A whole (partial) tree deep-merged over what is there, as config files are."""

    source: str
    tree: dict[str, Any]


class ValuesLayer:
    """Whole leaf values that replace what is there, as env vars and Consul keys do."""

    __slots__ = ("values",)

    def __init__(self, values: list[tuple[Sequence[str], Any, str]] | None = None) -> None:
        self.values: list[tuple[Sequence[str], Any, str]] = [] if values is None else values


Layer = TreeLayer | ValuesLayer


class SourceContext:
    """What every source is given: the service, its settings index and the logger."""

    __slots__ = ("service", "index", "logger")

    def __init__(self, service: ServiceSpec, index: SettingsIndex, logger: Logger) -> None:
        self.service = service
        self.index = index
        self.logger = logger


class SourceOutput:
    """What one source read: layers to apply, problems and warnings."""

    __slots__ = ("layers", "problems", "warnings")

    def __init__(self, layers: list[Layer] | None = None, problems: list[Problem] | None = None, warnings: list[str] | None = None) -> None:
        self.layers: list[Layer] = [] if layers is None else layers
        self.problems: list[Problem] = [] if problems is None else problems
        self.warnings: list[str] = [] if warnings is None else warnings


class ConfigSource(Protocol):
    name: str

    def read(self, context: SourceContext) -> SourceOutput: ...


class DefaultsSource:
    """Source 1: the schema defaults."""

    name = "defaults"

    def read(self, context: SourceContext) -> SourceOutput:
        # One tree merged over the empty tree: a copy of each top-level group, not a write per leaf.
        return SourceOutput([TreeLayer("default", context.index.defaults)])


class FileSource:
    """Source 2: the config file, then the `*.yml` files of the conf.d directory over it. Wazo's
    `config_helper` reads conf.d files in name order and the FIRST one wins; `last-wins` is the
    usual convention elsewhere. A missing file or directory is no error; a broken one is."""

    name = "files"

    def __init__(
        self,
        config_file: str | None,
        config_dir: str | None,
        confd_order: str = "first-wins",
        exec_commands: bool = False,
        accumulate_lists: bool = False,
        confd_files: Sequence[str] | None = None,
    ) -> None:
        self.config_file = config_file
        self.config_dir = config_dir
        self.confd_order = confd_order
        self.exec_commands = exec_commands
        self.accumulate_lists = accumulate_lists
        self.confd_files = confd_files

    def read(self, context: SourceContext) -> SourceOutput:
        # PyYAML is imported when files are read: a loader that reads none (env, Consul) starts faster.
        from .yaml_files import list_conf_dir, read_yaml_file

        layers: list[TreeLayer] = []
        problems: list[Problem] = []

        def add(file: str) -> None:
            result = read_yaml_file(file, run_exec=self.exec_commands)
            if result.problem:
                problems.append(result.problem)
            elif result.tree is not None:
                layers.append(TreeLayer(f"file {file}", result.tree))
            else:
                context.logger.debug(f"no config file at {file}")

        if self.config_file is not None:
            add(self.config_file)
        files: list[str] = []
        if self.confd_files is not None:
            files = list(self.confd_files)
        elif self.config_dir is not None:
            try:
                files = list_conf_dir(self.config_dir)
            except NotADirectoryError:
                d = self.config_dir
                problems.append(Problem(d, f"directory {d}", "is not a directory (ENOTDIR): the conf.d path must be a directory of *.yml files", hint=f"move the file away and create the directory (mkdir {d}), or point configDir elsewhere"))
            except OSError as error:
                code = errno.errorcode.get(error.errno or 0, str(error))
                problems.append(Problem(self.config_dir, f"directory {self.config_dir}", f"cannot list the directory ({code})", hint="check its permissions"))
        # Layers apply lowest priority first: under first-wins the alphabetically first file goes last.
        if self.confd_order != "last-wins":
            files.reverse()
        for file in files:
            add(file)
        out: list[Layer] = list(layers)
        if self.accumulate_lists:
            accumulated = accumulated_lists(layers)
            if accumulated:
                out.append(accumulated)
        return SourceOutput(out, problems)


def chain_map(maps: Sequence[dict[str, Any]], accumulate_lists: bool = False) -> tuple[dict[str, Any], list[tuple[str, ...]]]:
    """`ChainMap(*maps)`, maps highest priority first: the first map that has a key wins; two objects
    are merged deep; with `accumulate_lists`, two lists are concatenated, higher priority first."""
    merged: dict[str, Any] = {}
    extended: dict[str, tuple[str, ...]] = {}

    def deep_update(original: dict[str, Any], update: dict[str, Any], at: tuple[str, ...]) -> None:
        for key, value in update.items():
            if key not in original:
                original[key] = clone(value)
                continue
            current = original[key]
            if isinstance(current, dict) and isinstance(value, dict):
                deep_update(current, value, (*at, key))
            elif accumulate_lists and isinstance(current, list) and isinstance(value, list):
                current.extend(clone(value))
                extended[pointer_of((*at, key))] = (*at, key)

    for m in maps:
        deep_update(merged, m, ())
    return merged, list(extended.values())


def accumulated_lists(layers: Sequence[TreeLayer]) -> ValuesLayer | None:
    """The lists that accumulate across config files, each whole, with every file it came from."""
    by_priority = list(reversed(layers))
    merged, extended = chain_map([layer.tree for layer in by_priority], accumulate_lists=True)
    if not extended:
        return None
    values: list[tuple[Sequence[str], Any, str]] = []
    for path in extended:
        source = " + ".join(layer.source for layer in by_priority if isinstance(get_at(layer.tree, path), list))
        values.append((path, get_at(merged, path), source))
    return ValuesLayer(values)


class EnvSource:
    """Source 5: environment variables, one per leaf, named as envconsul names the leaf's Consul key.
    A variable with the service's prefix that names no leaf is reported only when it is close to a
    real name: other services' prefixes may extend ours (WAZO_AUTH_KEYS_… vs WAZO_AUTH_…)."""

    name = "env"

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = env

    def read(self, context: SourceContext) -> SourceOutput:
        layer = ValuesLayer()
        out = SourceOutput([layer])
        prefix = context.service.env_prefix + "_"
        own_names: list[str] | None = None  # made when a name needs it: most environments have none
        for name, text in self.env.items():
            if text is None:
                continue
            setting = context.index.by_env.get(name)
            if setting is None:
                if not name.startswith(prefix):
                    continue
                if own_names is None:
                    # Closeness is measured after the prefix, as env.ts does: other services' prefixes extend ours.
                    own_names = [n[len(prefix) :] for n in context.index.by_env if n.startswith(prefix)]
                guess = did_you_mean(name[len(prefix) :], own_names)
                if guess:
                    out.warnings.append(f"unknown environment variable {name} (did you mean {prefix}{guess}?)")
                continue
            source = f"env {name}"
            decoded = decode(text, setting.types, setting.item_types, setting.default)
            if decoded.ok:
                layer.values.append((setting.path, decoded.value, source))
            else:
                out.problems.append(
                    Problem(dotted(setting.path), source, f"expected {decoded.expected}", show_value(text, setting.secret), decoded.hint)
                )
        return out


class OverridesSource:
    """Source 7: values the program passes itself (e.g. from its command line), deep-merged on top."""

    name = "overrides"

    def __init__(self, overrides: Mapping[str, Any] | None) -> None:
        self.overrides = overrides

    def read(self, context: SourceContext) -> SourceOutput:
        if not isinstance(self.overrides, Mapping):
            return SourceOutput()
        return SourceOutput([TreeLayer("override", dict(self.overrides))])


