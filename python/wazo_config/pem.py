"""TLS material as content (discovery/pem-files.ts): a leaf with `contentMediaType:
application/x-pem-file` holds PEM text; after loading, each such value is written to a 0600 file in
a private 0700 directory, so that libraries that want file paths work; `pem_files(config)` gives
the paths. The directory is the same for every load of a service in a process; one this module
created is removed at exit."""
from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Any, Mapping

from .problems import MASK, ConfigError, Problem, js_json
from .tree import ConfigTree, dotted, get_at
from .spec import ServiceSpec

_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]+-----\r?\n")


@dataclass
class PemFiles:
    dir: str
    #: Dotted key (`tls.certificate`) → file.
    paths: dict[str, str] = field(default_factory=dict)


_by_config: dict[int, tuple[Any, PemFiles]] = {}
_directories: dict[str, tuple[str, set[str]]] = {}


def pem_files(config: Any) -> PemFiles | None:
    """The files of a config that `load_config` returned; None when it has no PEM value."""
    held = _by_config.get(id(config))
    return held[1] if held and held[0] is config else None


def write_pem_files(service: ServiceSpec, tree: ConfigTree, options: Mapping[str, Any], env: Mapping[str, str]) -> PemFiles | None:
    leaves = [s for s in service.settings if s.pem]
    if not leaves:
        return None
    problems: list[Problem] = []
    values: dict[str, str] = {}
    for leaf in leaves:
        value = get_at(tree.root, leaf.path, None)
        if not isinstance(value, str) or value == "":
            continue
        key = dotted(leaf.path)
        if _BEGIN.search(value):
            values[key] = value
        else:
            shown = MASK if leaf.secret else js_json(value[:37] + "..." if len(value) > 40 else value)
            problems.append(
                Problem(
                    key,
                    tree.source_of(leaf.path),
                    "expected PEM text (-----BEGIN …----- on its own line)",
                    shown,
                    'this setting holds the certificate or key itself, not a file path; keep its line breaks (e.g. WAZO_X_TLS_CERTIFICATE="$(cat cert.pem)")',
                )
            )
    if problems:
        raise ConfigError(service.name, problems)
    if not values and not any(k.startswith(f"{service.name}\0") for k in _directories):
        return None
    directory = _directory_for(service.name, options, env, problems)
    if directory is None:
        raise ConfigError(service.name, problems)
    path_dir, written = directory
    files = PemFiles(path_dir)
    for key, content in values.items():
        path = os.path.join(path_dir, re.sub(r"[^A-Za-z0-9._-]", "_", key) + ".pem")
        write_private(path, content)
        written.add(path)
        files.paths[key] = path
    for path in list(written):
        if path not in files.paths.values():
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
            written.discard(path)
    _by_config[id(tree.root)] = (tree.root, files)
    return files


def private_directory(service: str, options: Mapping[str, Any], env: Mapping[str, str]) -> str:
    """The service's private directory for key material (made 0700 when this module makes it); raises
    ConfigError when a given one is not private. Connect's certificate and key go there too (connect/files.py)."""
    problems: list[Problem] = []
    found = _directory_for(service, options, env, problems)
    if found is None:
        raise ConfigError(service, problems)
    return found[0]


def _directory_for(service: str, options: Mapping[str, Any], env: Mapping[str, str], problems: list[Problem]) -> tuple[str, set[str]] | None:
    runtime = env.get("RUNTIME_DIRECTORY")
    chosen = options.get("dir") or (os.path.join(runtime.split(":")[0], "pem") if runtime else None)
    cache_key = f"{service}\0{chosen or ''}"
    if cache_key in _directories:
        return _directories[cache_key]
    if chosen is None:
        path = tempfile.mkdtemp(prefix=f"{service}-pem-")
        atexit.register(shutil.rmtree, path, True)
    else:
        path = chosen
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            stat = os.stat(path)
            if stat.st_uid != os.getuid():
                raise OSError(f"owned by uid {stat.st_uid}, not by this process (uid {os.getuid()})")
            if stat.st_mode & 0o077:
                raise OSError(f"mode {stat.st_mode & 0o777:o}: others may read it")
        except OSError as error:
            reason = error.strerror if error.errno else str(error)
            source = "the program's options" if options.get("dir") else "env RUNTIME_DIRECTORY"
            problems.append(Problem("pem files", source, f"the directory {path} is not private: {reason}", hint=f"let the service own it with mode 0700 (chmod 700 {path})"))
            return None
    entry = (path, set[str]())
    _directories[cache_key] = entry
    return entry


def write_private(path: str, content: str) -> None:
    """Writes with mode 0600 through a temporary file and a rename: readers never see half a key."""
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == content:
                os.chmod(path, 0o600)
                return
    except OSError:
        pass
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.remove(temporary)
    except FileNotFoundError:
        pass
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, content.encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(temporary, path)
