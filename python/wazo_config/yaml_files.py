"""Config files as Wazo reads them: PyYAML's safe loader (YAML 1.1: `yes`/`no` are booleans),
conf.d files ending in `.yml` in name order, `!exec` recognised (run only when asked), lists
accumulated only when asked. The same rules and messages as generator/runtime/sources/files.ts."""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from typing import Any

import yaml

from .problems import Problem
from .problems import js_json

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: How long an `!exec` command may run before it counts as failed (Wazo waits forever).
EXEC_TIMEOUT_S = 60.0


@dataclass(slots=True)
class ExecNode:
    """An `!exec` mapping: the `command` as written (None when the mapping has none) and its line."""

    command: Any
    line: int


class _Duplicate(yaml.MarkedYAMLError):
    pass


class ConfigLoader(_Base):  # type: ignore[misc]
    """The safe loader, without timestamps (no setting is a date), refusing duplicate keys."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[Any] = set()
            for key_node, _value in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hashed = key in seen
                except TypeError:
                    continue
                if hashed and key_node.tag != "tag:yaml.org,2002:merge":
                    raise _Duplicate(None, None, "Map keys must be unique", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_exec(loader: Any, node: Any) -> ExecNode:
    if not isinstance(node, yaml.MappingNode):
        raise yaml.constructor.ConstructorError(None, None, "!exec must tag a mapping", node.start_mark)
    value = loader.construct_mapping(node, deep=True)
    first = node.value[0][0].start_mark if node.value else node.start_mark
    return ExecNode(value.get("command"), first.line + 1)


ConfigLoader.add_constructor("!exec", _construct_exec)
# `=` and a lone `<<` as values are text, as the TypeScript loader reads them (PyYAML has no constructor for them).
ConfigLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
ConfigLoader.add_constructor("tag:yaml.org,2002:merge", lambda loader, node: loader.construct_scalar(node))


class _PlainLoader(ConfigLoader):
    """An `!exec` command's output: plain YAML, no `!exec` inside."""


def _exec_inside(loader: Any, node: Any) -> Any:
    raise yaml.constructor.ConstructorError(None, None, "it uses !exec itself", node.start_mark)


_PlainLoader.add_constructor("!exec", _exec_inside)


@dataclass(slots=True)
class ReadResult:
    tree: dict[str, Any] | None = None
    problem: Problem | None = None


def list_conf_dir(directory: str) -> list[str]:
    """conf.d files as Wazo reads them: names ending in `.yml`, dot files skipped, sorted by name."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return [os.path.join(directory, n) for n in sorted(names, key=_utf16) if n.endswith(".yml") and not n.startswith(".")]


def _utf16(name: str) -> bytes:
    # JavaScript sorts by UTF-16 code units.
    return name.encode("utf-16-be", "surrogatepass")


def read_yaml_file(file: str, *, run_exec: bool = False) -> ReadResult:
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return ReadResult()
    except OSError as error:
        code = _errno_name(error)
        return ReadResult(problem=Problem(file, f"file {file}", f"cannot read the file ({code})", hint="check its permissions"))
    return parse_yaml_text(raw.decode("utf-8", "replace"), file, run_exec=run_exec)


def _errno_name(error: OSError) -> str:
    import errno

    return errno.errorcode.get(error.errno or 0, str(error))


def _syntax_problem(error: yaml.YAMLError, file: str) -> Problem:
    mark = getattr(error, "problem_mark", None)
    where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else file
    problem = getattr(error, "problem", None) or str(error)
    return Problem(where, f"file {file}", f"invalid YAML: {str(problem).splitlines()[0]}", hint="fix the YAML syntax at that line")


def parse_yaml_text(text: str, file: str, *, run_exec: bool = False) -> ReadResult:
    source = f"file {file}"
    try:
        tree = yaml.load(text, Loader=ConfigLoader)
    except yaml.YAMLError as error:
        return ReadResult(problem=_syntax_problem(error, file))
    except RecursionError:
        return ReadResult(problem=Problem(file, source, "invalid YAML: nested too deeply", hint="fix the YAML syntax at that line"))
    problem_box: list[Problem] = []
    tree = _resolve_exec(tree, file, run_exec, problem_box)
    if problem_box:
        return ReadResult(problem=problem_box[0])
    if tree is None:
        return ReadResult(tree={})
    if not isinstance(tree, dict):
        return ReadResult(problem=Problem(file, source, "expected a mapping at the top of the file", hint="write key: value lines"))
    return ReadResult(tree=_json_keys(tree))


def _js_key(key: Any) -> str:
    """A mapping key as JavaScript's yaml reads it: text (`1` → "1", `true` → "true", `~` → "")."""
    if isinstance(key, str):
        return key
    if key is None:
        return ""
    if isinstance(key, (bool, int, float)):
        return js_json(key)
    return str(key)


def _json_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {_js_key(k): _json_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_keys(v) for v in value]
    return value


def _resolve_exec(value: Any, file: str, run: bool, problems: list[Problem]) -> Any:
    """Replaces each `!exec` node by its command's output, in document order; the first problem stops."""
    if problems:
        return value
    if isinstance(value, ExecNode):
        return _run_exec(value, file, run, problems)
    if isinstance(value, dict):
        return {k: _resolve_exec(v, file, run, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_exec(v, file, run, problems) for v in value]
    return value


def _run_exec(node: ExecNode, file: str, run: bool, problems: list[Problem]) -> Any:
    def at(message: str, hint: str) -> None:
        problems.append(Problem(f"{file}:{node.line}", f"file {file}", message, hint=hint))

    if node.command is None:
        return None
    if not isinstance(node.command, str):
        at("the command of an !exec node must be text", "write command: <program> <arguments separated by single spaces>")
        return None
    what = f"!exec command {js_json(node.command)}"
    if not run:
        at(f"{what} not run: running commands is off", "load with wazo_compat={'exec': True} to run it as Wazo does, or write its output into the file")
        return None
    ok, output = run_command(node.command)
    if not ok:
        at(f"{what} failed: {output}", "run the command by hand to see why it fails")
        return None
    try:
        return _json_keys(yaml.load(output, Loader=_PlainLoader))
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        at(f"{what} printed invalid YAML: {str(problem).splitlines()[0]}", "the command must print YAML")
        return None


def run_command(command: str, timeout_s: float = EXEC_TIMEOUT_S) -> tuple[bool, str]:
    """Runs `command` as Wazo does: split on single spaces, no shell. (True, stdout) or (False, why)."""
    file, *args = command.split(" ")
    try:
        done = subprocess.run([file, *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout_s, check=False)
    except FileNotFoundError:
        return False, f"command not found: {js_json(file)}"
    except PermissionError:
        return False, f"not allowed to run {js_json(file)}"
    except subprocess.TimeoutExpired:
        return False, f"did not finish within {timeout_s:g} s"
    except OSError as error:
        return False, str(error)
    if done.returncode == 0:
        return True, done.stdout.decode("utf-8", "replace")
    how = f"exited with status {done.returncode}" if done.returncode > 0 else f"was killed by signal {-done.returncode}"
    lines = done.stderr.decode("utf-8", "replace").strip().split("\n")
    stderr = lines[-1].strip() if lines else ""
    return False, f"{how}: {stderr[:200]}" if stderr else how
