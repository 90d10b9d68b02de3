"""The Connect material on disk (connect/files.ts): the leaf certificate (with its intermediates), its
key (mode 0600) and the CA bundle, in the service's private key directory (pem.py), each replaced
through a temporary file and a rename. What was written last is remembered per service for the life
of the process: the watcher compares new answers with it, a failed read keeps it."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ..pem import private_directory, write_private
from .material import ConnectLeaf, ConnectRoots


@dataclass(frozen=True)
class ConnectFiles:
    """Where a service's Connect material is, and what it is."""

    certificate: str
    private_key: str
    ca: str
    #: The leaf's serial (colon hex).
    serial: str
    valid_before: datetime
    #: The service's SPIFFE ID, `spiffe://<trust domain>/ns/default/dc/<dc>/svc/<service>`.
    uri: str
    trust_domain: str
    active_root_id: str
    #: The CA bundle's text, to tell a root change.
    bundle: str = field(repr=False)


_written: dict[str, ConnectFiles] = {}
_lock = threading.Lock()


def connect_files(service: str) -> ConnectFiles | None:
    """The files last written for a service in this process (by `load_config` or its watcher); None before."""
    return _written.get(service)


def write_connect_files(
    service: str, leaf: ConnectLeaf, roots: ConnectRoots, options: Mapping[str, Any], env: Mapping[str, str]
) -> tuple[ConnectFiles, str | None]:
    """Writes what changed of the material and remembers it; returns the files and, when something
    changed since the last write, what (`leaf 0a:01 → 0a:02`, `roots rotated`)."""
    with _lock:
        before = _written.get(service)
        bundle = "".join(p if p.endswith("\n") else p + "\n" for p in roots.pems)
        directory = private_directory(service, options, env)
        files = ConnectFiles(
            certificate=os.path.join(directory, "connect-leaf.crt"),
            private_key=os.path.join(directory, "connect-leaf.key"),
            ca=os.path.join(directory, "connect-ca.crt"),
            serial=leaf.serial,
            valid_before=leaf.valid_before,
            uri=leaf.uri,
            trust_domain=roots.trust_domain,
            active_root_id=roots.active_root_id,
            bundle=bundle,
        )
        new_leaf = before is None or before.serial != leaf.serial
        new_bundle = before is None or before.bundle != bundle
        what: list[str] = []
        if new_leaf:
            what.append(f"leaf {before.serial} → {leaf.serial}" if before else "leaf")
        if new_bundle:
            what.append("roots rotated" if before is None or before.active_root_id != roots.active_root_id else "roots")
        # The bundle first: a peer's new leaf may already chain to a new root. A reader of the pair between the two
        # renames could see a new key with the old certificate: the change is reported (and the helpers read) once all
        # are written.
        if new_bundle:
            write_private(files.ca, bundle)
        if new_leaf:
            write_private(files.private_key, leaf.key_pem)
            write_private(files.certificate, leaf.cert_pem)
        _written[service] = files
        return files, (", ".join(what) if before is not None and what else None)
