"""The UWSA's deliveries travel by road from Wa territory, through towns the junta does not hold."""

from __future__ import annotations

from sim.run.replicate import build_model
from sim.world.factions import faction_index


def test_uwsa_deliveries_reach_only_towns_linked_to_wa_territory(s2023, geo):
    m = build_model(s2023, 1, 0)
    reach = m.routes.uwsa_reach()
    assert reach[geo.find("Pangsang")] and reach[geo.find("Mong Pawk")]
    assert not reach[geo.find("Sittwe")]  # across junta-held country
    assert not reach[m.holder == 0].any()  # never through a junta-held town
    m.holder[:] = 0  # everything junta-held but Wa territory: nothing beyond it is reached
    m.holder[[geo.find(t) for t in ("Pangsang", "Mongmao", "Mong Pawk")]] = faction_index("UWSA")
    m.holder_version += 1
    assert m.routes.uwsa_reach().sum() == 3
