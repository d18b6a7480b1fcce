"""The day's march and fight in one compiled call each are what the decision and combat
kernels decide, carried out as the model once did it step by step: fusing them changed no
replicate."""

from __future__ import annotations

import copy
import datetime as dt

import numpy as np

from sim.model import model as model_module
from sim.model import tactics
from sim.model.battle import battle
from sim.model.engagement import engage
from sim.model.march import march
from sim.model.strength import powers
from sim.run.replicate import build_model


def carried_out(s, pace, rng):
    """Both sides' orders from their Python entry points, carried out as the model once did:
    the resistance's moves in order, then the junta's, then each side's changed modes."""
    P = powers(s)
    orders = [tactics.resistance_orders(s, P, rng), tactics.junta_orders(s, P, rng)]
    node, busy, mode = s.units.node.copy(), s.units.busy.copy(), s.units.mode.copy()
    moves = []
    for o in orders:
        for idx, dest in o.moves:
            busy[idx] = s.geo.march_days(node[idx], dest, pace)
            node[idx] = dest
            moves += zip(idx.tolist(), dest.tolist(), strict=True)
    for o in orders:
        np.copyto(mode, o.mode, where=o.mode != s.units.mode)
    return node, busy, mode, moves


def test_the_compiled_march_carries_out_both_sides_orders_in_order(s2025, monkeypatch):
    days = moved = 0

    def checked(s, node, busy, mode, pace, rng):
        nonlocal days, moved
        want_node, want_busy, want_mode, want_moves = carried_out(s, pace, copy.deepcopy(rng))
        got = march(s, node, busy, mode, pace, rng)  # into the model's own columns
        np.testing.assert_array_equal(node, want_node)
        np.testing.assert_array_equal(busy, want_busy)
        np.testing.assert_array_equal(mode, want_mode)
        assert list(zip(*got.tolist(), strict=True)) == want_moves
        days += 1
        moved += len(want_moves)
        return got

    monkeypatch.setattr(model_module, "march", checked)
    m = build_model(s2025.with_run(end=s2025.start + dt.timedelta(days=59)), 1, 2)  # one with outposts lost
    m.run()
    assert days == 60 and moved > 100  # the comparison saw real marches


def test_the_compiled_fight_writes_the_engagements_toll(s2025, monkeypatch):
    """`battle` is `engage` on `powers`, with its losses, the living's morale and the outposts
    lost written into the model, as the model once applied them."""
    days = fought = 0

    def checked(s, strength, morale, outposts, rng):
        nonlocal days, fought
        P = powers(s)
        fight, toll, lost = engage(s, P, copy.deepcopy(rng))
        want_strength, want_morale, want_outposts = strength - toll.loss, morale.copy(), outposts.copy()
        want_morale[s.units.alive] = toll.morale[s.units.alive]
        want_outposts[lost.towns] -= lost.lost
        got = battle(s, strength, morale, outposts, rng)  # into the model's own arrays
        np.testing.assert_array_equal(strength, want_strength)
        np.testing.assert_array_equal(morale, want_morale)
        np.testing.assert_array_equal(outposts, want_outposts)
        for a, b in [(got.powers, P), (got.fight, fight), (got.outposts, lost)]:
            for x, y in zip(a, b, strict=True):
                np.testing.assert_array_equal(x, y)
        for x, y in [(got.broken, toll.broken), (got.killed, toll.killed), (got.ammo, toll.ammo)]:
            np.testing.assert_array_equal(x, y)
        days += 1
        fought += int(fight.assault.sum())
        return got

    monkeypatch.setattr(model_module, "battle", checked)
    m = build_model(s2025.with_run(end=s2025.start + dt.timedelta(days=59)), 1, 2)  # one with outposts lost
    m.run()
    assert days == 60 and fought > 20 and m.outposts_lost > 0  # real fighting, outposts fell
