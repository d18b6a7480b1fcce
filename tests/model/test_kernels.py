"""Pure decision and combat kernels on small hand-built situations, with hand-computed answers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model import air, combat, outcomes, tactics
from sim.model.deployment import town_values
from sim.model.orders import Orders, edges, fall_back_moves, groups
from sim.model.situation import JuntaPlan, Situation, Units, frozen
from sim.model.strength import defence, junta_effective, junta_multiplier, powers
from sim.model.units import ATTACK, GARRISON, GUERRILLA, HOLD, MOBILE, REBEL
from sim.world.factions import FACTIONS, faction_index

AA = faction_index("AA")
KIA = faction_index("KIA")


@pytest.fixture(scope="module")
def params(s2025):
    return s2025.sample(np.random.default_rng(0))


def situation(geo, params, units: list[tuple], holder=None, **overrides) -> Situation:
    """A situation on the real map with the given units (faction, node, strength, quality,
    morale, kind, mode); every town junta-held unless `holder` says otherwise. Its arrays are
    read-only, as the model's are, so the kernels run as compiled for the model (a writeable
    array is another type to numba, and would compile every kernel again)."""
    n = geo.n
    holder = np.zeros(n, dtype=np.int64) if holder is None else holder
    cols = list(zip(*units, strict=True)) if units else [()] * 7
    k = len(units)
    unit_arrays = Units(
        faction=frozen(np.array(cols[0], dtype=np.int64)),
        node=frozen(np.array(cols[1], dtype=np.int64)),
        strength=frozen(np.array(cols[2], dtype=float)),
        quality=frozen(np.array(cols[3], dtype=float)),
        morale=frozen(np.array(cols[4], dtype=float)),
        kind=frozen(np.array(cols[5], dtype=np.int8)),
        mode=frozen(np.array(cols[6], dtype=np.int8)),
        busy=frozen(np.zeros(k, dtype=np.int64)),
        rest=frozen(np.zeros(k, dtype=np.int64)),
        alive=frozen(np.ones(k, dtype=bool)),
    )
    base = dict(
        geo=geo,
        p=params,
        day=10,
        monsoon=False,
        holder=frozen(holder),
        outposts=np.ones(n),
        outposts_base=np.ones(n),
        terrain=np.ones(n),
        coast=np.zeros(n, dtype=bool),
        engaged_days=np.zeros(n, dtype=np.int64),
        captured_day=np.full(n, -10_000),
        operating=np.ones((len(FACTIONS), n), dtype=bool),
        value=np.ones(n),
        value_junta=np.ones(n),
        cease=np.zeros(len(FACTIONS), dtype=bool),
        offensive=np.zeros((len(FACTIONS), n), dtype=bool),
        supply=np.ones(len(FACTIONS)),
        junta_attacking=np.zeros(n, dtype=bool),
        junta_capacity=np.ones(n),
        china_support=0.0,
        supplied=np.ones(n, dtype=bool),
        plan=JuntaPlan(np.zeros(n, dtype=bool), np.full(n, -1), np.full(n, -1)),
        units=unit_arrays,
        front_fields=lambda: (
            frozen(np.full((len(FACTIONS), n), -1)),
            frozen(np.full((len(FACTIONS), n), -1)),
        ),
    )
    fields = {**base, **overrides}
    return Situation(**{k: frozen(v) if isinstance(v, np.ndarray) else v for k, v in fields.items()})


def test_presence_counts_who_fights_where(geo, params):
    """Junta fighters all count; a resistance unit lying low (HOLD) in a junta town does not."""
    s = situation(
        geo,
        params,
        [
            (0, 0, 100, 0.5, 1.0, GARRISON, HOLD),
            (0, 0, 50, 0.5, 1.0, MOBILE, ATTACK),
            (AA, 0, 30, 0.5, 1.0, REBEL, GUERRILLA),
            (AA, 1, 40, 0.5, 1.0, REBEL, HOLD),
        ],
    )
    P = powers(s)
    assert P.J_raw[0] == 150 and P.J_attack[0] == 50
    assert P.Rf_raw[AA, 0] == 30 and P.R_raw[0] == 30
    assert P.R_raw[1] == 0  # lying low in a junta town


def test_defence_of_a_fortified_hill_town(geo, params):
    """Junta defence = terrain x (1 + (fortification - 1) x sqrt(outposts left / outposts))."""
    n = geo.n
    outposts = np.full(n, 4.0)
    outposts[3] = 1.0  # a quarter left: sqrt = 0.5
    s = situation(geo, params, [], terrain=np.full(n, 1.5), outposts=outposts, outposts_base=np.full(n, 4.0))
    d_junta, d_rebel = defence(s)
    fort = params.model.fortification
    assert d_junta[0] == pytest.approx(1.5 * fort)
    assert d_junta[3] == pytest.approx(1.5 * (1 + (fort - 1) * 0.5))
    assert d_rebel[0] == pytest.approx(1.5 * params.model.field_fortification)


def test_junta_unit_cut_from_supply_is_weaker(geo, params):
    supplied = np.ones(geo.n, dtype=bool)
    supplied[1] = False
    s = situation(
        geo,
        params,
        [(0, 0, 100, 0.5, 1.0, MOBILE, HOLD), (0, 1, 100, 0.5, 0.0, MOBILE, HOLD)],
        supplied=supplied,
    )
    mp = params.model
    mult = junta_multiplier(s)
    eff = junta_effective(s)
    assert eff[0] == pytest.approx(100 * 0.5 * 1.0 * mult)
    assert eff[1] == pytest.approx(100 * 0.5 * mp.morale_floor * mult * mp.unsupplied_effect)
    assert junta_effective(s, np.array([1]))[0] == pytest.approx(eff[1])


def test_losses_are_shared_in_proportion_to_strength(geo, params):
    """A town that loses 30 of 150 fighters takes 20 % from each unit there."""
    s = situation(geo, params, [(0, 0, 100, 0.5, 1.0, GARRISON, HOLD), (0, 0, 50, 0.5, 1.0, MOBILE, HOLD)])
    loss = combat.unit_losses(
        s, np.array([True, True]), np.r_[30.0, np.zeros(geo.n - 1)], np.full(geo.n, 150.0)
    )
    assert loss == pytest.approx([20.0, 10.0])


def test_town_falls_to_the_strongest_faction_when_its_garrison_is_gone(geo, params):
    holder = np.zeros(geo.n, dtype=np.int64)
    holder[5] = KIA
    s = situation(
        geo,
        params,
        [
            (AA, 0, 300, 0.5, 1.0, REBEL, ATTACK),
            (KIA, 0, 100, 0.5, 1.0, REBEL, ATTACK),
            (0, 5, 200, 0.5, 1.0, MOBILE, ATTACK),
        ],
        holder=holder,
    )
    c = outcomes.captures(s)
    assert c.by_resistance == [(0, AA)]
    assert c.by_junta == [5]
    assert c.taken[0] and c.taken[5] and c.taken.sum() == 2


def test_no_air_strikes_without_aircraft(geo, params):
    p = dataclasses.replace(params, junta=dataclasses.replace(params.junta, air_strikes_per_day=0.0))
    s = situation(geo, p, [(0, 0, 100, 0.5, 1.0, GARRISON, HOLD), (AA, 0, 100, 0.5, 1.0, REBEL, ATTACK)])
    assault = np.zeros(geo.n, dtype=bool)
    assault[0] = True
    strikes = air.air_strikes(s, powers(s), assault, np.random.default_rng(1))
    assert strikes.sum() == 0


def test_preemptive_air_strikes_go_where_the_fighting_is(geo, params):
    p = dataclasses.replace(
        params, junta=dataclasses.replace(params.junta, air_strikes_per_day=20.0, air_doctrine="preemptive")
    )
    s = situation(geo, p, [(0, 0, 100, 0.5, 1.0, GARRISON, HOLD), (AA, 0, 100, 0.5, 1.0, REBEL, ATTACK)])
    assault = np.zeros(geo.n, dtype=bool)
    assault[0] = True
    strikes = air.air_strikes(s, powers(s), assault, np.random.default_rng(1))
    assert strikes.sum() > 0 and strikes[0] == strikes.sum()


def test_displacement_rate_of_an_assault(geo, params):
    """An assault on a town drives out `displacement_assault` a day, guerrilla contact less."""
    mp = params.model
    s = situation(geo, params, [(0, 0, 100, 0.5, 1.0, GARRISON, HOLD), (AA, 0, 100, 0.5, 1.0, REBEL, ATTACK)])
    town = np.arange(geo.n)
    f = combat.Fight(
        engaged=town < 2,
        assault=town == 0,
        intensity=np.zeros(geo.n),
        air=np.zeros(geo.n),
        pj=np.zeros(geo.n),
        pr=np.zeros(geo.n),
        cas_j=np.zeros(geo.n),
        cas_r=np.zeros(geo.n),
    )
    rate = outcomes.displacement(s, powers(s), f)
    assert rate[0] == pytest.approx(mp.displacement_assault)
    assert rate[1] == pytest.approx(mp.displacement_harassment)
    assert rate[2] == 0.0


def test_fall_back_moves_to_the_first_safe_neighbour(geo, params):
    town = next(i for i in range(geo.n) if len(geo.neighbours[i]) >= 2)
    safe_town = geo.neighbours[town][1]
    unit = (AA, town, 100, 0.5, 1.0, REBEL, ATTACK)
    s = situation(geo, params, [unit, unit])
    orders = Orders(s)
    indptr, nbr, _ = geo.csr
    safe = np.arange(geo.n) == safe_town
    go, dest, stuck = fall_back_moves(indptr, nbr, orders.node, orders.mode, np.array([0]), safe)
    assert go.tolist() == [0] and dest.tolist() == [safe_town] and len(stuck) == 0
    assert orders.node.tolist() == [safe_town, town] and orders.mode.tolist() == [HOLD, ATTACK]
    assert s.units.node[0] == town  # the situation itself is untouched
    _, _, stuck = fall_back_moves(indptr, nbr, orders.node, orders.mode, np.array([1]), np.zeros(geo.n, bool))
    assert stuck.tolist() == [1] and orders.node[1] == town  # nowhere safe: it stays


def test_broken_defenders_with_no_friendly_way_out_slip_away_as_guerrillas(geo, params):
    """Broken defenders under a junta assault go to a friendly neighbour out of the assault;
    with none, into the countryside of the first quiet neighbour, instead of dying in place."""
    town = next(i for i in range(geo.n) if len(geo.neighbours[i]) >= 3)
    first, second, third = geo.neighbours[town][:3]
    holder = np.zeros(geo.n, dtype=np.int64)
    holder[town] = AA
    units = [
        (AA, town, 100, 0.5, 0.0, REBEL, HOLD),  # broken
        (0, town, 1000, 0.5, 1.0, MOBILE, ATTACK),
        (0, first, 1000, 0.5, 1.0, MOBILE, ATTACK),  # the first road leads into another assault
    ]
    s = situation(geo, params, units, holder)
    orders = tactics.resistance_orders(s, powers(s), np.random.default_rng(0))
    assert orders.node[0] == second and orders.mode[0] == GUERRILLA  # junta-held: guerrillas
    holder[third] = KIA  # an allied town out of the assault comes first
    s = situation(geo, params, units, holder)
    orders = tactics.resistance_orders(s, powers(s), np.random.default_rng(0))
    assert orders.node[0] == third and orders.mode[0] == HOLD


def test_kernels_cannot_write_into_the_situation(geo, params):
    s = situation(geo, params, [(0, 0, 100, 0.5, 1.0, GARRISON, HOLD)])
    with pytest.raises(ValueError):
        s.holder[0] = 3


def test_town_value_of_a_border_crossing(geo, params):
    """Worth = (1 + ln(1 + population / scale)) x (1 + weights of the town's features)."""
    tv = params.model.town_value
    resistance, junta = town_values(geo, tv)
    i = int(np.flatnonzero(geo.crossing & ~geo.corridor & ~geo.mine & ~geo.capital & ~geo.hq)[0])
    base = 1 + np.log1p(geo.population[i] / tv.population_scale)
    assert resistance[i] == pytest.approx(base * (1 + tv.resistance.crossing))
    assert junta[i] == pytest.approx(base * (1 + tv.junta.crossing))
    during, polling = town_values(geo, tv, election=True)
    assert polling[i] == pytest.approx(base * (1 + tv.junta.crossing + tv.junta.election))
    assert np.array_equal(during, resistance)  # the election is the junta's deadline only


def test_guerrillas_spread_thin_are_hard_to_find_but_an_assault_is_aimed_fire(geo, params):
    """Deitchman: in a sweep of the countryside the junta's fire finds guerrillas in proportion
    to their density; in an assault on a town losses follow the square law in full."""
    mp = params.model
    town = int(np.argmax(geo.area))
    thin = 0.1 * geo.area[town] * mp.guerrilla_density  # a tenth of the density area fire needs
    units = [(0, town, 1000, 0.5, 1.0, MOBILE, ATTACK), (AA, town, thin, 0.5, 1.0, REBEL, GUERRILLA)]
    s = situation(geo, params, units)
    P = powers(s)
    one = np.ones(geo.n)
    pj, pr = np.full(geo.n, 100.0), np.full(geo.n, 50.0)
    none = np.zeros(geo.n)
    rate_j, rate_r = combat.loss_rates(s, P, one, pj, pr, none)
    assert rate_r[town] == pytest.approx(mp.lethality * 100 * 0.1)  # a sweep: one tenth found
    assert rate_j[town] == pytest.approx(mp.lethality * 50)  # guerrillas' aimed fire
    assaulted = situation(geo, params, [units[0], (AA, town, thin, 0.5, 1.0, REBEL, ATTACK)])
    rate_j, rate_r = combat.loss_rates(assaulted, powers(assaulted), one, pj, pr, none)
    assert rate_r[town] == pytest.approx(mp.lethality * 100)  # assaulting the town: square law


def test_air_support_is_bounded(geo, params):
    """Air support adds at most air_effect, 63 % of it at air_saturation strikes."""
    mp = params.model
    s = situation(geo, params, [(0, 0, 100, 0.5, 1.0, GARRISON, HOLD), (AA, 0, 100, 0.5, 1.0, REBEL, ATTACK)])
    P = powers(s)
    air = np.zeros(geo.n)
    base, _ = combat.fighting_power(s, P, air)
    air[0] = mp.air_saturation
    some, _ = combat.fighting_power(s, P, air)
    air[0] = 1000
    lots, _ = combat.fighting_power(s, P, air)
    assert some[0] / base[0] == pytest.approx(1 + mp.air_effect * (1 - np.exp(-1)))
    assert lots[0] / base[0] == pytest.approx(1 + mp.air_effect)


def test_the_monsoon_grounds_aircraft(geo, params):
    p = dataclasses.replace(params, junta=dataclasses.replace(params.junta, air_strikes_per_day=50.0))
    units = [(0, 0, 100, 0.5, 1.0, GARRISON, HOLD), (AA, 0, 100, 0.5, 1.0, REBEL, ATTACK)]
    assault = np.zeros(geo.n, dtype=bool)
    assault[0] = True
    totals = []
    for monsoon in (False, True):
        s = situation(geo, p, units, monsoon=monsoon)
        P = powers(s)
        totals.append(sum(air.air_strikes(s, P, assault, np.random.default_rng(i)).sum() for i in range(40)))
    dry, wet = totals
    share = params.model.season.air
    assert wet / dry == pytest.approx(share, rel=0.15)


def test_groups_by_key_with_first_member_and_counts():
    found, first, group_of, count = groups(np.array([5, 2, 5, 7, 2, 5]), 10)
    assert found.tolist() == [2, 5, 7]  # in key order
    assert first.tolist() == [1, 0, 3]  # position of each group's first member
    assert group_of.tolist() == [1, 0, 1, 2, 0, 1]
    assert count.tolist() == [2, 3, 1]


def test_edges_list_each_towns_roads_in_map_order(geo):
    indptr, nbr, _ = geo.csr
    towns = np.array([3, 0])
    owner, v = edges(indptr, nbr, towns)
    assert v.tolist() == geo.neighbours[3] + geo.neighbours[0]
    assert owner.tolist() == [0] * len(geo.neighbours[3]) + [1] * len(geo.neighbours[0])


def test_danger_counts_junta_power_next_door_and_assaulting(geo, params):
    """A resistance town with 200 junta fighters in a neighbouring junta town and 100
    assaulting it faces their effective strength over its own defended strength + 1."""
    town = next(i for i in range(geo.n) if len(geo.neighbours[i]) >= 2)
    near = geo.neighbours[town][0]
    holder = np.zeros(geo.n, dtype=np.int64)
    holder[town] = AA
    units = [
        (0, near, 200, 0.5, 1.0, MOBILE, HOLD),
        (0, town, 100, 0.5, 1.0, MOBILE, ATTACK),
        (AA, town, 50, 0.5, 1.0, REBEL, HOLD),
    ]
    s = situation(geo, params, units, holder=holder)
    P = powers(s)
    expected = (P.J[near] + P.J[town]) / (P.R[town] * P.d_rebel[town] + 1.0)
    assert tactics.danger(s, P)[town] == pytest.approx(expected)
    assert P.J[near] > 0 and P.J[town] > 0


def test_guerrillas_lie_low_in_a_truce_and_fight_again_when_it_ends(geo, params):
    """In a ceasefire a faction's units in junta towns lie low (HOLD, out of the fighting);
    once it ends they are guerrillas again, free to assault (the AA's truce, Nov 2023)."""
    units = [(AA, 0, 100, 0.5, 1.0, REBEL, GUERRILLA)]
    cease = np.zeros(len(FACTIONS), dtype=bool)
    cease[AA] = True
    s = situation(geo, params, units, cease=cease)
    orders = tactics.resistance_orders(s, powers(s), np.random.default_rng(0))
    assert orders.mode[0] == HOLD
    s = situation(geo, params, [(*units[0][:6], HOLD)])  # the truce is over
    orders = tactics.resistance_orders(s, powers(s), np.random.default_rng(0))
    assert orders.mode[0] == GUERRILLA
