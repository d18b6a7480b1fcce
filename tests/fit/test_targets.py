"""The fit's targets come from the record up to the cut-off; a replicate is reduced to the
same numbers; the priors sit around the hand values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.fit.space import ALWAYS, SPAN, candidates
from sim.fit.targets import CUT_OFF, FIGURES, month_ends, training
from sim.world.factions import FACTIONS


def test_month_ends_by_hand():
    assert month_ends(dt.date(2023, 10, 27), dt.date(2024, 1, 31)) == [
        dt.date(2023, 10, 31), dt.date(2023, 11, 30), dt.date(2023, 12, 31), dt.date(2024, 1, 31)
    ]  # fmt: skip
    assert month_ends(dt.date(2024, 1, 31), dt.date(2024, 3, 15)) == [dt.date(2024, 2, 29)]


@pytest.fixture(scope="module")
def train(s2023):
    return training(s2023)


def test_nothing_after_the_cut_off_is_a_target(train):
    assert train.dates[-1] == CUT_OFF and all(d <= CUT_OFF for d in train.dates)
    assert all(f.date <= CUT_OFF for f in FIGURES)
    assert len(train.names) == len(train.observed) == len(train.sources)


def test_the_record_s_june_2024_map_is_a_target(train, geo):
    """Laukkaing fell on 5 Jan 2024: by the cut-off the record has 34 or more first falls."""
    k = train.names.index(f"junta townships, {CUT_OFF}")
    assert train.observed[k] == (train.observed_side[-1] == 0).sum() < train.observed[0]
    laukkaing = geo.find("Laukkaing")
    assert laukkaing in train.fell
    assert train.fell_day[list(train.fell).index(laukkaing)] == (dt.date(2024, 1, 5) - train.start).days


def test_a_replicate_that_changes_nothing_scores_the_start(train, s2023):
    """No change of hands: the junta keeps its starting townships every month, no first fall
    happens (each counts as falling 30 days after the cut-off), nothing changes hands."""
    initial = np.array([FACTIONS.index(c) for c in s2023.geography.control["2023"]])
    values = np.zeros((300, 40))
    s = train.summaries(values, [], initial)
    m = len(train.dates)
    assert (s[:m] == (initial == 0).sum()).all()
    fall = train.names.index(next(n for n in train.names if n.startswith("days off")))
    late = (CUT_OFF - train.start).days + 30
    assert s[fall] == pytest.approx(np.mean(late - train.fell_day))
    assert s[fall + 1] == 0.0


def test_one_capture_moves_the_counts_and_the_first_fall(train, s2023):
    initial = np.array([FACTIONS.index(c) for c in s2023.geography.control["2023"]])
    town = int(train.fell[0])
    day = int(train.fell_day[0])
    s = train.summaries(np.zeros((300, 40)), [(day, town, 0, FACTIONS.index("MNDAA"), "assault")], initial)
    none = train.summaries(np.zeros((300, 40)), [], initial)
    m = len(train.dates)
    assert s[m - 1] == none[m - 1] - 1  # one fewer junta township at the cut-off
    fall = train.names.index(next(n for n in train.names if n.startswith("days off")))
    late = (CUT_OFF - train.start).days + 30
    assert s[fall] == pytest.approx(none[fall] - (late - day) / len(train.fell))  # exactly on time


def test_priors_sit_around_the_hand_values(s2023):
    box = candidates(s2023)
    assert all(n.startswith("model.") for n in box.names) and set(ALWAYS) <= set(box.names)
    k = box.names.index("model.drone_effect")
    assert box.log[k] and box.low[k] == pytest.approx(0.5 / SPAN) and box.high[k] == pytest.approx(0.5 * SPAN)
    mid = box.values(np.full(len(box.names), 0.5))
    assert mid[k] == pytest.approx(0.5)  # the log prior's middle is the hand value
    assert np.allclose(box.values(np.zeros(len(box.names))), box.low)
    assert np.allclose(box.values(np.ones(len(box.names))), box.high)
