"""tco: the cost per completed task of AI offers, on one scale across every pricing scheme."""

__version__ = "0.1.0"
