"""Agent-based simulation of Myanmar's civil war on a map of real towns and roads."""

__version__ = "0.1.0"
