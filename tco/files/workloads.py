"""Reading a workload file, and placing problems found later (by the engine) on its lines."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from tco.errors import Problem, TcoError
from tco.files.pricebooks import display
from tco.files.validation import validate
from tco.files.yaml_source import Located, read_yaml
from tco.models.workload import Workload


@dataclass(frozen=True)
class WorkloadFile:
    workload: Workload
    located: Located
    sha256: str

    @property
    def file(self) -> str:
        return self.located.file

    def locate(self, error: TcoError) -> TcoError:
        """The same problems, with this file and the line of each problem's path."""
        placed = [
            self.located.problem(p.path, p.message) if p.path else Problem(self.file, p.line, p.field, p.message)
            for p in error.problems
        ]
        return TcoError(placed)


def load_workload(path: Path) -> WorkloadFile:
    located = read_yaml(path, display(path))
    workload = validate(Workload, located)
    return WorkloadFile(workload, located, hashlib.sha256(path.read_bytes()).hexdigest())
