"""Price-book trees to compare: a directory, or the `pricebooks/` of a git revision of the repository tco runs in."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tco.errors import Problem, TcoError
from tco.files.pricebooks import display, load_catalog
from tco.models.catalog import Catalog

SUBDIR = "pricebooks"
"""Where a repository keeps its price books."""
EXAMPLES = "examples"
"""Where a repository keeps its example workloads."""


@dataclass(frozen=True)
class Tree:
    """A price-book directory on disk, and how to name it (and its files) to the user."""

    label: str
    """The directory as typed, or the revision."""
    root: Path
    revision: str | None = None
    """The git revision the directory was materialised from, if any."""

    def files(self) -> dict[str, str]:
        """Every version file, `vendor/name.yaml` → sha256 of its bytes."""
        return {
            f"{path.parent.name}/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.root.glob("*/*"))
            if path.is_file() and path.suffix in (".yaml", ".yml") and not path.parent.name.startswith((".", "_"))
        }

    def catalog(self) -> Catalog:
        """Load and check the tree; problems in a revision name `REV:pricebooks/vendor/file.yaml`."""
        try:
            return load_catalog(self.root)
        except TcoError as e:
            if self.revision is None:
                raise
            temp = display(self.root)
            raise TcoError([
                Problem(f"{self.revision}:{SUBDIR}{p.file[len(temp):]}" if p.file.startswith(temp) else p.file,
                        p.line, p.field, p.message, p.path)
                for p in e.problems
            ]) from None


def _git(args: list[str], cwd: Path, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=not binary, check=False)
    except FileNotFoundError:
        raise TcoError("git is not installed; give price-book directories instead of revisions") from None


def repository_root(cwd: Path | None = None) -> Path | None:
    """The top of the git working tree containing `cwd`, or None outside one."""
    cwd = Path(cwd or Path.cwd())
    try:
        done = _git(["rev-parse", "--show-toplevel"], cwd)
    except TcoError:
        return None
    return Path(done.stdout.strip()) if done.returncode == 0 else None


def working_pricebooks(cwd: Path | None = None) -> Path:
    """The working tree's price books: `pricebooks/` at the top of the repository, or in the current directory."""
    cwd = Path(cwd or Path.cwd())
    root = repository_root(cwd)
    for candidate in ([root / SUBDIR] if root else []) + [cwd / SUBDIR]:
        if candidate.is_dir():
            return candidate
    raise TcoError(f"no {SUBDIR}/ directory in {root or cwd}; give the price-book directory to compare")


def example_workloads(cwd: Path | None = None) -> list[Path]:
    """The workloads under `examples/` of the repository (or the current directory), by name."""
    cwd = Path(cwd or Path.cwd())
    root = repository_root(cwd) or cwd
    return sorted(p for p in (root / EXAMPLES).glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


@contextmanager
def open_tree(spec: str | Path | None, cwd: Path | None = None) -> Iterator[Tree]:
    """The price books named by `spec`: a directory if one exists by that name, else a git revision whose
    `pricebooks/` is extracted to a temporary directory for the duration of the block; None is the working tree."""
    cwd = Path(cwd or Path.cwd())
    if spec is None:
        path = working_pricebooks(cwd)
        yield Tree(display(path), path)
        return
    path = Path(spec) if Path(spec).is_absolute() else cwd / spec
    if path.is_dir():
        yield Tree(str(spec), path)
        return
    spec = str(spec)
    root = repository_root(cwd)
    if root is None:
        raise TcoError(f"{spec!r} is neither a price-book directory nor a git revision: {cwd} is not in a git repository")
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}"], root)
    if spec.startswith("-") or found.returncode != 0:
        raise TcoError(
            f"{spec!r} is neither a price-book directory nor a revision of the git repository at {root} "
            "(fetch it first, e.g. `git fetch origin main`; in CI check out with fetch-depth: 0)")
    commit = found.stdout.strip()
    archive = _git(["archive", "--format=tar", commit, "--", SUBDIR], root, binary=True)
    if archive.returncode != 0:
        raise TcoError(f"revision {spec} ({commit[:12]}) has no {SUBDIR}/ directory: "
                       f"{archive.stderr.decode(errors='replace').strip()}")
    with tempfile.TemporaryDirectory(prefix="tco-pricebooks-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        yield Tree(spec, Path(tmp) / SUBDIR, revision=spec)
