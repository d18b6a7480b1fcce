"""Dated events, applied to the model on their date: what was exogenous (laws, capabilities,
an election, negotiated handovers) and overrides of decisions the agents' rules make
(China's stance and embargo, the UWSA's supply, a faction's ceasefire), which fix that
decision from their date. Nothing here decides a battle."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.units import HOLD, MOBILE
from sim.scenario.fields import replace_path
from sim.scenario.schema import Event
from sim.world.factions import SIDE, faction_index

if TYPE_CHECKING:
    from sim.model.model import ConflictModel


def apply_event(m: ConflictModel, ev: Event) -> None:
    """Dated political events: ceasefires, handovers, elections, postures, China and the UWSA."""
    kind = ev.kind
    faction = m.by_index[faction_index(ev.faction)] if ev.faction else None
    if kind in ("ceasefire", "ceasefire_end"):  # the faction's own decision, overridden from today
        faction.ceasefire_fixed = True
    if kind == "ceasefire":
        faction.ceasefire = True
        faction.update_posture()
        for name in ev.hand_over or []:
            if m.holder[m.geo.find(name)] == faction.index:  # one hands over only what one holds
                hand_over(m, m.geo.find(name), 0, "ceasefire")
    elif kind == "ceasefire_end":
        faction.ceasefire = False
        faction.update_posture()
    elif kind == "handover":
        for name in ev.towns:
            if m.holder[m.geo.find(name)] == faction.index:  # one hands over only what one holds
                hand_over(m, m.geo.find(name), faction_index(ev.to), "handover")
    elif kind in ("offensive", "defensive"):  # a forced counterfactual override of its strategy
        faction.chosen_posture = kind
        faction.update_posture()
    elif kind == "embargo":  # China's decision, overridden from today (model/china.py)
        m.china.embargo = ev.active
        m.china.fix("embargo")
    elif kind == "uwsa_supply":
        m.uwsa.supplying = ev.active
        m.uwsa.fixed = True
    elif kind == "china_stance":
        m.china.stance = ev.stance
        m.china.fix("stance")
    elif kind == "election":  # announced polls: a deadline for the junta command (ODD 7.5)
        m.junta.polling = ev.polling
    elif kind == "change":  # a new capability, law or level of outside support
        m.p = replace_path(m.p, ev.parameter, ev.value)


def hand_over(m: ConflictModel, node: int, to: int, cause: str) -> None:
    """A negotiated handover: the other side's units leave, the receiver garrisons it."""
    f = m.forces
    here = np.flatnonzero(f.view("alive") & (f.view("node") == node) & (SIDE[f.view("faction")] != SIDE[to]))
    friendly = np.flatnonzero(SIDE[m.holder[m.geo.neighbours[node]]] == SIDE[m.holder[node]])
    if len(here):
        nbrs = m.geo.neighbours[node]
        dest = nbrs[friendly[0]] if len(friendly) else nbrs[0]
        m.move_units(here, np.full(len(here), dest))
        f.mode[here] = HOLD
    m.set_holder(node, to, cause)
    if to == 0:
        mobile = np.flatnonzero(f.view("alive") & (f.view("kind") == MOBILE))
        if len(mobile):
            m.detach_garrison(node, mobile[np.argmax(f.strength[mobile])])
