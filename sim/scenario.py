"""Scenario files: load TOML, resolve `extends`, validate, fill defaults, sample.

A scenario is data (no code runs). Validation names the file and key path of
every mistake, so `sim check` and `sim run` can answer with one line.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim import schema
from sim.errors import ScenarioError
from sim.geography import Geography, load_geography
from sim.schema import DISTRIBUTIONS, Field


def _suggest(name: str, options: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    if close:
        return f"; did you mean {close[0]!r}?"
    return "; allowed: " + ", ".join(sorted(options))


def _type_name(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list"}.get(
        type(value), "table" if isinstance(value, dict) else type(value).__name__
    )


class _Checker:
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
                raise self.fail(key_path, "unknown key" + _suggest(key, tuple(spec)))
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
            if kind == "int":
                ok = ok and float(value).is_integer()
            if not ok:
                raise self.fail(key, f"must be {field.allowed()}, got {_type_name(value)}")
            value = int(value) if kind == "int" else float(value)
            if not np.isfinite(value):
                raise self.fail(key, f"must be {field.allowed()}, got {value}")
            if (field.low is not None and value < field.low) or (
                field.high is not None and value > field.high
            ):
                raise self.fail(key, f"{value:g} is out of range; must be {field.allowed()}")
            return value
        if kind == "bool":
            if not isinstance(value, bool):
                raise self.fail(key, f"must be true or false, got {_type_name(value)}")
            return value
        if kind == "str":
            if not isinstance(value, str):
                raise self.fail(key, f"must be {field.allowed()}, got {_type_name(value)}")
            if field.choices and value not in field.choices:
                raise self.fail(key, f"{value!r} is not allowed" + _suggest(value, field.choices))
            return value
        if kind == "date":
            return self.date(value, key)
        if kind == "strlist":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.fail(key, f"must be a list of strings, got {_type_name(value)}")
            return list(value)
        raise AssertionError(kind)

    def date(self, value: Any, key: str) -> dt.date:
        if schema.is_date(value):
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
                raise self.fail(f"{key}.{name}", f"not a parameter of {kind}" + _suggest(name, allowed))
        for name in needed:
            if name not in raw:
                raise self.fail(f"{key}.{name}", f"missing; {kind} needs " + ", ".join(DISTRIBUTIONS[kind]))
        nums = {}
        for name, v in raw.items():
            if name == "dist":
                continue
            if not isinstance(v, int | float) or isinstance(v, bool) or not np.isfinite(v):
                raise self.fail(f"{key}.{name}", f"must be a number, got {v!r}")
            nums[name] = float(v)
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
            if nums.get("low", -np.inf) > nums.get("high", np.inf):
                raise self.fail(key, "impossible bounds: low > high")
        return {"dist": kind, **nums}

    def document(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Check one file's own keys (not those it inherits)."""
        spec = {k: v for k, v in schema.TOP.items()}
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
                if code not in schema.RESISTANCE:
                    raise self.fail(f"factions.{code}", "unknown faction" + _suggest(code, schema.RESISTANCE))
                checked = self.table(table, schema.FACTION_FIELDS, f"factions.{code}")
                for state in checked.get("operating_states") or []:
                    if state not in self.geo.states:
                        raise self.fail(
                            f"factions.{code}.operating_states",
                            f"unknown state or region {state!r}" + _suggest(state, self.geo.states),
                        )
                out["factions"][code] = checked
        if "events" in raw:
            if not isinstance(raw["events"], list):
                raise self.fail("events", "must be an array of tables ([[events]])")
            out["events"] = [self.event(e, i) for i, e in enumerate(raw["events"])]
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
        allowed = required | optional | {"date", "kind", "id", "note"}
        for key in ev:
            if key not in allowed:
                raise self.fail(
                    f"{path}.{key}",
                    f"not used by a {ev['kind']} event; allowed: " + ", ".join(sorted(allowed)),
                )
        for key in required:
            if key not in ev:
                raise self.fail(
                    f"{path}.{key}",
                    f"missing; a {ev['kind']} event needs " + ", ".join(sorted(required)),
                )
        if ev["kind"] in ("ceasefire", "ceasefire_end") and ev["faction"] not in schema.RESISTANCE:
            raise self.fail(
                f"{path}.faction",
                "a ceasefire is between the junta and a resistance faction; allowed: "
                + ", ".join(schema.RESISTANCE),
            )
        if ev["kind"] in ("offensive", "defensive") and ev["faction"] not in (
            schema.JUNTA,
            *schema.RESISTANCE,
        ):
            raise self.fail(f"{path}.faction", "allowed: JUNTA, " + ", ".join(schema.RESISTANCE))
        for key in ("hand_over", "towns"):
            for name in ev.get(key, []):
                if self.geo.find(name) is None:
                    raise self.fail(
                        f"{path}.{key}", f"unknown town {name!r}" + _suggest(name, self.geo.names)
                    )
        ev["_origin"] = (self.file, path)  # where later checks point to; removed after loading
        return ev


def _merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child keys override; tables merge; distributions and lists replace."""
    out = copy.deepcopy(base)
    for key, value in child.items():
        if key in ("events", "remove_events"):
            continue
        if (
            isinstance(value, dict)
            and "dist" not in value
            and isinstance(out.get(key), dict)
            and "dist" not in out[key]
        ):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    events = [e for e in base.get("events", []) if not _removed(e, child.get("remove_events", []))]
    end = out.get("run", {}).get("end")
    if end is not None:  # inherited events after a shortened run never happen (as with --until)
        events = [e for e in events if e["date"] <= end]
    for ev in child.get("events", []):
        if "id" in ev:
            events = [e for e in events if e.get("id") != ev["id"]]
        events.append(copy.deepcopy(ev))
    out["events"] = events
    return out


def _removed(event: dict[str, Any], names: list[str]) -> bool:
    return event.get("id") in names or event["kind"] in names


def _shown(path: Path) -> str:
    """The path as the user would write it: relative to the working directory if inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(path: Path, chain: tuple[Path, ...], geo: Geography) -> dict[str, Any]:
    shown = _shown(path)
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(_shown(chain[-1]), "extends", f"circular extends: {cycle}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if chain:
            raise ScenarioError(_shown(chain[-1]), "extends", f"file not found: {shown}") from None
        raise ScenarioError(shown, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(shown, "", f"cannot read: {exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(shown, "", f"invalid TOML: {exc}") from None
    checked = _Checker(shown, geo).document(raw)
    if "extends" in raw:
        parent = _read((path.parent / raw["extends"]).resolve(), (*chain, path), geo)
        return _merge(parent, checked)
    checked.setdefault("events", [])
    return checked


def _defaults(spec: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, field in spec.items():
        if isinstance(field, dict):
            out[key] = _defaults(field, given.get(key, {}))
        else:
            out[key] = given.get(key, field.default)
    return out


def _required(spec: dict[str, Any], values: dict[str, Any], path: str, file: str) -> None:
    for key, field in spec.items():
        key_path = f"{path}.{key}" if path else key
        if isinstance(field, dict):
            _required(field, values[key], key_path, file)
        elif field.required and values[key] is None:
            raise ScenarioError(file, key_path, f"missing; must be {field.allowed()}")


@dataclass
class Scenario:
    """A validated scenario: every key present, distributions kept for sampling."""

    path: str
    data: dict[str, Any]
    geography: Geography

    @property
    def name(self) -> str:
        return self.data["name"]

    @property
    def start(self) -> dt.date:
        return self.data["run"]["start"]

    @property
    def end(self) -> dt.date:
        return self.data["run"]["end"]

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def with_run(self, **run: Any) -> Scenario:
        """A copy with run settings overridden (from the command line), re-checked."""
        data = copy.deepcopy(self.data)
        for key, value in run.items():
            if value is not None:
                data["run"][key] = value
        if run.get("end") is not None:  # events after a shortened run never happen
            data["events"] = [e for e in data["events"] if e["date"] <= data["run"]["end"]]
        _cross_checks(data, self.path, self.geography)
        return Scenario(self.path, data, self.geography)

    def with_values(self, values: dict[str, Any], source: str = "override") -> Scenario:
        """A copy with some keys set by dotted path (e.g. "junta.drones"), each value checked."""
        data = copy.deepcopy(self.data)
        checker = _Checker(source, self.geography)
        for dotted, value in values.items():
            *parents, last = dotted.split(".")
            table, spec = (
                data,
                {**schema.TOP, "factions": {c: schema.FACTION_FIELDS for c in schema.RESISTANCE}},
            )
            for part in parents:
                if part not in spec or not isinstance(spec[part], dict):
                    raise ScenarioError(source, dotted, "unknown key" + _suggest(part, tuple(spec)))
                table, spec = table[part], spec[part]
            if last not in spec or isinstance(spec[last], dict):
                raise ScenarioError(source, dotted, "unknown key" + _suggest(last, tuple(spec)))
            table[last] = checker.value(value, spec[last], dotted)
        _cross_checks(data, self.path, self.geography)
        return Scenario(self.path, data, self.geography)

    def sample(self, rng: np.random.Generator) -> SimpleNamespace:
        """Draw every uncertain parameter once, in schema order, into plain values."""

        def draw(spec: dict[str, Any], values: dict[str, Any]) -> SimpleNamespace:
            out = {}
            for key, field in spec.items():
                if isinstance(field, dict):
                    out[key] = draw(field, values[key])
                else:
                    out[key] = _draw(values[key], field, rng)
            return SimpleNamespace(**out)

        params = draw(schema.TOP, self.data)
        params.factions = {
            code: draw(schema.FACTION_FIELDS, table) for code, table in self.data["factions"].items()
        }
        params.events = [SimpleNamespace(**e) for e in self.data["events"]]
        return params


def _draw(value: Any, field: Field, rng: np.random.Generator) -> Any:
    if not (isinstance(value, dict) and "dist" in value):
        return value
    kind = value["dist"]
    if kind == "uniform":
        return float(rng.uniform(value["low"], value["high"]))
    if kind == "loguniform":
        return float(np.exp(rng.uniform(np.log(value["low"]), np.log(value["high"]))))
    if kind == "triangular":
        if value["low"] == value["high"]:
            return float(value["low"])
        return float(rng.triangular(value["low"], value["mode"], value["high"]))
    lo = max(value.get("low", -np.inf), field.low if field.low is not None else -np.inf)
    hi = min(value.get("high", np.inf), field.high if field.high is not None else np.inf)
    return float(np.clip(rng.normal(value["mean"], value["sd"]), lo, hi))


def _cross_checks(
    data: dict[str, Any], file: str, geo: Geography, origins: list[tuple[str, str]] | None = None
) -> None:
    run = data["run"]
    if run["end"] <= run["start"]:
        raise ScenarioError(file, "run.end", f"{run['end']} must be after run.start {run['start']}")
    if run["initial_control"] not in geo.control:
        raise ScenarioError(
            file,
            "run.initial_control",
            f"{run['initial_control']!r} has no control column; allowed: " + ", ".join(sorted(geo.control)),
        )
    cs = data["junta"]["conscription"]["start"]
    if cs is not None and cs > run["end"]:
        raise ScenarioError(file, "junta.conscription.start", f"{cs} is after run.end {run['end']}")
    events = data["events"]
    for i, ev in enumerate(events):
        where, key = origins[i] if origins else (file, f"events[{i}]")
        if not run["start"] <= ev["date"] <= run["end"]:
            raise ScenarioError(
                where, f"{key}.date", f"{ev['date']} is outside the run ({run['start']} to {run['end']})"
            )
        if i and ev["date"] < events[i - 1]["date"]:
            raise ScenarioError(
                where,
                f"{key}.date",
                f"{ev['date']} comes before the previous event ({events[i - 1]['date']}); "
                "list events in date order",
            )


def load_scenario(path: str | Path, geography: Geography | None = None) -> Scenario:
    """Read, resolve and validate a scenario file; raise ScenarioError on any mistake."""
    geo = geography or load_geography()
    path = Path(path)
    shown = str(path)
    merged = _read(path.resolve(), (), geo)
    file = shown
    data = _defaults(schema.TOP, merged)
    data["factions"] = {
        code: _defaults(schema.FACTION_FIELDS, merged.get("factions", {}).get(code, {}))
        for code in schema.RESISTANCE
    }
    events = merged.get("events", [])
    origins = [e.pop("_origin") for e in events]
    data["events"] = [_defaults(schema.EVENT_FIELDS, e) | e for e in events]
    _required(schema.TOP, data, "", file)
    _cross_checks(data, file, geo, origins)
    return Scenario(shown, data, geo)
