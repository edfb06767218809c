"""The cost model: pure functions from models to results; exact Decimal, no I/O."""

from tco.engine.compare import CandidateResult, Comparison, compare

__all__ = ["CandidateResult", "Comparison", "compare"]
