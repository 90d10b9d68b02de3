"""Config files as Wazo reads them: PyYAML's safe loader (YAML 1.1: `yes`/`no` are booleans),
conf.d files ending in `.yml` in name order, `!exec` recognised (run only when asked), lists
accumulated only when asked. The same rules and messages as generator/runtime/sources/files.ts."""
from __future__ import annotations

import os
import stat
from typing import Any, NamedTuple

import yaml

from .limits import DEFAULT_MAX_FILE_BYTES, FORBIDDEN_KEY_HINT, FORBIDDEN_KEYS, MAX_DEPTH, MAX_VALUES
from .problems import Problem, js_json
from .yaml_events import Unusual, plain_document

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: How long an `!exec` command may run before it counts as failed (Wazo waits forever).
EXEC_TIMEOUT_S = 60.0


class ExecNode(NamedTuple):
    """An `!exec` mapping: the `command` as written (None when the mapping has none) and its line."""

    command: Any
    line: int


class _Duplicate(yaml.MarkedYAMLError):
    pass


class _ForbiddenKey(yaml.MarkedYAMLError):
    pass


class Refused(NamedTuple):
    """A scalar or collection the loader refuses, kept where it was written so that the error names its key."""

    written: str
    reason: str
    hint: str


QUOTE_HINT = "quote it to keep it as text"


class _TooDeep(yaml.composer.ComposerError):
    pass


#: What the TypeScript parser says of a file that nests too deep (generator/runtime/yaml11.ts).
TOO_DEEP = f"nesting exceeded the limit of {MAX_DEPTH} levels"
TOO_DEEP_HINT = "a configuration nests a few levels at most: check the brackets and the indentation"


class ConfigLoader(_Base):  # type: ignore[misc]
    """The safe loader, without timestamps (no setting is a date), refusing duplicate keys and
    nesting beyond MAX_DEPTH while parsing.

    libyaml's composer (CSafeLoader) builds nodes by C recursion: a file of 100,000 `[` overflows the
    C stack and the process dies of SIGSEGV, before any check of the parsed value could run. So nodes
    are composed by PyYAML's own Composer over libyaml's events (one parse, about 8% slower than the
    C composer on Wazo's files), counting the depth and refusing the first node beyond MAX_DEPTH at
    its position, as the TypeScript parser does."""

    check_node = yaml.composer.Composer.check_node
    get_node = yaml.composer.Composer.get_node
    get_single_node = yaml.composer.Composer.get_single_node
    compose_document = yaml.composer.Composer.compose_document
    compose_scalar_node = yaml.composer.Composer.compose_scalar_node
    compose_sequence_node = yaml.composer.Composer.compose_sequence_node
    compose_mapping_node = yaml.composer.Composer.compose_mapping_node

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.anchors: dict[str, Any] = {}
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            # Every node counts, scalars and empty values too, the root being level 1: as the TypeScript parser counts.
            if self._depth > MAX_DEPTH:
                raise _TooDeep(None, None, TOO_DEEP, self.peek_event().start_mark)
            return yaml.composer.Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1

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
                if isinstance(key, str) and key in FORBIDDEN_KEYS:
                    raise _ForbiddenKey(None, None, f"refused key {key}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _construct_exec(loader: Any, node: Any) -> ExecNode:
    if not isinstance(node, yaml.MappingNode):
        raise yaml.constructor.ConstructorError(None, None, "!exec must tag a mapping", node.start_mark)
    value = loader.construct_mapping(node, deep=True)
    first = node.value[0][0].start_mark if node.value else node.start_mark
    return ExecNode(value.get("command"), first.line + 1)


ConfigLoader.add_constructor("!exec", _construct_exec)


def _construct_int(loader: Any, node: Any) -> Any:
    value = yaml.SafeLoader.construct_yaml_int(loader, node)
    if abs(value) > 2**53 - 1:
        return Refused(node.value, "is an integer beyond 2^53, which JavaScript would round", "quote it and make the setting a string")
    return value


def _construct_float(loader: Any, node: Any) -> Any:
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    if value != value or value in (float("inf"), float("-inf")):
        return Refused(node.value, "is not a finite number (JSON has no infinity or NaN)", f"write a finite number, or {QUOTE_HINT}")
    return value


def _refused_collection(written: str, hint: str) -> Any:
    def construct(loader: Any, node: Any) -> Refused:
        return Refused(written, "is a YAML 1.1 type no setting takes", hint)

    return construct


ConfigLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
ConfigLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
ConfigLoader.add_constructor("tag:yaml.org,2002:omap", _refused_collection("!!omap", "write a plain mapping (key: value lines)"))
ConfigLoader.add_constructor("tag:yaml.org,2002:pairs", _refused_collection("!!pairs", "write a plain mapping (key: value lines)"))
ConfigLoader.add_constructor("tag:yaml.org,2002:set", _refused_collection("!!set", "write a list, or a mapping of name: true"))
# `=` and a lone `<<` as values are text, as the TypeScript loader reads them (PyYAML has no constructor for them).
ConfigLoader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))
ConfigLoader.add_constructor("tag:yaml.org,2002:merge", lambda loader, node: loader.construct_scalar(node))


class _PlainLoader(ConfigLoader):
    """An `!exec` command's output: plain YAML, no `!exec` inside."""


def _exec_inside(loader: Any, node: Any) -> Any:
    raise yaml.constructor.ConstructorError(None, None, "it uses !exec itself", node.start_mark)


_PlainLoader.add_constructor("!exec", _exec_inside)


class ReadResult(NamedTuple):
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


def read_yaml_file(file: str, *, run_exec: bool = False, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> ReadResult:
    """A config file, read only if it is a regular file (a FIFO would block forever) of at most
    `max_file_bytes`, as UTF-8 (invalid bytes are an error, as in PyYAML). Links are followed. The tree
    is shared with later reads of the same text: never change it."""
    source = f"file {file}"

    def problem(message: str, hint: str) -> ReadResult:
        return ReadResult(problem=Problem(file, source, message, hint=hint))

    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return ReadResult()
    except OSError as error:
        return problem(f"cannot read the file ({_errno_name(error)})", "check its permissions")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return problem(f"is not a regular file ({_kind_of(info.st_mode)})", "config files must be regular files; remove it or replace it by a file")
        if info.st_size > max_file_bytes:
            return problem(f"is {info.st_size} bytes, more than the limit of {max_file_bytes}", "a config file is a few KB: check what wrote it, or raise maxFileBytes")
        chunks: list[bytes] = []
        length = 0
        while length <= max_file_bytes:
            chunk = os.read(fd, min(max_file_bytes, info.st_size) + 1 - length if length < info.st_size else 65536)
            if not chunk:
                break
            chunks.append(chunk)
            length += len(chunk)
        if length > max_file_bytes:
            return problem(f"grew past the limit of {max_file_bytes} bytes while it was read", "a config file is a few KB: check what writes it")
        raw = b"".join(chunks)
    except OSError as error:
        return problem(f"cannot read the file ({_errno_name(error)})", "check its permissions")
    finally:
        os.close(fd)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return problem("is not valid UTF-8 text", "save it as UTF-8")
    return parse_yaml_text(text, file, run_exec=run_exec)


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _errno_name(error: OSError) -> str:
    import errno

    return errno.errorcode.get(error.errno or 0, str(error))


def _syntax_problem(error: yaml.YAMLError, file: str, hint: str = "fix the YAML syntax at that line") -> Problem:
    mark = getattr(error, "problem_mark", None)
    where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else file
    problem = getattr(error, "problem", None) or str(error)
    return Problem(where, f"file {file}", f"invalid YAML: {str(problem).splitlines()[0]}", hint=hint)


#: Each file's last text and the tree read from it: a re-read of an unchanged file (SIGHUP, a watcher's
#: reload, a second load in one process) skips the parser, which is most of a load's time. Files with
#: `!exec` are parsed every time: their value is a command's output. The tree is shared by every read
#: of the same text, so it is never changed: the loader copies the values it keeps (ConfigTree.merge).
_parsed: dict[str, tuple[str, dict[str, Any]]] = {}
_PARSED_FILES = 64


def parse_yaml_text(text: str, file: str, *, run_exec: bool = False) -> ReadResult:
    """The tree of a config file's text, or its problem. The tree must not be changed (see `_parsed`)."""
    cached = _parsed.get(file)
    if cached is not None and cached[0] == text:
        return ReadResult(tree=cached[1])
    result = _parse_yaml_text(text, file, run_exec=run_exec)
    if result.tree is not None and "!exec" not in text:
        if len(_parsed) >= _PARSED_FILES and file not in _parsed:
            _parsed.pop(next(iter(_parsed)))
        _parsed[file] = (text, result.tree)
    return result


def _parse_yaml_text(text: str, file: str, *, run_exec: bool = False) -> ReadResult:
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        tree = plain_document(text, ConfigLoader.yaml_implicit_resolvers)
    except Unusual:
        return _parse_full(text, file, run_exec)
    return _top_mapping(tree, file)


def _parse_full(text: str, file: str, run_exec: bool) -> ReadResult:
    """Any file, through ConfigLoader: aliases, tags, `!exec`, and every error with its line."""
    source = f"file {file}"
    try:
        documents = list(yaml.load_all(text, Loader=ConfigLoader))
    except _ForbiddenKey as error:
        mark = error.problem_mark
        where = f"{file}:{mark.line + 1}:{mark.column + 1}" if mark is not None else file
        return ReadResult(problem=Problem(where, source, str(error.problem), hint=FORBIDDEN_KEY_HINT))
    except _TooDeep as error:
        return ReadResult(problem=_syntax_problem(error, file, TOO_DEEP_HINT))
    except yaml.YAMLError as error:
        return ReadResult(problem=_syntax_problem(error, file))
    except RecursionError:
        # Aliases inside aliases can nest a constructed value past the parsed depth; _inspect names the key when it can.
        return ReadResult(problem=Problem(file, source, f"invalid YAML: nests deeper than the limit of {MAX_DEPTH} levels", hint=TOO_DEEP_HINT))
    if len(documents) > 1:
        return ReadResult(problem=Problem(file, source, f"invalid YAML: {len(documents)} documents (--- separators) in one file", hint="keep one document per file"))
    tree = documents[0] if documents else None
    fault = _inspect(tree)
    if fault is not None:
        message, hint, path = fault
        return ReadResult(problem=Problem(".".join(path) if path else file, source, message, hint=hint))
    problem_box: list[Problem] = []
    tree = _resolve_exec(tree, file, run_exec, problem_box)
    if problem_box:
        return ReadResult(problem=problem_box[0])
    return _top_mapping(_json_keys(tree), file)


def _top_mapping(tree: Any, file: str) -> ReadResult:
    if tree is None:
        return ReadResult(tree={})
    if not isinstance(tree, dict):
        return ReadResult(problem=Problem(file, f"file {file}", "expected a mapping at the top of the file", hint="write key: value lines"))
    return ReadResult(tree=tree)


def _inspect(root: Any) -> tuple[str, str, list[str]] | None:
    """What the loader cannot take, with where it is: a refused value, too many values once aliases
    are expanded, nesting beyond MAX_DEPTH (through aliases)."""
    count = 0
    path: list[str] = []

    def walk(node: Any, depth: int) -> tuple[str, str, list[str]] | None:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            return (f"more than {MAX_VALUES} values once its aliases (*name) are expanded", "write the values out, or use fewer nested aliases", [])
        if isinstance(node, Refused):
            return (f"{node.written} {node.reason}", node.hint, list(path))
        if not isinstance(node, (dict, list)):
            return None
        if depth > MAX_DEPTH:
            return (f"nests deeper than {MAX_DEPTH} levels (through aliases)", "a configuration nests a few levels at most", list(path))
        entries = [(str(i), v) for i, v in enumerate(node)] if isinstance(node, list) else [(_js_key(k), v) for k, v in node.items()]
        for key, child in entries:
            path.append(key)
            fault = walk(child, depth + 1)
            path.pop()
            if fault:
                return fault
        return None

    return walk(root, 1)


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
    import subprocess

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
