"""How a scenario key is declared: a `Field` attached to a frozen dataclass attribute.

A section of the scenario file is a frozen dataclass; each attribute carries
its `Field` (type, default, range, meaning, source). The same declaration
gives validation, defaults, documentation, sampling and the typed parameters
the model reads, so a lever can be followed from the file to where it acts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "loguniform": ("low", "high"),
}

CALIBRATION = "calibration"  # set so that the model reproduces observations (docs/ODD.md)
ASSUMPTION = "assumption"  # a modelling choice with no number to check it against yet


@dataclass(frozen=True)
class Field:
    """One scenario key.

    `uncertain` fields may be written as a distribution table, drawn once per
    replicate. `kind` is one of float, int, bool, str, date, strlist.
    """

    kind: str
    default: Any = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    uncertain: bool = False
    required: bool = False
    help: str = ""
    source: str = ""

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        text = {
            "float": "a number",
            "int": "a whole number",
            "bool": "true or false",
            "str": "a string",
            "date": "a date (YYYY-MM-DD)",
            "strlist": "a list of strings",
            "scalar": "a number, a string or true/false",
        }[self.kind]
        fmt = (lambda x: f"{int(x):,}") if self.kind == "int" else (lambda x: f"{x:g}")
        if self.low is not None and self.high is not None:
            text += f" from {fmt(self.low)} to {fmt(self.high)}"
        elif self.low is not None:
            text += f" of at least {fmt(self.low)}"
        if self.uncertain:
            text += " (or a distribution table)"
        return text


def key(field: Field) -> Any:
    """A dataclass attribute declared by `field`."""
    return dataclasses.field(metadata={"spec": field})


def number(default: float, low: float, high: float, help: str, source: str = CALIBRATION) -> Any:
    """A behavioural number: may be written as a distribution and calibrated."""
    return key(Field("float", default, low, high, uncertain=True, help=help, source=source))


def whole(default: int, low: int, high: int, help: str, source: str = CALIBRATION) -> Any:
    return key(Field("int", default, low, high, help=help, source=source))


def section(cls: type) -> Any:
    """A sub-table, declared by another section class."""
    return dataclasses.field(metadata={"section": cls})


@functools.cache
def spec_of(cls: type) -> dict[str, Any]:
    """The nested {key: Field | {...}} table a section class declares, in declaration order."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        out[f.name] = spec_of(f.metadata["section"]) if "section" in f.metadata else f.metadata["spec"]
    return out


def build(cls: type, values: dict[str, Any]) -> Any:
    """An instance of a section class from a nested dict of plain values."""
    kwargs = {}
    for f in dataclasses.fields(cls):
        value = values[f.name]
        if "section" in f.metadata:
            value = build(f.metadata["section"], value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)


def leaves(spec: dict[str, Any], path: str = "") -> Iterator[tuple[str, Field]]:
    """Every key of a nested spec as (dotted path, Field), in declaration order."""
    for name, field in spec.items():
        dotted = f"{path}.{name}" if path else name
        if isinstance(field, dict):
            yield from leaves(field, dotted)
        else:
            yield dotted, field


def get_path(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[part]
    return data


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a dotted key, creating the tables on the way."""
    *parents, last = dotted.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value


def replace_path(obj: Any, dotted: str, value: Any) -> Any:
    """A copy of a frozen dataclass tree with one dotted attribute replaced."""
    head, _, rest = dotted.partition(".")
    new = replace_path(getattr(obj, head), rest, value) if rest else value
    return dataclasses.replace(obj, **{head: new})


def is_distribution(value: Any) -> bool:
    return isinstance(value, dict) and "dist" in value


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
