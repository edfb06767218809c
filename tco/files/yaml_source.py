"""Safe YAML reading that keeps line numbers, reads numbers as exact values and refuses what YAML lets slip.

Only regular files are read, and at most `MAX_FILE_BYTES` of them. Floats become `Decimal` straight from their
text (never through a float); duplicate keys, aliases that expand without bound or refer to themselves, nesting
deeper than `MAX_DEPTH`, text that is not UTF-8, oversized files and empty documents are errors naming the file
and line.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tco.errors import Problem, TcoError, dotted
from tco.files import cache

MAX_FILE_BYTES = 1 << 20
MAX_VALUES = 100_000
MAX_DEPTH = 50
"""Mappings and lists nested deeper than this are refused (a workload needs fewer than ten)."""

Path_ = tuple[str | int, ...]

@dataclass
class Located:
    """A parsed YAML document and the line of every value in it, keyed by its path."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    """Problems found while reading (duplicate keys, bad dates); reported with the model's own."""
    aliases: dict[Path_, Path_] = field(default_factory=dict)
    """Where a YAML alias repeats a mapping or list: its path → the path of the anchored original."""
    quoted: set[Path_] = field(default_factory=set)
    """The paths of quoted scalars: text the writer meant as text."""
    sha256: str = ""
    """Of the bytes read."""

    def line_of(self, path: Path_) -> int | None:
        """The line of the deepest value along `path` that the file has (union tags and the like are skipped)."""
        found: Path_ = ()
        for part in path:
            if found + (part,) in self.lines:
                found = found + (part,)
        return self.lines.get(found)

    def problem(self, path: Path_, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), dotted(path), message)


def read_yaml(path: Path, display: str | None = None) -> Located:
    """Read one YAML file into plain data with line numbers, or raise `TcoError`."""
    name = display or str(path)
    data = read_bytes(path, name)
    sha256 = hashlib.sha256(data).hexdigest()
    located = cache.load("yaml", sha256, Located)
    if located is not None:
        located.file = name
        return located
    located = parse_yaml(decode(data, name), name)
    located.sha256 = sha256
    if not located.problems:
        cache.store("yaml", sha256, replace(located, file=""))
    return located


class Documents(dict[str, Located]):
    """Located documents by display name, each read when first asked for: only a problem needs a file's lines."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: dict[str, Path] = {}

    def __missing__(self, name: str) -> Located:
        self[name] = read_yaml(self.paths[name], name)
        return self[name]


def read_bytes(path: Path, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, at most `limit` of them, or a `TcoError` saying why not.

    The file is opened without blocking (a FIFO would wait for a writer) and checked to be a regular file before
    anything is read; the limit is checked on the bytes read, not on the size the file claims.
    """
    def refuse(message: str) -> TcoError:
        return TcoError([Problem(name, None, "", message)])

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as e:
        raise refuse(_os_reason(e)) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise refuse("is a directory, expected a YAML file")
        if not stat.S_ISREG(mode):
            raise refuse("is not a regular file (a device, pipe or socket); expected a YAML file")
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as e:
        raise refuse(_os_reason(e)) from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise refuse(f"is larger than the limit of {limit:,} bytes")
    return data


def _os_reason(e: OSError) -> str:
    """Why a file could not be read, in words."""
    reasons = {errno.ENOENT: "no such file", errno.EACCES: "cannot be read: permission denied",
               errno.ELOOP: "is a symbolic link that leads round in a loop", errno.EISDIR: "is a directory, expected a YAML file",
               errno.ENOTDIR: "no such file (a part of the path is not a directory)"}
    return reasons.get(e.errno, f"cannot be read: {e.strerror or e}")


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or an error naming the line and the encoding it looks like."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TcoError([Problem(name, 1, "", "is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise TcoError([Problem(name, line, "", f"is not UTF-8 text: byte 0x{data[e.start]:02x} on this line is not UTF-8 "
                                                "(Latin-1 or Windows-1252?); save the file as UTF-8")]) from None


def parse_yaml(text: str, name: str) -> Located:
    """Parse YAML text; see `read_yaml`. (The parser is imported here: a command whose files are all in the cache
    never needs it.)"""
    from tco.files.yaml_parse import parse

    return parse(text, name)
