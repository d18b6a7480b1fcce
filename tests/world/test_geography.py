import re

import networkx as nx
import numpy as np
import pytest

from sim.world.factions import FACTIONS
from sim.world.geography import CENSUS_2014, LAND_AREA_KM2

BRIEF_PLACES = [
    "Laukkaing",
    "Lashio",
    "Loikaw",
    "Myawaddy",
    "Sittwe",
    "Kyaukphyu",
    "Manaung",
    "Paletwa",
    "Mogok",
    "Mongmit",
    "Muse",
    "Mandalay",
    "Naypyidaw",
    "Yangon",
    "Myitkyina",
]
FRONT_STATES = ["Shan", "Rakhine", "Chin", "Kachin", "Kayah", "Kayin", "Sagaing", "Magway"]


def test_map_is_myanmars_330_townships(geo):
    assert geo.n == 330 and len(set(geo.ids)) == 330
    assert all(re.fullmatch(r"MMR\d{6}", pc) for pc in geo.ids)
    assert abs(geo.area.sum() / LAND_AREA_KM2 - 1) < 0.02
    assert geo.population.sum() == CENSUS_2014  # every person of the census, Seikkan's included
    assert set(FRONT_STATES) <= set(geo.states)
    assert len(geo.states) == 15


def test_places_named_in_the_brief_are_on_the_map(geo):
    missing = [p for p in BRIEF_PLACES if geo.find(p) is None]
    assert not missing
    assert geo.find("Momeik") == geo.find("Mongmit")  # aliases resolve
    assert geo.find("MMR015001") == geo.find("Lashio")  # and P-codes
    # a town that is no township's seat is not a township, but the message says where it is
    assert geo.find("Chinshwehaw") is None
    assert geo.suggest("Chinshwehaw") == [
        "Laukkaing (Chinshwehaw is a town in Laukkaing township, not its seat)"
    ]


def test_links_connect_every_township(geo):
    g = geo.graph()
    assert nx.is_connected(g)
    assert (geo.edge_km > 0).all()
    assert set(geo.edge_kind) == {"road", "river", "sea", "track"}
    # the islands without a land neighbour are reached by bridge or boat
    for island, shore in (("Chaungzon", "Mawlamyine"), ("Munaung", "Kyaukpyu")):
        assert geo.find(shore) in geo.neighbours[geo.find(island)]


def test_initial_control_for_both_dates(geo):
    for label in ("2023", "2025"):
        assert set(geo.control[label]) <= set(FACTIONS)
    junta_2023 = (geo.control["2023"] == "JUNTA").mean()
    junta_2025 = (geo.control["2025"] == "JUNTA").mean()
    assert junta_2023 > junta_2025  # the junta had lost ground by mid-2025
    lost = geo.china_gates * ((geo.control["2023"] == "JUNTA") & (geo.control["2025"] != "JUNTA"))
    assert lost.sum() >= 4  # China gates whose townships were lost in and after Operation 1027
    for label in ("2023", "2025"):  # contested: only a holder with an armed opponent in the township
        assert not any(c and not p for c, p in zip(geo.contested[label], geo.presence[label], strict=True))


def test_mandalay_lashio_muse_corridor(geo):
    corridor = [geo.find(t) for t in ("Mandalay", "Lashio", "Muse")]
    assert all(geo.corridor[i] for i in corridor)
    on_corridor = geo.graph().subgraph(np.flatnonzero(geo.corridor).tolist())
    path = nx.shortest_path(on_corridor, corridor[0], corridor[2])
    assert corridor[1] in path


def test_neighbours_are_symmetric(geo):
    for i, nbrs in enumerate(geo.neighbours):
        for j in nbrs:
            assert i in geo.neighbours[j]
    indptr, nbr, _km = geo.csr
    assert len(nbr) == 2 * len(geo.edge_a)
    assert np.all(np.diff(indptr) >= 1)


def test_a_march_takes_whole_days_along_the_road_and_at_least_one(geo):
    a, b, km = int(geo.edge_a[0]), int(geo.edge_b[0]), float(geo.edge_km[0])
    days = geo.march_days([a, b, a], [b, a, a], km / 2.5)
    assert days.tolist() == [3, 3, 1]  # 2.5 days' march is three; staying put still costs the day
    assert geo.march_days([a], [b], km * 10).tolist() == [1]
    far = next(t for t in range(geo.n) if t != a and t not in geo.neighbours[a])
    with pytest.raises(ValueError, match="not neighbours"):
        geo.march_days([a], [far], 20.0)
