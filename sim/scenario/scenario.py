"""A validated scenario, variants of it, and one draw of its uncertain parameters."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.scenario import schema
from sim.scenario.checks import Checker, cross_checks
from sim.scenario.fields import Field, build, get_path, is_distribution, leaves, set_path
from sim.scenario.keys import field_at
from sim.scenario.posterior import Posterior
from sim.scenario.schema import Event, Params
from sim.world.geography import Geography


@dataclass
class Scenario:
    """A validated scenario: every key present, distributions kept for sampling."""

    path: str
    data: dict[str, Any]
    geography: Geography
    posterior: Posterior | None = None  # the fitted particles the behavioural numbers come from
    fixed: frozenset[str] = frozenset()  # keys set by `with_values`: the posterior leaves them

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
        for name, value in run.items():
            if value is not None:
                data["run"][name] = value
        cut_short = run.get("end") is not None
        if cut_short:  # events after a shortened run never happen
            data["events"] = [e for e in data["events"] if e["date"] <= data["run"]["end"]]
        cross_checks(data, self.path, self.geography, cut_short=cut_short)
        return Scenario(self.path, data, self.geography, self.posterior, self.fixed)

    def with_values(self, values: dict[str, Any], source: str = "override") -> Scenario:
        """A copy with some keys set by dotted path (e.g. "junta.drones"), each value checked;
        a fitted key set so keeps its value in every replicate (a sensitivity analysis's
        point, an explorer's lever), where a file's value gives way to the posterior's."""
        data = copy.deepcopy(self.data)
        checker = Checker(source, self.geography)
        for dotted, value in values.items():
            set_path(data, dotted, checker.value(value, field_at(dotted, source), dotted))
        cross_checks(data, self.path, self.geography)
        return Scenario(self.path, data, self.geography, self.posterior, self.fixed | set(values))

    def with_settings(self, settings: dict[str, Any]) -> Scenario:
        """A copy with some keys replaced by already validated values (dotted paths)."""
        data = copy.deepcopy(self.data)
        for dotted, value in settings.items():
            set_path(data, dotted, copy.deepcopy(value))
        return Scenario(self.path, data, self.geography, self.posterior, self.fixed | set(settings))

    def without_posterior(self, values: dict[str, Any] | None = None) -> Scenario:
        """A copy that draws nothing from the posterior: the fit's own variants, which set the
        fitted numbers themselves (checked, as `with_values` checks them)."""
        plain = Scenario(self.path, copy.deepcopy(self.data), self.geography)
        plain.data["posterior"] = None
        return plain.with_values(values) if values else plain

    def uncertain(self) -> list[str]:
        """The keys drawn once per replicate, in schema order: those the file gives as
        distributions and those its posterior fits."""
        fitted = set(self.posterior.names) - self.fixed if self.posterior is not None else set()
        keys = []
        for dotted, _ in leaves(schema.FULL):
            try:
                value = get_path(self.data, dotted)
            except KeyError:
                continue
            if is_distribution(value) or dotted in fitted:
                keys.append(dotted)
        return keys

    def sample(self, rng: np.random.Generator) -> Params:
        """Draw every uncertain parameter once, in schema order, into typed parameters; then,
        with a posterior, one particle by weight, whose fitted numbers replace the file's."""
        drawn: dict[str, Any] = {}
        for dotted, field in leaves(schema.FULL):
            if dotted not in ("name", "description"):
                set_path(drawn, dotted, _draw(get_path(self.data, dotted), field, rng))
        particle = -1
        if self.posterior is not None:
            particle, fitted = self.posterior.draw(rng)
            for dotted, value in fitted.items():
                if dotted not in self.fixed:
                    set_path(drawn, dotted, value)
        sections = {name: drawn[name] for name in schema.SECTIONS}
        return Params(
            **{name: build(schema.SECTION_TYPES[name], value) for name, value in sections.items()},
            factions={code: build(schema.FactionParams, t) for code, t in drawn["factions"].items()},
            events=tuple(build(Event, e) for e in self.data["events"]),
            particle=particle,
        )


def _draw(value: Any, field: Field, rng: np.random.Generator) -> Any:
    if not is_distribution(value):
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
    # normal, truncated (not clipped) to its own bounds and the key's range: no mass piles up
    # at a bound; the density inside is the normal's, rescaled
    lo = max(value.get("low", -np.inf), field.low if field.low is not None else -np.inf)
    hi = min(value.get("high", np.inf), field.high if field.high is not None else np.inf)
    mean, sd = value["mean"], value["sd"]
    a, b = (lo - mean) / sd, (hi - mean) / sd
    from scipy import stats  # only here: a run's parent process never needs scipy

    return float(stats.truncnorm.rvs(a, b, loc=mean, scale=sd, random_state=rng))
