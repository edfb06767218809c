"""Writing output: files whole or not at all, standard output, and user text made safe for a terminal.

Every output goes through `write_atomic` (files) or `write_stdout`; an operating-system error (a full disk, a
missing or unwritable directory, a closed stdout) becomes an `OutputError`: a message and exit code 1.
"""

from __future__ import annotations

import os
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tco.errors import OutputError

_ESCAPES = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}
_CONTROLS = {c: _ESCAPES.get(c, f"\\x{c:02x}") for c in [*range(0x20), *range(0x7F, 0xA0)]}
_CONTROLS |= {c: f"\\u{c:04x}" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}  # bidirectional overrides
_KEEP_NEWLINES = {c: e for c, e in _CONTROLS.items() if c != 0x0A}


def printable(value: Any, newlines: bool = True) -> Any:
    """`value` (text, or the text in a document of dicts and lists) with every control character escaped (`\\x1b`),
    so text from a file can never move the cursor, clear the screen or retitle the terminal it is shown on."""
    if isinstance(value, str):
        return value.translate(_KEEP_NEWLINES if newlines else _CONTROLS)
    if isinstance(value, dict):
        return {printable(k, newlines): printable(v, newlines) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(v, newlines) for v in value]
    return value


def _failed(what: object, e: OSError) -> OutputError:
    return OutputError(f"cannot write {what}: {e.strerror or e}")


def write_stdout(text: str, flush: bool = True) -> None:
    """Write `text` to standard output (and flush it); a closed or full stdout is an `OutputError`."""
    if sys.stdout is None:
        raise OutputError("cannot write the output: standard output is closed")
    try:
        sys.stdout.write(text)
        if flush:
            sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader went away (`| head`): not an error; the CLI exits quietly
    except (OSError, ValueError) as e:  # ValueError: a closed file object
        raise _failed("the output", e) if isinstance(e, OSError) else OutputError(f"cannot write the output: {e}") from None


class _Stdout:
    """Standard output as a file for rich: whatever `sys.stdout` is at each write (tests swap it), through
    `write_stdout`."""

    def write(self, text: str) -> int:
        write_stdout(text, flush=False)
        return len(text)

    def flush(self) -> None:
        write_stdout("")

    def isatty(self) -> bool:
        return sys.stdout is not None and sys.stdout.isatty()

    def fileno(self) -> int:
        if sys.stdout is None:
            raise OSError("standard output is closed")
        return sys.stdout.fileno()

    @property
    def encoding(self) -> str:
        return getattr(sys.stdout, "encoding", None) or "utf-8"


STDOUT = _Stdout()
"""Standard output for a rich console: `Console(file=STDOUT)`."""


def write_atomic(path: Path, data: bytes, parents: bool = False) -> None:
    """Write to a temporary file beside `path`, then move it into place: a crash never leaves half a file.

    A symbolic link is written through: its target is replaced, the link kept. A file replaced keeps its
    permissions. On SIGTERM (or SIGHUP) while writing, the temporary file is removed and tco exits.
    """
    given, path = path, Path(os.path.realpath(path))
    if path.is_symlink():
        raise OutputError(f"cannot write {given}: it is a symbolic link that leads round in a loop")
    if parents:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise _failed(path.parent, e) from None
    if path.is_dir():
        raise OutputError(f"cannot write {given}: it is a directory; give a file name")
    if not path.parent.is_dir():
        raise OutputError(f"cannot write {given}: the directory {path.parent} does not exist")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # mkstemp makes 0600; a new report is an ordinary file
    with _removed_on_termination():
        try:
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as e:
            raise _failed(given, e) from None
        try:
            os.chmod(tmp, mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException as e:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(e, OSError):
                raise _failed(given, e) from None
            raise


class Terminated(SystemExit):
    """Raised by a termination signal while an output is written, so the temporary file is cleaned up."""


@contextmanager
def _removed_on_termination() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception (exit code 128 + signal) for the duration, in the main thread."""
    signals = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]

    def stop(signum: int, frame: Any) -> None:
        raise Terminated(128 + signum)

    try:
        previous = {s: signal.signal(s, stop) for s in signals}
    except ValueError:  # not the main thread: signals cannot be caught here
        yield
        return
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_DFL if handler is None else handler)
