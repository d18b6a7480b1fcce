"""Factions and sides: the model indexes SIDE by faction number, so the two must line up."""

import numpy as np

from sim.world.factions import (
    FACTIONS,
    JUNTA,
    JUNTA_SIDE,
    NEUTRAL,
    NEUTRAL_SIDE,
    RESISTANCE,
    RESISTANCE_SIDE,
    SIDE,
    SIDES,
    faction_index,
    side_name,
)


def test_one_side_per_faction_and_codes_unique():
    assert SIDE.shape == (len(FACTIONS),)
    assert len(set(FACTIONS)) == len(FACTIONS)
    assert set(SIDE.tolist()) == {0, 1, 2}


def test_junta_is_faction_0_and_side_0():
    """Holder 0 means the junta everywhere in the model (townships_junta counts holder == 0)."""
    assert FACTIONS[0] == JUNTA == "JUNTA"
    assert faction_index(JUNTA) == 0
    assert SIDE[0] == JUNTA_SIDE == 0


def test_every_resistance_faction_is_side_1_and_neutrals_side_2():
    assert [SIDE[faction_index(code)] for code in RESISTANCE] == [RESISTANCE_SIDE] * len(RESISTANCE)
    assert RESISTANCE_SIDE == 1
    assert [SIDE[faction_index(code)] for code in NEUTRAL] == [NEUTRAL_SIDE] * len(NEUTRAL)
    assert np.count_nonzero(SIDE == 1) == len(RESISTANCE)
    assert {"MNDAA", "TNLA", "AA", "KIA", "PDF"} <= set(RESISTANCE)
    assert "UWSA" in NEUTRAL


def test_side_name():
    assert SIDES == ("junta", "resistance", "neutral")
    assert side_name("JUNTA") == "junta"
    assert side_name("AA") == "resistance"
    assert side_name("MNDAA") == "resistance"
    assert side_name("UWSA") == "neutral"
    assert [side_name(code) for code in FACTIONS] == [SIDES[s] for s in SIDE]
