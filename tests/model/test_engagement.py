"""The day's engagements in one compiled pass give what the rules give called one by one, with
numpy drawing the random numbers: fusing them changed no replicate."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.model import air, combat
from sim.model.engagement import engage
from sim.model.strength import powers
from sim.model.units import ATTACK, GARRISON, GUERRILLA, HOLD, MOBILE, REBEL
from sim.world.factions import FACTIONS, faction_index
from tests.model.test_kernels import situation

AA, KIA = faction_index("AA"), faction_index("KIA")


@pytest.fixture(scope="module")
def params(s2025):
    p = s2025.sample(np.random.default_rng(0))
    return dataclasses.replace(
        p,
        junta=dataclasses.replace(p.junta, air_strikes_per_day=20.0, air_doctrine="preemptive"),
        model=dataclasses.replace(p.model, outpost_fall_rate=0.3),  # some fall on most days
    )


@pytest.mark.parametrize("seed", range(5))
def test_one_pass_is_the_rules_one_by_one(geo, params, seed):
    units = [
        (0, 0, 400, 0.6, 0.9, GARRISON, HOLD),  # a besieged town, with its outposts
        (AA, 0, 900, 0.5, 1.0, REBEL, ATTACK),
        (KIA, 0, 300, 0.5, 0.8, REBEL, ATTACK),
        (0, 1, 2000, 0.6, 1.0, MOBILE, ATTACK),  # the junta clears a town the resistance holds
        (AA, 1, 200, 0.5, 1.0, REBEL, HOLD),
        (0, 2, 500, 0.6, 1.0, GARRISON, HOLD),  # guerrillas in the countryside
        (KIA, 2, 50, 0.5, 1.0, REBEL, GUERRILLA),
    ]
    holder = np.zeros(geo.n, dtype=np.int64)
    holder[1] = AA
    s = situation(geo, params, units, holder=holder, outposts=np.full(geo.n, 12.0))
    P = powers(s)
    fight, toll, lost = engage(s, P, fused := np.random.default_rng(seed))

    rng = np.random.default_rng(seed)
    strikes = air.air_strikes(s, P, fight.assault, rng) * (P.R_raw > 0)
    pj, pr = combat.fighting_power(s, P, strikes)
    rate_j, rate_r = combat.loss_rates(s, P, fight.intensity, pj, pr, strikes)
    cas_j, cas_r = np.minimum(rng.poisson(rate_j), P.J_raw), np.minimum(rng.poisson(rate_r), P.R_raw)
    np.testing.assert_array_equal(fight.assault[:3], [True, True, False])
    np.testing.assert_array_equal(fight.air, strikes)
    np.testing.assert_array_equal(fight.pj, pj)
    np.testing.assert_array_equal(fight.pr, pr)
    np.testing.assert_array_equal(fight.cas_j, cas_j)
    np.testing.assert_array_equal(fight.cas_r, cas_r)
    loss = combat.unit_losses(s, P.junta, cas_j, P.J_raw) + combat.unit_losses(s, P.rebel, cas_r, P.R_raw)
    np.testing.assert_array_equal(toll.loss, loss)
    assert toll.killed.tolist() == [cas_j.sum(), cas_r.sum()]

    fall = min(1.0, 2 * params.model.outpost_fall_rate * pr[0] / (pr[0] + pj[0]))
    assert lost.towns.tolist() == [0] and lost.taken_by.tolist() == [AA]
    assert lost.lost.tolist() == [rng.binomial(12, fall)]
    assert fused.bit_generator.state == rng.bit_generator.state
    assert len(toll.ammo) == len(FACTIONS)
