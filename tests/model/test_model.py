import dataclasses
import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.agents import Faction, Formation, JuntaCommand, RebelUnit
from sim.model.china import China, Uwsa
from sim.model.recorder import COLUMNS
from sim.run.replicate import build_model, run_replicate
from sim.world.factions import FACTIONS, SIDE

CUMULATIVE = [
    c
    for c in COLUMNS
    if c
    in (
        "outposts_lost",
        "junta_casualties",
        "resistance_casualties",
        "junta_surrendered",
        "displaced",
        "air_strikes",
    )
]


def test_same_seed_same_numbers_other_seed_other_numbers(s2023):
    short = s2023.with_run(end=dt.date(2023, 11, 20))
    a = run_replicate(short, 11, 3).tables["timeseries"]
    b = run_replicate(short, 11, 3).tables["timeseries"]
    c = run_replicate(short, 11, 4).tables["timeseries"]
    assert a.equals(b)
    assert not a.equals(c)


def test_agents_are_mesa_agents_on_the_map(s2025):
    m = build_model(s2025, 1, 0)
    kinds = {type(a) for a in m.agents}
    assert {Formation, RebelUnit, Faction, JuntaCommand, China, Uwsa} <= kinds
    for unit in m.agents_by_type[RebelUnit]:
        assert unit.cell.coordinate == m.forces.node[unit.idx]
    assert m.initial_agents == len(m.agents)
    m.run()
    units = [a for a in m.agents if isinstance(a, Formation | RebelUnit)]
    assert all(m.forces.alive[u.idx] for u in units)
    moved = [u for u in units if u.cell.coordinate != m.forces.node[u.idx]]
    assert moved  # the cells do not follow the table every day...
    m.sync_cells()  # ...but when asked
    assert all(u.cell.coordinate == m.forces.node[u.idx] for u in units)
    assert all(u in u.cell.agents for u in units)


def _check_invariants(m, previous):
    f = m.forces
    alive = f.view("alive")
    # every town has exactly one controller, a known faction
    assert m.holder.shape == (m.geo.n,)
    assert ((m.holder >= 0) & (m.holder < len(FACTIONS))).all()
    # nothing negative
    assert (f.view("strength") >= 0).all()
    assert (f.view("strength")[alive] >= 1.0).all()
    assert (m.outposts >= 0).all() and (m.residents >= 0).all()
    for fac in m.resistance_factions:
        assert fac.ammo >= 0 and fac.arms >= -1e-9 and fac.pool >= 0
    # people are conserved: start + recruits - losses - desertions = now
    now = m.people()
    pools = np.array([0.0, sum(x.pool for x in m.resistance_factions)])
    expected = m.initial_people + m.recruited - m.killed - m.surrendered - m.deserted
    assert np.allclose(now + pools, expected, rtol=1e-9, atol=1e-6)
    # the displaced never exceed the population
    assert m.displaced <= m.geo.population.sum()
    assert np.isclose(m.residents.sum() + m.displaced, m.geo.population.sum())
    # cumulative counts never fall
    row = m.recorder.values[m.day - 1]
    if previous is not None:
        for col in CUMULATIVE:
            k = COLUMNS.index(col)
            assert row[k] >= previous[k]
    return row


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), replicate=st.integers(0, 50), which=st.sampled_from(["2023", "2025"]))
def test_invariants_hold_every_day(s2023, s2025, seed, replicate, which):
    scenario = s2023 if which == "2023" else s2025.with_run(end=dt.date(2025, 8, 15))
    m = build_model(scenario, seed, replicate)
    previous = None
    for _ in range(m.days):
        m.step()
        previous = _check_invariants(m, previous)


def test_a_faction_in_a_ceasefire_loses_no_township_to_an_assault(s2025):
    m = build_model(s2025.with_run(end=dt.date(2025, 9, 30)), 5, 0)
    mndaa = m.by_index[FACTIONS.index("MNDAA")]
    assert mndaa.ceasefire  # the Kunming ceasefire, in force at the start
    days_in_ceasefire = 0
    for _ in range(m.days):
        in_ceasefire = mndaa.ceasefire
        m.step()
        days_in_ceasefire += in_ceasefire
        today = [c for c in m.recorder.changes if c[0] == m.day - 1 and c[2] == mndaa.index]
        if in_ceasefire and mndaa.ceasefire:
            assert not [c for c in today if c[4] == "assault"]  # the junta honours it
    assert days_in_ceasefire > 0


def test_factions_assault_only_in_their_operating_states(s2023):
    m = build_model(s2023, 2, 1)
    for _ in range(m.days):
        m.step()
        f = m.forces
        attacking = f.view("alive") & (SIDE[f.view("faction")] == 1) & (f.view("mode") == 1)
        assert m.operating[f.view("faction")[attacking], f.view("node")[attacking]].all()


@pytest.mark.parametrize("label", ["2023", "2025"])
def test_record_matches_state(s2023, s2025, label):
    scenario = s2023 if label == "2023" else s2025
    m = build_model(scenario.with_run(end=scenario.start + dt.timedelta(days=9)), 3, 0)
    m.run()
    last = dict(zip(COLUMNS, m.recorder.values[-1], strict=True))
    assert last["townships_junta"] == (m.holder == 0).sum()
    assert last["townships_resistance"] == (SIDE[m.holder] == 1).sum()
    assert 0 <= last["junta_full_control_share"] <= last["junta_area_share"] <= 1
    assert last["junta_strength"] == pytest.approx(m.people()[0])


def test_presence_resting_on_no_report_is_drawn_per_replicate(s2023, geo):
    """Armed groups the start places on a general basis are there with chance inferred_presence;
    those a report places are always there."""
    from sim.model.deployment import armed_presence

    label = s2023.data["run"]["initial_control"]
    inferred = geo.presence_inferred[label]
    assert inferred.sum() >= 10  # the start marks its inferred presence
    p = s2023.sample(np.random.default_rng(0))
    kept = np.array(
        [[len(x) > 0 for x in armed_presence(geo, p, np.random.default_rng(s))] for s in range(200)]
    )
    reported = np.array([len(x) > 0 for x in geo.presence[label]]) & ~inferred
    assert kept[:, reported].all()
    share = kept[:, inferred].mean()
    assert abs(share - p.model.inferred_presence) < 0.05
    none = dataclasses.replace(p, model=dataclasses.replace(p.model, inferred_presence=0.0))
    assert not any(armed_presence(geo, none, np.random.default_rng(1))[i] for i in np.flatnonzero(inferred))


def test_air_strikes_kill_civilians_where_people_remain(s2023):
    m = build_model(s2023, 3, 0)
    rate = m.p.model.air_civilians
    a, b = 10, 20
    m.residents[b] = m.geo.population[b] / 2  # half of b's people have fled
    before = m.residents.copy()
    air = np.zeros(m.geo.n)
    air[a], air[b] = 2, 4
    m._air_deaths(air)
    assert m.civilians_killed == pytest.approx(rate * 2 + rate * 4 * 0.5)
    assert before[a] - m.residents[a] == pytest.approx(rate * 2)
    assert (m.residents[air == 0] == before[air == 0]).all()
