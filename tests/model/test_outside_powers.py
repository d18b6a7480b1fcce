"""Route fields: the UWSA's deliveries travel by road from Wa territory, through towns the junta
does not hold; resistance factions march through friendly towns to the junta towns they fight for."""

from __future__ import annotations

import numpy as np

from sim.run.replicate import build_model
from sim.world.factions import SIDE, faction_index


def test_uwsa_deliveries_reach_only_towns_linked_to_wa_territory(s2023, geo):
    m = build_model(s2023, 1, 0)
    reach = m.routes.uwsa_reach()
    assert reach[geo.find("Pangsang")] and reach[geo.find("Mongmao")]
    assert not reach[geo.find("Sittwe")]  # across junta-held country
    assert not reach[m.holder == 0].any()  # never through a junta-held town
    m.holder[:] = 0  # everything junta-held but Wa territory: nothing beyond it is reached
    m.holder[[geo.find(t) for t in ("Pangsang", "Mongmao", "Narphan")]] = faction_index("UWSA")
    m.holder_version += 1
    assert m.routes.uwsa_reach().sum() == 3


def test_each_resistance_faction_finds_its_way_to_the_junta_towns_it_fights_for(s2023, geo):
    m = build_model(s2023, 1, 0)
    dist, nexthop = m.routes.front_fields()
    assert (dist[m.cease] == -1).all()  # the AA's truce, in force at the start: no front
    for f in np.flatnonzero((SIDE == 1) & ~m.cease):
        area = m.operating[f]
        assert ((dist[f] == 0) == ((m.holder == 0) & area)).all()  # its targets, and nothing else
        for town in np.flatnonzero(dist[f] > 0):  # through friendly towns it fights in, a road at a time
            assert area[town] and SIDE[m.holder[town]] != 0
            assert nexthop[f, town] in geo.neighbours[town] and dist[f, nexthop[f, town]] == dist[f, town] - 1
    assert (dist[SIDE != 1] == -1).all()
    f = faction_index("MNDAA")
    assert (dist[f] == 0).any()
    m.cease[f] = True  # in a ceasefire: no front to go to
    assert (m.routes.front_fields()[0][f] == -1).all()
    assert (m.routes.front_fields()[0][faction_index("KIA")] == dist[faction_index("KIA")]).all()
