"""Scenario files: read TOML, resolve `extends`, validate, fill defaults.

A scenario is data (no code runs). Validation names the file and key path of
every mistake, so `sim check` and `sim run` can answer with one line.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

from sim.errors import ScenarioError
from sim.scenario import schema
from sim.scenario.checks import Checker, cross_checks
from sim.scenario.fields import get_path, leaves, set_path
from sim.scenario.posterior import Posterior, read_posterior
from sim.scenario.scenario import Scenario
from sim.textfile import NotText, read_text
from sim.world.factions import RESISTANCE
from sim.world.geography import Geography, load_geography

MAX_EXTENDS = 32  # files in one `extends` chain


def _merge(base: dict[str, Any], child: dict[str, Any], file: str) -> dict[str, Any]:
    """Child keys override; tables merge; distributions and lists replace.

    Events: the parent's, less those the child removes (`remove_events`, by id or kind:
    each name must match one) or replaces (an event with the same id), and those after a
    shortened run; then the child's; all in date order (stable: on one date, parent first).
    """
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
            out[key] = _merge(out[key], value, file)
        else:
            out[key] = copy.deepcopy(value)
    inherited = base.get("events", [])
    removed = child.get("remove_events", [])
    for i, name in enumerate(removed):
        if not any(_removed(e, [name]) for e in inherited):
            names = sorted(
                {str(e.get("id")) for e in inherited if e.get("id")} | {e["kind"] for e in inherited}
            )
            allowed = (
                ("; inherited ids and kinds: " + ", ".join(names)) if names else "; it inherits no events"
            )
            raise ScenarioError(file, f"remove_events[{i}]", f"{name!r} names no inherited event{allowed}")
    events = [e for e in inherited if not _removed(e, removed)]
    end = out.get("run", {}).get("end")
    if end is not None:  # inherited events after a shortened run never happen (as with --until)
        events = [e for e in events if e["date"] <= end]
    for ev in child.get("events", []):
        if "id" in ev:
            events = [e for e in events if e.get("id") != ev["id"]]
        events.append(copy.deepcopy(ev))
    out["events"] = sorted(events, key=lambda e: e["date"])
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
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(
            _shown(chain[0]), "extends", f"a chain of more than {MAX_EXTENDS} files; at most {MAX_EXTENDS}"
        )
    try:
        text = read_text(path)
    except FileNotFoundError:
        if chain:
            raise ScenarioError(_shown(chain[-1]), "extends", f"file not found: {shown}") from None
        raise ScenarioError(shown, "", "file not found") from None
    except IsADirectoryError:
        raise ScenarioError(shown, "", "is a folder, not a scenario file") from None
    except NotText as exc:
        if chain:
            raise ScenarioError(_shown(chain[-1]), "extends", f"{shown}: {exc}") from None
        raise ScenarioError(shown, "", str(exc)) from None
    except OSError as exc:
        raise ScenarioError(shown, "", f"cannot read: {exc.strerror or exc}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(shown, "", f"invalid TOML: {exc}") from None
    checked = Checker(shown, geo).document(raw)
    if "posterior" in raw:
        checked["posterior"] = _posterior(raw["posterior"], path, shown)
    if "extends" in raw:
        parent = _read(_resolve(path.parent / raw["extends"], shown, "extends"), (*chain, path), geo)
        return _merge(parent, checked, shown)
    if checked.get("remove_events"):
        raise ScenarioError(shown, "remove_events", "this file extends no other; there is nothing to remove")
    checked.setdefault("events", [])
    checked["events"] = sorted(checked["events"], key=lambda e: e["date"])
    return checked


def _posterior(value: Any, path: Path, shown: str) -> str | None:
    """A posterior's file, resolved beside the file that names it and checked at once (so a
    fault names that file); "" switches an inherited posterior off."""
    if not isinstance(value, str):
        raise ScenarioError(shown, "posterior", 'must be a file name (string), or "" for none')
    if not value:
        return None
    resolved = _resolve(path.parent / value, shown, "posterior")
    _posterior_at(resolved, shown)
    return str(resolved)


_READ: dict[tuple[str, int, int], Posterior] = {}


def _posterior_at(path: Path, file: str) -> Posterior:
    """The posterior at a path, read once per version of the file."""
    try:
        st = path.stat()
    except OSError:
        return read_posterior(path, file, shown=_shown(path))  # says it is missing
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _READ:
        _READ[key] = read_posterior(path, file, shown=_shown(path))
    return _READ[key]


def _resolve(path: Path, file: str, key: str) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise ScenarioError(file, key, f"cannot follow {str(path)!r}: {exc}") from None


def _defaults(spec: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dotted, field in leaves(spec):
        try:
            value = get_path(given, dotted)
        except KeyError:
            value = field.default
        set_path(out, dotted, value)
    return out


def _required(spec: dict[str, Any], values: dict[str, Any], file: str) -> None:
    for dotted, field in leaves(spec):
        if field.required and get_path(values, dotted) is None:
            raise ScenarioError(file, dotted, f"missing; must be {field.allowed()}")


def load_scenario(path: str | Path, geography: Geography | None = None) -> Scenario:
    """Read, resolve and validate a scenario file; raise ScenarioError on any mistake."""
    geo = geography or load_geography()
    path = Path(path)
    shown = str(path)
    merged = _read(_resolve(path, shown, ""), (), geo)
    data = _defaults(schema.TOP, merged)
    data["factions"] = {
        code: _defaults(schema.FACTION_FIELDS, merged.get("factions", {}).get(code, {}))
        for code in RESISTANCE
    }
    events = merged.get("events", [])
    origins = [e.pop("_origin") for e in events]
    data["events"] = [_defaults(schema.EVENT_FIELDS, e) | e for e in events]
    _required(schema.TOP, data, shown)
    posterior = None
    if merged.get("posterior"):
        posterior = _posterior_at(Path(merged["posterior"]), shown)
        fitted = dt.date.fromisoformat(posterior.fitted_until)
        if data["run"]["fitted_until"] not in (None, fitted):
            raise ScenarioError(
                shown,
                "run.fitted_until",
                f"is {data['run']['fitted_until']}, but the posterior was fitted to {fitted}",
            )
        data["run"]["fitted_until"] = fitted
    data["posterior"] = _shown(Path(merged["posterior"])) if merged.get("posterior") else None
    cross_checks(data, shown, geo, origins)
    return Scenario(shown, data, geo, posterior)
