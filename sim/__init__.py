"""Agent-based simulation of Myanmar's civil war on Myanmar's 330 townships.

The Python interface (`sim.api`, loaded on first use so that the command starts fast):
`sim.load_scenario`, `sim.simulate` (the `sim run` command), `sim.load_results`,
`sim.model_of` (one replicate as a Mesa model to step) and the `ConflictModel`, `Scenario`
and `Results` classes.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_API = ("ConflictModel", "Results", "Scenario", "load_results", "load_scenario", "model_of", "simulate")


def __getattr__(name: str) -> Any:
    if name in _API:
        from sim import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
