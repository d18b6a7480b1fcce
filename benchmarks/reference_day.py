"""The yardstick of a replicate-day: a day's arithmetic on the real map in one compiled function.

What a day of the model has to compute, at its least, for the same map and the same unit table
as a replicate of a scenario (its units, strengths, sides and townships at the start):

1. each side's strength in each township (a pass over the units);
2. in every township both sides stand in, Lanchester's square law for a day (each side's losses
   in proportion to the other's strength), shared among the side's units by strength;
3. the holder of each township: the side left standing alone there keeps or takes it;
4. each unit on the move takes the road to the neighbouring township worth most to it (the
   population the other side holds there) with a daily chance, as a march order would;
5. recruitment in proportion to the population a side holds;
6. the day's row of the record: townships, land and population held by each side, strength
   and losses of each side.

It is no model of the war (it decides nothing as the agents do); it is what one compiled
function costs for a day when nothing else runs: no Python between the steps, no tables, no
agents. `bench_ensemble.py` (section b) sets a replicate-day of `sim run` against it.

    python benchmarks/reference_day.py [--days 211]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit

ATTRITION = 0.002  # share of the opponent's strength lost a day in a contested township
MOVE_CHANCE = 0.05  # a unit's daily chance to march
RECRUITS = 1e-6  # troops a day per inhabitant held, spread over the side's units there


@njit(cache=True)
def reference_day(node, strength, side, alive, holder, population, area, indptr, neighbour, draws, row):
    """One day on the map, in place. Sides: 0 the junta, 1 the resistance, 2 neutral (which
    fights no one); `draws` holds two uniform numbers per unit; `row` gets the day's record
    (townships, land, population, strength and losses, each for the three sides)."""
    n_towns, n_units = len(holder), len(node)
    force = np.zeros((n_towns, 3))
    for u in range(n_units):
        if alive[u]:
            force[node[u], side[u]] += strength[u]
    loss_share = np.zeros((n_towns, 3))  # the share of its strength each side loses there
    lost = np.zeros(3)
    for t in range(n_towns):
        a, b, c = force[t, 0], force[t, 1], force[t, 2]
        if a > 0.0 and b > 0.0:
            loss_share[t, 0] = min(1.0, ATTRITION * b / a)
            loss_share[t, 1] = min(1.0, ATTRITION * a / b)
        elif a > 0.0 and c == 0.0:
            holder[t] = 0
        elif b > 0.0 and c == 0.0:
            holder[t] = 1
    for u in range(n_units):
        if not alive[u]:
            continue
        s, t = side[u], node[u]
        loss = strength[u] * loss_share[t, s]
        lost[s] += loss
        strength[u] += RECRUITS * population[t] * (holder[t] == s) - loss
        if strength[u] < 1.0:
            alive[u] = False
            continue
        if draws[2 * u] < MOVE_CHANCE:
            best, best_value = t, -1.0
            for k in range(indptr[t], indptr[t + 1]):
                m = neighbour[k]
                value = population[m] * (holder[m] != s) + draws[2 * u + 1]
                if value > best_value:
                    best, best_value = m, value
            node[u] = best
    row[:] = 0.0
    for t in range(n_towns):
        h = holder[t]
        row[h] += 1.0
        row[3 + h] += area[t]
        row[6 + h] += population[t]
    for u in range(n_units):
        if alive[u]:
            row[9 + side[u]] += strength[u]
    row[12:15] = lost


def state_of(scenario, seed: int = 0, replicate: int = 0) -> dict[str, np.ndarray]:
    """The map and the unit table of a replicate of `scenario` at its start."""
    from sim.run.replicate import build_model
    from sim.world.factions import SIDE

    model = build_model(scenario, seed, replicate)
    geo, f = model.geo, model.forces
    indptr, neighbour, _ = geo.csr
    return {
        "node": f.view("node").copy(),
        "strength": f.view("strength").copy(),
        "side": SIDE[f.view("faction")].astype(np.int64),
        "alive": f.view("alive").copy(),
        "holder": SIDE[model.holder].astype(np.int64),
        "population": geo.population.astype(np.float64),
        "area": (geo.area / geo.area.sum()).astype(np.float64),
        "indptr": indptr,
        "neighbour": neighbour,
    }


def microseconds_per_day(state: dict[str, np.ndarray], days: int, rounds: int = 5) -> float:
    """The fastest of `rounds` runs of `days` days from the start state, per day (as timeit)."""
    rng = np.random.default_rng(0)
    row = np.zeros(15)
    best = float("inf")
    for _ in range(rounds + 1):  # the first call compiles or loads the cache: not timed
        s = {k: v.copy() for k, v in state.items()}
        draws = rng.random((days, 2 * len(s["node"])))
        t0 = time.perf_counter()
        for d in range(days):
            reference_day(
                s["node"], s["strength"], s["side"], s["alive"], s["holder"], s["population"], s["area"],
                s["indptr"], s["neighbour"], draws[d], row,
            )  # fmt: skip
        best = min(best, time.perf_counter() - t0) if _ else float("inf")
    return best / days * 1e6


def main() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from sim.scenario import load_scenario

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--scenario", default="scenarios/2025_counteroffensive.toml")
    p.add_argument("--days", type=int, default=211)
    args = p.parse_args()
    state = state_of(load_scenario(args.scenario))
    us = microseconds_per_day(state, args.days)
    print(f"reference day: {us:.1f} us ({len(state['node'])} units, {len(state['holder'])} townships)")


if __name__ == "__main__":
    main()
