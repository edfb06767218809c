"""Reading a workload file, and placing problems found later (by the engine) on its lines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tco.errors import Problem, TcoError
from tco.files.pricebooks import display
from tco.files.validation import validate
from tco.files.yaml_source import Located, read_yaml
from tco.models.catalog import Selection
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


def load_workload(path: Path | Located, selection: Selection | None = None) -> WorkloadFile:
    """Read (or take as read) and check a workload file. If it is invalid and `selection` is given, the problems
    raised include the candidates' unknown offers too, so that one run reports them all."""
    located = path if isinstance(path, Located) else read_yaml(path, display(path))
    try:
        workload = validate(Workload, located)
    except TcoError as e:
        raise TcoError(e.problems + (unknown_offers(located, selection) if selection else [])) from None
    return WorkloadFile(workload, located, located.sha256)


def unknown_offers(located: Located, selection: Selection) -> list[Problem]:
    """The offers named by the candidates of a workload, valid or not, that `selection` does not sell."""
    candidates = located.data.get("candidates")
    return [located.problem(("candidates", i, "offer"), selection.explain_missing(c["offer"]))
            for i, c in enumerate(candidates if isinstance(candidates, list) else [])
            if isinstance(c, dict) and isinstance(c.get("offer"), str) and selection.find(c["offer"]) is None]
