"""What the fit matches: the whole record up to the training cut-off, and nothing after it.

Each target is one number a replicate yields and the record gives, with its source:
- the map at every month's end (townships the junta holds, and the share of townships held
  by the side the record has), and per state at the cut-off where the state's count moved;
- when townships first fell (mean days off, over those the record has falling) and how many
  changed hands;
- the dated national figures before the cut-off: the AP's of 1 Dec 2023, UNHCR's displaced
  of end 2023, DMG's surrendered of 30 Apr 2024.
Counts that span orders of magnitude are compared on a log scale. BNI's 219 townships "with
fighting" of 12 Dec 2023 (observed/totals.csv) is left out: it counts any clash, the model's
contested townships only those where an opponent's unit stands, so the two are not the same
quantity.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from sim.analysis.observed import observed_map, read_changes
from sim.model.recorder import COLUMNS
from sim.scenario import Scenario
from sim.world.factions import FACTIONS, SIDE, SIDES

CUT_OFF = dt.date(2024, 6, 30)
JUNTA_SIDE = SIDES.index("junta")
FELL_LATE = 30  # days past the cut-off a township the model never takes counts as falling


@dataclass(frozen=True)
class Dated:
    """A published national figure on a date: a recorder column there (log scale if `log`)."""

    name: str
    column: str
    date: dt.date
    value: float
    log: bool
    source: str


FIGURES = (
    Dated("outposts lost, 1 Dec 2023", "outposts_lost", dt.date(2023, 12, 1), 180, True,
          "AP-2023: more than 180 posts"),
    Dated("China crossings the junta holds, 1 Dec 2023", "china_crossings_junta", dt.date(2023, 12, 1), 5,
          False, "AP-2023: 4 of 9 crossings lost"),
    Dated("newly displaced, 1 Dec 2023", "displaced", dt.date(2023, 12, 1), 335_000, True, "AP-2023"),
    Dated("newly displaced, 31 Dec 2023", "displaced", dt.date(2023, 12, 31), 628_000, True,
          "UNHCR via ReliefWeb: 628,000 displaced since Oct 2023 (docs/BRIEF.md)"),
    Dated("junta soldiers surrendered, 30 Apr 2024", "junta_surrendered", dt.date(2024, 4, 30), 6000, True,
          "DMG 2024-04-30 after BNI-Myanmar Peace Monitor (sim/data/casualty_figures.csv)"),
)  # fmt: skip


def month_ends(start: dt.date, cut_off: dt.date) -> list[dt.date]:
    """The last day of every month after `start` up to the cut-off."""
    out, y, m = [], start.year, start.month
    while True:
        first_next = dt.date(y + m // 12, m % 12 + 1, 1)
        end = first_next - dt.timedelta(days=1)
        if end > cut_off:
            return out
        if end > start:
            out.append(end)
        y, m = first_next.year, first_next.month


@dataclass(frozen=True)
class Training:
    """The observed side of every target, computed once from the record; `summaries` gives
    the model's side of each, in the same order, from one replicate."""

    names: tuple[str, ...]
    observed: np.ndarray
    sources: tuple[str, ...]
    cut_off: dt.date
    start: dt.date
    dates: tuple[dt.date, ...]  # month ends
    state_of: np.ndarray  # township -> index into `states`
    states: tuple[str, ...]  # states whose junta count moved before the cut-off
    observed_side: np.ndarray  # (month ends, townships) side index
    fell: np.ndarray  # townships the record has leaving the junta by the cut-off
    fell_day: np.ndarray  # the day (from the start) each of them first did

    def summaries(self, values: np.ndarray, changes: list[tuple], initial: np.ndarray) -> np.ndarray:
        """The model's value of every target from a replicate's recorder rows (days x COLUMNS),
        its list of changes (day, town, from, to, cause) and its starting holders (faction
        indices)."""
        days = np.array([(d - self.start).days for d in self.dates])
        sides = _sides_on(initial, changes, days)
        junta = sides == JUNTA_SIDE
        out = [float(n) for n in junta.sum(axis=1)]
        out += [float(x) for x in (sides == self.observed_side).mean(axis=1)]
        last = junta[-1]
        out += [float(np.sum(last & (self.state_of == k))) for k in range(len(self.states))]
        first = np.full(len(initial), (self.cut_off - self.start).days + FELL_LATE, dtype=float)
        moved = np.zeros(len(initial), dtype=bool)
        for day, town, before, after, _ in changes:
            if day > days[-1]:
                break
            moved[town] = True
            if SIDE[before] == JUNTA_SIDE and SIDE[after] != JUNTA_SIDE:
                first[town] = min(first[town], day)
        out.append(float(np.mean(np.abs(first[self.fell] - self.fell_day))) if len(self.fell) else 0.0)
        out.append(float(moved.sum()))
        for f in FIGURES:
            row = min((f.date - self.start).days, len(values) - 1)
            v = float(values[row, COLUMNS.index(f.column)])
            out.append(math.log1p(max(v, 0.0)) if f.log else v)
        return np.array(out)


def training(scenario: Scenario, cut_off: dt.date = CUT_OFF) -> Training:
    """The targets of a scenario's window up to the cut-off, from observed/changes.csv and the
    dated figures above."""
    geo = scenario.geography
    start = scenario.start
    changes = read_changes(geo)
    dates = month_ends(start, cut_off)
    if dates[-1] != cut_off:
        dates.append(cut_off)
    maps = [observed_map(geo, d, changes) for d in dates]
    side = np.array([[SIDES.index(s) for s in m["side"]] for m in maps])
    initial = np.array(
        [SIDE[FACTIONS.index(c)] for c in geo.control[scenario.data["run"]["initial_control"]]]
    )
    state = np.asarray(geo.state)
    moved_states = tuple(
        s for s in dict.fromkeys(geo.state)
        if np.sum((side[-1] == JUNTA_SIDE) & (state == s)) != np.sum((initial == JUNTA_SIDE) & (state == s))
    )  # fmt: skip
    state_of = np.array([moved_states.index(s) if s in moved_states else -1 for s in geo.state])
    fell, fell_day, moved = [], [], set()
    town = {pc: i for i, pc in enumerate(geo.ids)}
    known = changes[changes["date"] <= cut_off]
    for date, pcode, before, after in zip(
        known["date"], known["pcode"], known["from"], known["to"], strict=True
    ):
        i = town[pcode]
        moved.add(i)
        if side_of(before) == JUNTA_SIDE and side_of(after) != JUNTA_SIDE and i not in fell:
            fell.append(i)
            fell_day.append((date - start).days)
    names = [f"junta townships, {d}" for d in dates]
    observed = [float(n) for n in (side == JUNTA_SIDE).sum(axis=1)]
    sources = ["observed/changes.csv"] * len(dates)
    names += [f"townships as the record has them, {d}" for d in dates]
    observed += [1.0] * len(dates)
    sources += ["observed/changes.csv (share of townships on the record's side)"] * len(dates)
    names += [f"junta townships in {s}, {cut_off}" for s in moved_states]
    observed += [float(np.sum((side[-1] == JUNTA_SIDE) & (state == s))) for s in moved_states]
    sources += ["observed/changes.csv"] * len(moved_states)
    names += [
        f"days off the first fall of {len(fell)} townships",
        f"townships that changed hands by {cut_off}",
    ]
    observed += [0.0, float(len(moved))]
    sources += ["observed/changes.csv: each first fall's date"] * 2
    for f in FIGURES:
        names.append(f"log {f.name}" if f.log else f.name)
        observed.append(math.log1p(f.value) if f.log else float(f.value))
        sources.append(f.source)
    return Training(
        tuple(names), np.array(observed), tuple(sources), cut_off, start, tuple(dates),
        state_of, moved_states, side, np.array(fell, dtype=int), np.array(fell_day, dtype=float),
    )  # fmt: skip


def side_of(code: str) -> int:
    return int(SIDE[FACTIONS.index(code)])


def _sides_on(initial: np.ndarray, changes: list[tuple], days: np.ndarray) -> np.ndarray:
    """(len(days), townships) side index at the end of each day, from the starting holders."""
    holder = initial.copy()
    out = np.empty((len(days), len(initial)), dtype=int)
    k = 0
    for j, d in enumerate(days):
        while k < len(changes) and changes[k][0] <= d:
            holder[changes[k][1]] = changes[k][3]
            k += 1
        out[j] = SIDE[holder]
    return out
