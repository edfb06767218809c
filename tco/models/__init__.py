"""Pydantic models of tco's inputs: price books, tokenizers and workloads."""
