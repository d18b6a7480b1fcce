"""Validation of one scenario file's raw table against the schema, and of a resolved scenario.

Every mistake names the file and key path, so `sim check` and `sim run` can
answer with one line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from typing import Any

import numpy as np

from sim.errors import ScenarioError
from sim.scenario import schema
from sim.scenario.fields import DISTRIBUTIONS, Field, get_path, is_date
from sim.world.factions import JUNTA, RESISTANCE
from sim.world.geography import Geography


def suggest(name: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    if close:
        return f"; did you mean {close[0]!r}?"
    return "; allowed: " + ", ".join(sorted(options))


def _number(value: Any) -> str:
    """A number as a message shows it: whole numbers exactly (or by their length), others short."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = f"{value:,}"
        return text if len(text) <= 32 else f"a {len(str(abs(value)))}-digit number"
    return f"{value:g}" if isinstance(value, float) else repr(value)


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list"}.get(
        type(value), "table" if isinstance(value, dict) else type(value).__name__
    )


class Checker:
    """Validates one file's raw table against the schema (types, ranges, keys)."""

    def __init__(self, file: str, geo: Geography) -> None:
        self.file = file
        self.geo = geo

    def fail(self, key: str, message: str) -> ScenarioError:
        return ScenarioError(self.file, key, message)

    def table(self, raw: Any, spec: dict[str, Any], path: str) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(path, f"must be a table, got {_type_name(raw)}")
        out: dict[str, Any] = {}
        for key, value in raw.items():
            key_path = f"{path}.{key}" if path else key
            if key not in spec:
                raise self.fail(key_path, "unknown key" + suggest(key, tuple(spec)))
            sub = spec[key]
            out[key] = (
                self.table(value, sub, key_path)
                if isinstance(sub, dict)
                else self.value(value, sub, key_path)
            )
        return out

    def value(self, value: Any, field: Field, key: str) -> Any:
        if field.uncertain and isinstance(value, dict):
            return self.distribution(value, field, key)
        kind = field.kind
        if kind in ("float", "int"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if isinstance(value, float) and not np.isfinite(value):
                raise self.fail(key, f"must be {field.allowed()}, got {value}")
            if kind == "int":
                ok = ok and (isinstance(value, int) or value.is_integer())
            if not ok:
                raise self.fail(key, f"must be {field.allowed()}, got {_type_name(value)}")
            if (field.low is not None and value < field.low) or (
                field.high is not None and value > field.high
            ):
                raise self.fail(key, f"{_number(value)} is out of range; must be {field.allowed()}")
            if kind == "int":
                return int(value)
            try:
                return float(value)
            except OverflowError:
                raise self.fail(key, f"{_number(value)} is too large; must be {field.allowed()}") from None
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.fail(key, f"must be true or false, got {_type_name(value)}")
            return value
        if kind == "str":
            if not isinstance(value, str):
                raise self.fail(key, f"must be {field.allowed()}, got {_type_name(value)}")
            if field.choices and value not in field.choices:
                raise self.fail(key, f"{value!r} is not allowed" + suggest(value, field.choices))
            return value
        if kind == "date":
            return self.date(value, key)
        if kind == "strlist":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.fail(key, f"must be a list of strings, got {_type_name(value)}")
            return list(value)
        if kind == "scalar":
            if not isinstance(value, int | float | str | bool):
                raise self.fail(key, f"must be {field.allowed()}, got {_type_name(value)}")
            return value
        raise AssertionError(kind)

    def date(self, value: Any, key: str) -> dt.date:
        if is_date(value):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(key, f"must be a date (YYYY-MM-DD), got {value!r}")

    def distribution(self, raw: dict[str, Any], field: Field, key: str) -> dict[str, Any]:
        kind = raw.get("dist")
        if kind not in DISTRIBUTIONS:
            raise self.fail(
                f"{key}.dist",
                f"unknown distribution {kind!r}; allowed: " + ", ".join(DISTRIBUTIONS),
            )
        needed = set(DISTRIBUTIONS[kind])
        optional = {"low", "high"} if kind == "normal" else set()
        for name in raw:
            if name != "dist" and name not in needed | optional:
                allowed = sorted(needed | optional)
                raise self.fail(f"{key}.{name}", f"not a parameter of {kind}" + suggest(name, allowed))
        for name in needed:
            if name not in raw:
                raise self.fail(f"{key}.{name}", f"missing; {kind} needs " + ", ".join(DISTRIBUTIONS[kind]))
        nums = {}
        for name, v in raw.items():
            if name == "dist":
                continue
            if not isinstance(v, int | float) or isinstance(v, bool):
                raise self.fail(f"{key}.{name}", f"must be a number, got {v!r}")
            try:
                nums[name] = float(v)
            except OverflowError:
                raise self.fail(f"{key}.{name}", f"{_number(v)} is too large for a number") from None
            if not np.isfinite(nums[name]):
                raise self.fail(f"{key}.{name}", f"must be a number, got {v!r}")
        lo, hi = field.low, field.high
        bounds = f"{field.allowed()}"

        def within(name: str) -> None:
            v = nums[name]
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                raise self.fail(f"{key}.{name}", f"{v:g} is out of range; must be {bounds}")

        if kind in ("uniform", "loguniform", "triangular"):
            within("low")
            within("high")
            if nums["low"] > nums["high"]:
                raise self.fail(key, f"impossible bounds: low {nums['low']:g} > high {nums['high']:g}")
            if kind == "loguniform" and nums["low"] <= 0:
                raise self.fail(f"{key}.low", "loguniform needs low > 0")
            if kind == "triangular" and not nums["low"] <= nums["mode"] <= nums["high"]:
                raise self.fail(f"{key}.mode", "mode must lie between low and high")
        else:
            within("mean")
            if nums["sd"] <= 0:
                raise self.fail(f"{key}.sd", "sd must be > 0")
            for name in ("low", "high"):
                if name in nums:
                    within(name)
            low = max(nums.get("low", -np.inf), lo if lo is not None else -np.inf)
            high = min(nums.get("high", np.inf), hi if hi is not None else np.inf)
            if low >= high:  # with the key's own range: nothing, or one point, is left to draw
                raise self.fail(
                    key, f"impossible bounds: they leave nothing to draw between {low:g} and {high:g}"
                )
            z = sorted(((low - nums["mean"]) / nums["sd"], (high - nums["mean"]) / nums["sd"]))
            if z[0] > 30 or z[1] < -30:
                raise self.fail(
                    key, "the bounds lie more than 30 sd from the mean: no draw falls between them"
                )
        return {"dist": kind, **nums}

    def document(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Check one file's own keys (not those it inherits)."""
        spec = schema.TOP
        body = {k: v for k, v in raw.items() if k not in schema.SPECIAL_TOP}
        out = self.table(body, spec, "")
        if "extends" in raw and not isinstance(raw["extends"], str):
            raise self.fail("extends", "must be a file name (string)")
        if "factions" in raw:
            factions = raw["factions"]
            if not isinstance(factions, dict):
                raise self.fail("factions", "must be a table of factions")
            out["factions"] = {}
            for code, table in factions.items():
                if code not in RESISTANCE:
                    raise self.fail(f"factions.{code}", "unknown faction" + suggest(code, RESISTANCE))
                out["factions"][code] = self.table(table, schema.FACTION_FIELDS, f"factions.{code}")
        if "events" in raw:
            if not isinstance(raw["events"], list):
                raise self.fail("events", "must be an array of tables ([[events]])")
            out["events"] = [self.event(e, i) for i, e in enumerate(raw["events"])]
            seen: dict[str, int] = {}
            for i, ev in enumerate(out["events"]):
                if ev.get("id") in seen:
                    raise self.fail(
                        f"events[{i}].id",
                        f"{ev['id']!r} is already the id of events[{seen[ev['id']]}]; ids must be unique",
                    )
                if ev.get("id") is not None:
                    seen[ev["id"]] = i
        if "remove_events" in raw:
            out["remove_events"] = self.value(raw["remove_events"], Field("strlist"), "remove_events")
        return out

    def event(self, raw: Any, i: int) -> dict[str, Any]:
        path = f"events[{i}]"
        ev = self.table(raw, schema.EVENT_FIELDS, path)
        for key in ("date", "kind"):
            if key not in ev:
                raise self.fail(f"{path}.{key}", "missing; every event needs date and kind")
        required, optional = schema.EVENT_KINDS[ev["kind"]]
        a_kind = ("an " if ev["kind"][0] in "aeiou" else "a ") + ev["kind"]
        allowed = required | optional | {"date", "kind", "id", "note"}
        for key in ev:
            if key not in allowed:
                raise self.fail(
                    f"{path}.{key}",
                    f"not used by {a_kind} event; allowed: " + ", ".join(sorted(allowed)),
                )
        for key in required:
            if key not in ev:
                raise self.fail(
                    f"{path}.{key}",
                    f"missing; {a_kind} event needs " + ", ".join(sorted(required)),
                )
        if ev["kind"] in ("ceasefire", "ceasefire_end") and ev["faction"] not in RESISTANCE:
            raise self.fail(
                f"{path}.faction",
                "a ceasefire is between the junta and a resistance faction; allowed: "
                + ", ".join(RESISTANCE),
            )
        if ev["kind"] in ("offensive", "defensive") and ev["faction"] not in (
            JUNTA,
            *RESISTANCE,
        ):
            raise self.fail(f"{path}.faction", "allowed: JUNTA, " + ", ".join(RESISTANCE))
        if ev["kind"] == "election" and ev["polling"] <= ev["date"]:
            when = f"{ev['polling']} must be after the announcement ({ev['date']})"
            raise self.fail(f"{path}.polling", when)
        if ev["kind"] == "change":
            field = dataclasses.replace(get_path(schema.FULL, ev["parameter"]), uncertain=False)
            ev["value"] = self.value(ev["value"], field, f"{path}.value")
        for key in ("hand_over", "towns"):
            for name in ev.get(key, []):
                if self.geo.find(name) is None:
                    close = self.geo.suggest(name)
                    hint = (
                        f"; did you mean {close[0]!r}?" if close else "; name a township, its seat or P-code"
                    )
                    raise self.fail(f"{path}.{key}", f"unknown township {name!r}{hint}")
        ev["_origin"] = (self.file, path)  # where later checks point to; removed after loading
        return ev


MAX_DAYS = 3660  # about ten years: the horizon of one run


def cross_checks(
    data: dict[str, Any],
    file: str,
    geo: Geography,
    origins: list[tuple[str, str]] | None = None,
    cut_short: bool = False,
) -> None:
    """Checks across keys. `cut_short`: the run was stopped early (`--until`), so a law that
    starts after its new end is no mistake in the file, it only does not come into force."""
    run = data["run"]
    if run["end"] <= run["start"]:
        raise ScenarioError(file, "run.end", f"{run['end']} must be after run.start {run['start']}")
    if (run["end"] - run["start"]).days >= MAX_DAYS:
        last = run["start"] + dt.timedelta(days=MAX_DAYS - 1)
        raise ScenarioError(
            file, "run.end", f"{run['end']}: a run lasts at most {MAX_DAYS:,} days; allowed: up to {last}"
        )
    if run["initial_control"] not in geo.control:
        raise ScenarioError(
            file,
            "run.initial_control",
            f"{run['initial_control']!r} has no control column; allowed: " + ", ".join(sorted(geo.control)),
        )
    for code, table in data["factions"].items():  # here, so that a value set later is checked too
        for state in table.get("operating_states") or []:
            if state not in geo.states:
                raise ScenarioError(
                    file,
                    f"factions.{code}.operating_states",
                    f"unknown state or region {state!r}" + suggest(state, geo.states),
                )
    cs = data["junta"]["conscription"]["start"]
    if cs is not None and cs > run["end"] and not cut_short:
        raise ScenarioError(file, "junta.conscription.start", f"{cs} is after run.end {run['end']}")
    events = data["events"]
    for i, ev in enumerate(events):
        where, key = origins[i] if origins else (file, f"events[{i}]")
        if not run["start"] <= ev["date"] <= run["end"]:
            hint = (
                "" if where == file or not ev.get("id") else f"; drop it with remove_events = [{ev['id']!r}]"
            )
            raise ScenarioError(
                where,
                f"{key}.date",
                f"{ev['date']} is outside the run ({run['start']} to {run['end']}){hint}",
            )
        _handover(ev, where, key, geo, run["initial_control"])


def _area(geo: Geography, label: str, faction: str, node: int) -> bool:
    """Whether a faction holds or operates in a town or a town next to it at the start."""
    indptr, nbr, _ = geo.csr
    nodes = [node, *nbr[indptr[node] : indptr[node + 1]].tolist()]
    return any(geo.control[label][n] == faction or faction in geo.presence[label][n] for n in nodes)


def _handover(ev: dict[str, Any], file: str, key: str, geo: Geography, label: str) -> None:
    """A town changes hands by agreement only between factions of its neighbourhood (the junta,
    present across the country, may receive any town)."""
    if ev["kind"] == "handover":
        giver, taker, towns_key = ev["faction"], ev.get("to", JUNTA), "towns"
    elif ev["kind"] == "ceasefire" and ev.get("hand_over"):
        giver, taker, towns_key = ev["faction"], JUNTA, "hand_over"
    else:
        return
    if giver == taker:
        raise ScenarioError(file, f"{key}.to", f"{giver} cannot hand townships over to itself")
    for name in ev[towns_key]:
        node = geo.find(name)
        for role, faction in (("hands it over", giver), ("receives it", taker)):
            if not (faction == JUNTA and role == "receives it") and not _area(geo, label, faction, node):
                raise ScenarioError(
                    file,
                    f"{key}.{towns_key}",
                    f"{name!r}: {faction} {role} but neither holds nor operates in it or a town next "
                    f"to it at the start ({label} control: {geo.control[label][node]}); a handover is "
                    "between factions of the town's neighbourhood",
                )
