"""A cache of files already read and checked, so that a command run again on the same files starts sooner.

What a file was read into (its located document) and what a model built from it (a checked price book, tokenizer
table or workload) are kept as pickles under the user's cache directory, keyed by the SHA-256 of the file's bytes,
the model, and tco's own code (the size and time of change of each of its modules) and Python's and pydantic's
versions: a changed file or a changed tco is never answered from the cache. Entries are kept in a folder per state
of tco's code; the folders of other states are removed once nothing has written to them for a week. Only what read and checked without a
problem is kept; errors are always found afresh.

An entry that cannot be read or is not what was kept is ignored (and replaced). The directory is `$TCO_CACHE_DIR`,
else `$XDG_CACHE_HOME/tco`, else `~/.cache/tco`; it is used only if it belongs to the user and no one else may write
to it, since a pickle can run code. Set TCO_CACHE_DIR to the empty string to turn the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import stat
import sys
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

import pydantic

from tco import __version__

PROTOCOL = 5
STALE_DAYS = 7


@cache
def directory() -> Path | None:
    """The cache directory (made if missing), or None if the cache is off or the directory cannot be trusted."""
    given = os.environ.get("TCO_CACHE_DIR")
    if given is not None:
        if not given:
            return None
        path = Path(given)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = Path(base) / "tco"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022 or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return path


@cache
def _code() -> bytes:
    """What the cached objects depend on besides the file: tco's modules (as they stand) and its dependencies."""
    digest = hashlib.sha256(f"{__version__} {sys.version} {pydantic.VERSION} {PROTOCOL}".encode())
    root = Path(__file__).resolve().parent.parent
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(f for f in filenames if f.endswith(".py")):
            path = os.path.join(dirpath, name)
            info = os.stat(path)
            digest.update(f"{os.path.relpath(path, root)} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.digest()


def _entry(kind: str, sha256: str) -> Path | None:
    """Where the entry is kept: in a folder of its own for each state of tco's code."""
    folder = directory()
    if folder is None or not sha256:
        return None
    key = hashlib.sha256(_code() + f"\n{kind}\n{sha256}".encode()).hexdigest()
    return folder / _code().hex()[:32] / f"{key}.pickle"


def _prune(folder: Path, keep: Path) -> None:
    """Remove the folders of other states of tco's code that nothing has written to for `STALE_DAYS`."""
    for other in folder.iterdir():
        try:
            if other != keep and other.is_dir() and time.time() - other.stat().st_mtime > STALE_DAYS * 86400:
                shutil.rmtree(other, ignore_errors=True)
        except OSError:
            pass


def load(kind: str, sha256: str, expected: type) -> Any:
    """What was kept for `kind` (what was built, e.g. a model's name) from the file with this SHA-256, if it is an
    `expected`; otherwise None."""
    path = _entry(kind, sha256)
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            found = pickle.load(f)
    except Exception:  # missing, unreadable, truncated, or made by other code: read the file instead
        return None
    return found if isinstance(found, expected) else None


def store(kind: str, sha256: str, value: Any) -> None:
    """Keep `value`, built as `kind` from the file with this SHA-256; a cache that cannot be written is skipped."""
    path = _entry(kind, sha256)
    if path is None:
        return
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(mode=0o700)
            _prune(path.parent.parent, path.parent)  # tco has changed: entries for its old code are not used again
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=PROTOCOL)
            os.replace(temp, path)  # whole or not at all, even with another tco writing the same entry
        except BaseException:
            os.unlink(temp)
            raise
    except Exception:
        pass
