"""The explorer's levers: one control per key of the scenario schema, no hand-made list.

A value is typed as it would be written in a scenario file (TOML: `0.8`, `true`,
`"reactive"`, `2025-09-30`, `["Kachin"]`, `{ dist = "uniform", low = 0.3, high = 0.6 }`)
and checked by `Scenario.with_values`, so a bad one gets the same one-line
message as in a file.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from sim.errors import UserError
from sim.scenario import Scenario, load_scenario
from sim.scenario.fields import Field, get_path, is_date, leaves
from sim.scenario.schema import FULL

SOURCE = "explorer"  # names where a value came from in error messages, as a file name would
NOT_LEVERS = ("name", "description")  # labels of a scenario, not levers


@dataclass(frozen=True)
class Lever:
    dotted: str
    field: Field

    @property
    def group(self) -> str:
        """The table it sits in: "junta.conscription", "factions.KIA", "model.air"."""
        return self.dotted.rpartition(".")[0] or "scenario"

    @property
    def widget(self) -> str:
        if self.field.kind == "bool":
            return "checkbox"
        if self.field.choices:
            return "select"
        return "text"

    @property
    def hint(self) -> str:
        return f"{self.field.help} · {self.field.allowed()}" if self.field.help else self.field.allowed()

    def matches(self, query: str) -> bool:
        q = query.strip().casefold()
        return bool(q) and (q in self.dotted.casefold() or q in self.field.help.casefold())


def all_levers() -> list[Lever]:
    """Every key of the schema, in its order, but the scenario's name and description."""
    return [Lever(d, f) for d, f in leaves(FULL) if d not in NOT_LEVERS]


def groups() -> dict[str, list[Lever]]:
    out: dict[str, list[Lever]] = {}
    for lever in all_levers():
        out.setdefault(lever.group, []).append(lever)
    return out


def parse(text: str) -> Any:
    """A value as written in a scenario file; text that is not TOML is taken as a plain string,
    so the check says what is wrong with it (`abc` for a number: "must be a number ..., got string")."""
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def show(value: Any) -> str:
    """A value written back as TOML, the way `parse` reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    if isinstance(value, int):
        return str(value)
    if is_date(value) or isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {show(v)}" for k, v in value.items()) + " }"
    return str(value)


def scenario_files(path: Path) -> list[Path]:
    """The scenario files beside `path`: everything under the nearest folder named scenarios."""
    path = path.resolve()
    root = next((p for p in path.parents if p.name == "scenarios"), path.parent)
    found = sorted(root.rglob("*.toml"))
    return found if path in found else [path, *found]


@dataclass(frozen=True)
class Setup:
    """A scenario file and the values the explorer changed in it (all checked)."""

    base: Scenario
    overrides: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> Setup:
        return cls(load_scenario(path))

    @cached_property
    def scenario(self) -> Scenario:
        return apply(self.base, self.overrides)

    @property
    def seed(self) -> int:
        return int(self.scenario.data["run"]["seed"])

    def current(self, dotted: str) -> Any:
        return get_path(self.scenario.data, dotted)

    def changed(self, dotted: str, value: Any) -> Setup:
        """A copy with one more value; raises ScenarioError (one line) if it is not allowed."""
        setup = replace(self, overrides={**self.overrides, dotted: value})
        setup.scenario  # noqa: B018 (checked now, not when the model starts)
        return setup

    def without(self, *dotted: str) -> Setup:
        """A copy back to the file's value for these keys (all keys if none named)."""
        keep = {k: v for k, v in self.overrides.items() if dotted and k not in dotted}
        return replace(self, overrides=keep)


def apply(base: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """The file with the explorer's values. A new start or end goes through `with_run`, as
    `--until` does, so dated events outside a shortened run are dropped, not refused."""
    run = {k.split(".")[1]: v for k, v in overrides.items() if k in ("run.start", "run.end") and is_date(v)}
    rest = {k: v for k, v in overrides.items() if not (k.startswith("run.") and k.split(".")[1] in run)}
    scenario = base
    if run:
        start, end = run.get("start", base.start), run.get("end", base.end)
        kept = [e for e in base.data["events"] if start <= e["date"] <= end]
        scenario = base.with_settings({"events": kept}).with_run(**run)
    return scenario.with_values(rest, source=SOURCE) if rest else scenario


def entered(setup: Setup, lever: Lever, text_or_value: Any) -> tuple[Setup, str | None]:
    """The setup after a control's new value, and the one-line error if it was refused.
    Empty text sets the key back to the file's value."""
    value = text_or_value
    if isinstance(value, str) and lever.widget == "text":
        if not value.strip():
            return setup.without(lever.dotted), None
        value = parse(value)
        if lever.field.kind == "str" and not isinstance(value, str):  # 2023 for a label: the text
            value = text_or_value.strip()
    try:
        return setup.changed(lever.dotted, value), None
    except UserError as exc:
        return setup, str(exc)
