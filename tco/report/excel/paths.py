"""File names as any reader of the workbook can use them: never a folder of the machine that exported it."""

from __future__ import annotations

import os
from pathlib import Path

from tco.files.pricebooks import bundled_dir

PACKAGED = "tco/pricebooks"
"""Where the bundled price books sit inside the installed tco package."""


def portable(file: str, workload: str) -> str:
    """A bundled price book (or tokenizer table) as its path inside the tco package; any other file relative to
    the workload's folder (the workload itself: its name). `file` and `workload` are as tco displays them."""
    path = Path(file).resolve()
    try:
        return f"{PACKAGED}/{path.relative_to(bundled_dir()).as_posix()}"
    except ValueError:
        pass
    try:
        return Path(os.path.relpath(path, Path(workload).resolve().parent)).as_posix()
    except ValueError:  # another drive
        return path.name
