"""Finding a key's declaration from its dotted name, with one line for a name that is none."""

from __future__ import annotations

from typing import Any

from sim.errors import ScenarioError
from sim.scenario import schema
from sim.scenario.checks import suggest
from sim.scenario.fields import Field


def field_at(dotted: str, source: str) -> Field:
    """The Field of a dotted key; a one-line error naming the key if there is none."""
    spec: Any = schema.FULL
    for part in dotted.split("."):
        if not isinstance(spec, dict) or part not in spec:
            options = tuple(spec) if isinstance(spec, dict) else ()
            raise ScenarioError(source, dotted, "unknown key" + suggest(part, options))
        spec = spec[part]
    if isinstance(spec, dict):
        raise ScenarioError(source, dotted, "is a table; name one of its keys: " + ", ".join(spec))
    return spec
