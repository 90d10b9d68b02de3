"""The common config file — mappings, lists and untagged scalars — built straight from the parser's
events, about three times faster than composing nodes and constructing them (yaml_files.ConfigLoader)
on Wazo's files. Anything else — an anchor or alias, an explicit tag (`!exec`, `!!omap`…), a merge
key, a key that is not text, a duplicate or refused key, a refused number, nesting or size past the
limits, several documents, a syntax error — raises `Unusual`, and the caller reads the file with
ConfigLoader, which gives the value or the error. So this module decides nothing: on the files it
accepts it builds what ConfigLoader builds (a test compares them on every YAML text of the test
suite), and every message comes from one place."""
from __future__ import annotations

from typing import Any

import yaml
from yaml import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    ScalarNode,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .limits import FORBIDDEN_KEYS, MAX_DEPTH, MAX_VALUES

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Safe: Any = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_LARGEST = 2**53 - 1
_INFINITIES = (float("inf"), float("-inf"))


class Unusual(Exception):
    """The text needs the full loader."""


def plain_document(text: str, resolvers: dict[Any, list[tuple[str, Any]]]) -> Any:
    """The one document of `text` (None when it has none), or `Unusual`. `resolvers` are the implicit
    resolvers of the full loader (PyYAML's, without timestamps), so that plain scalars resolve alike."""
    parser = _Parser(text)
    get = parser.get_event
    wildcard = resolvers.get(None, [])
    # By first character, as PyYAML's resolver looks them up: most keys and words start with none of them.
    by_first = {first: found + wildcard for first, found in resolvers.items() if first is not None}
    known: dict[str, Any] = {}  # plain scalars resolved already: config files repeat true, false, small numbers
    count = 0

    def scalar(event: Any) -> Any:
        if event.anchor is not None or (event.tag is not None and event.tag != "!"):
            raise Unusual
        value: str = event.value
        if not event.implicit[0]:  # quoted (or tagged `!`): text
            return value
        found = known.get(value, known)
        if found is not known:
            return found
        tag = _STR
        for candidate, pattern in by_first.get(value[:1], wildcard):
            if pattern.match(value):
                tag = candidate
                break
        if tag == _STR:
            result: Any = value
        elif tag == _BOOL:
            result = _Safe.bool_values[value.lower()]
        elif tag == _NULL:
            result = None
        elif tag == _INT:
            result = _Safe.construct_yaml_int(parser, ScalarNode(tag, value))
            if abs(result) > _LARGEST:
                raise Unusual
        elif tag == _FLOAT:
            result = _Safe.construct_yaml_float(parser, ScalarNode(tag, value))
            if result != result or result in _INFINITIES:
                raise Unusual
        else:  # a merge key `<<` or the value key `=`
            raise Unusual
        known[value] = result
        return result

    def build(event: Any, depth: int) -> Any:
        nonlocal count
        count += 1
        if depth > MAX_DEPTH or count > MAX_VALUES:
            raise Unusual
        kind = type(event)
        if kind is ScalarEvent:
            return scalar(event)
        if event.anchor is not None or (event.tag is not None and event.tag != "!"):
            raise Unusual
        if kind is MappingStartEvent:
            mapping: dict[str, Any] = {}
            while True:
                key_event = get()
                if type(key_event) is not ScalarEvent:
                    if type(key_event) is MappingEndEvent:
                        return mapping
                    raise Unusual  # a list or a mapping as a key
                key = scalar(key_event)
                if type(key) is not str or key in mapping or key in FORBIDDEN_KEYS:
                    raise Unusual
                mapping[key] = build(get(), depth + 1)
        if kind is SequenceStartEvent:
            items: list[Any] = []
            while True:
                item = get()
                if type(item) is SequenceEndEvent:
                    return items
                items.append(build(item, depth + 1))
        raise Unusual  # an alias

    try:
        get()  # the stream's start
        if type(get()) is StreamEndEvent:  # no document
            return None
        document = build(get(), 1)
        get()  # the document's end
        if type(get()) is not StreamEndEvent:
            raise Unusual  # a second document
        return document
    except yaml.YAMLError:
        raise Unusual from None
    finally:
        parser.dispose()
