"""Why the outcome differs between two scenarios: Shapley values over lever groups.

Starting from TARGET, each lever group is either kept at TARGET's settings or
set back to BASE's; v(S) is an end-state metric with the groups in S at
TARGET's settings, averaged over replicates that share their seeds (common
random numbers). The Shapley value of a group is its average marginal
contribution over orders of switching the groups (exact over all coalitions
for few groups, sampled permutations beyond); the parts add up to
v(all) - v(none) in every replicate, so also on average.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.summary import t_quantile
from sim.scenario import Scenario
from sim.scenario.fields import get_path, set_path

# group: (scenario keys, event kinds) taken together from BASE or TARGET
# A lever is never mixed with a starting condition: where each side stood (the map, the
# strengths, the junta's morale) forms its own group.
GROUPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "where each side stood": (("run.initial_control", "junta.strength", "junta.morale", "factions"), ()),
    "conscription": (("junta.conscription",), ()),
    "drones and air doctrine": (
        ("junta.drones", "junta.air_doctrine", "junta.air_strikes_per_day", "resistance.drones"),
        (),
    ),
    "China stance and embargo": (
        ("china.stance", "china.embargo", "china.decides"),
        ("embargo", "china_stance"),
    ),
    "UWSA supply line": (("uwsa.supply",), ("uwsa_supply",)),
    "ceasefires": (("china.brokers",), ("ceasefire", "ceasefire_end", "handover")),
    "leadership": (("junta.leadership",), ()),
    "election": ((), ("election",)),
    "coordination of the resistance": (("resistance.coordination",), ()),
}

METRICS = ("townships_junta_change", "junta_area_share_change", "junta_full_control_share", "outposts_lost")
EXACT_UP_TO = 5  # groups; beyond, sampled permutations


def belongs(event: dict, keys: tuple[str, ...], kinds: tuple[str, ...]) -> bool:
    """Whether a dated event is part of a group: one of its kinds, or a `change` of one of its
    keys (the replay's dated drones, air tempo and leadership belong with their levers)."""
    if event["kind"] == "change":
        return any(event["parameter"] == k or event["parameter"].startswith(k + ".") for k in keys)
    return event["kind"] in kinds


def differing_groups(base: Scenario, target: Scenario) -> list[str]:
    """Groups whose settings differ between the two scenarios (the others contribute nothing)."""
    out = []
    for name, (keys, kinds) in GROUPS.items():
        settings = any(get_path(base.data, k) != get_path(target.data, k) for k in keys)
        events = [[e for e in s.data["events"] if belongs(e, keys, kinds)] for s in (base, target)]
        if settings or events[0] != events[1]:
            out.append(name)
    return out


def mix(base: Scenario, target: Scenario, on: frozenset[str], groups: list[str]) -> Scenario:
    """TARGET with every group in `groups` but not in `on` set back to BASE."""
    data = copy.deepcopy(target.data)
    start, end = data["run"]["start"], data["run"]["end"]
    for name in groups:
        if name in on:
            continue
        keys, kinds = GROUPS[name]
        for key in keys:
            set_path(data, key, copy.deepcopy(get_path(base.data, key)))
        kept = [e for e in data["events"] if not belongs(e, keys, kinds)]
        moved = [e for e in base.data["events"] if belongs(e, keys, kinds) and start <= e["date"] <= end]
        data["events"] = sorted(kept + copy.deepcopy(moved), key=lambda e: e["date"])
    return Scenario(target.path, data, target.geography, target.posterior)  # the rules are not a lever


def coalitions(k: int, permutations: int, rng: np.random.Generator) -> tuple[list[tuple[int, ...]], str]:
    """Orders of switching groups on: all of them (exact) or a sample."""
    if k <= EXACT_UP_TO:
        return list(itertools.permutations(range(k))), "exact"
    return [tuple(rng.permutation(k)) for _ in range(permutations)], f"{permutations} sampled permutations"


@dataclass
class Attribution:
    table: pd.DataFrame  # group x metric: mean, low, high
    method: str
    replicates: int


def shapley(
    base: Scenario,
    target: Scenario,
    evaluate: Callable[[Scenario], pd.DataFrame],
    groups: list[str] | None = None,
    permutations: int = 12,
    seed: int = 0,
    metrics: tuple[str, ...] = METRICS,
) -> Attribution:
    """Shapley values of the lever groups; `evaluate` runs a scenario and returns end metrics
    (one row per replicate, same replicates for every scenario)."""
    groups = groups if groups is not None else differing_groups(base, target)
    orders, method = coalitions(len(groups), permutations, np.random.default_rng(seed))
    cache: dict[frozenset[str], np.ndarray] = {}
    if hasattr(evaluate, "expect"):  # progress over the distinct coalitions the orders visit
        visited = {
            frozenset(groups[i] for i in order[:k]) for order in orders for k in range(len(groups) + 1)
        }
        evaluate.expect(len(visited) or 1, f"{target.name}: attribution")

    def value(on: frozenset[str]) -> np.ndarray:
        if on not in cache:
            cache[on] = evaluate(mix(base, target, on, groups))[list(metrics)].to_numpy(float)
        return cache[on]

    phi = np.zeros((len(groups), *value(frozenset()).shape))
    for order in orders:
        on: frozenset[str] = frozenset()
        before = value(on)
        for i in order:
            on = on | {groups[i]}
            after = value(on)
            phi[i] += after - before
            before = after
    phi /= len(orders)
    total = value(frozenset(groups)) - value(frozenset())
    n = total.shape[0]
    rows = []

    def row(name: str, per_replicate: np.ndarray) -> None:
        mean = per_replicate.mean(axis=0)
        sd = per_replicate.std(axis=0, ddof=1)
        half = t_quantile(0.95, n - 1) * sd / math.sqrt(n) if n > 1 else mean * np.nan
        for j, metric in enumerate(metrics):
            rows.append(
                {
                    "group": name,
                    "metric": metric,
                    "shapley": mean[j],
                    "low": mean[j] - half[j],
                    "high": mean[j] + half[j],
                }
            )

    for i, name in enumerate(groups):
        row(name, phi[i])
    row("sum of parts", phi.sum(axis=0))
    row("total difference", total)
    return Attribution(pd.DataFrame(rows), method, n)
