"""The cost model: pure functions from models to results; exact Decimal, no I/O. Each module is imported by what
uses it (`tco.engine.compare` for a comparison), so a command that prices runs does not load the whole engine."""
