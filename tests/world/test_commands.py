"""The regional military commands: every township in one, each headquarters in its own area."""

import numpy as np
import pytest

from sim.world.commands import assign_commands


def test_every_township_belongs_to_one_command_and_each_hq_to_its_own(geo):
    c = geo.commands
    assert c.n == 14 and len(c.of) == geo.n
    assert set(np.unique(c.of)) == set(range(c.n))
    assert (c.of[c.hq] == np.arange(c.n)).all()
    assert geo.hq.sum() == 14 and geo.hq[c.hq].all()


@pytest.mark.parametrize(
    ("township", "command"),
    [
        ("Lashio", "NEC"),
        ("Laukkaing", "NEC"),
        ("Kengtung", "TRC"),
        ("Loilen", "ECC"),  # southern Shan, nearer Kholam than Taunggyi by road
        ("Kalaw", "EC"),
        ("Loikaw", "EC"),  # Kayah
        ("Paletwa", "WC"),  # named by the Western Command, though in Chin State
        ("Hakha", "NWC"),
        ("Gangaw", "NWC"),  # northern Magway, the Yaw valley
        ("Magway", "SC"),
        ("Myawaddy", "SEC"),
    ],
)
def test_townships_fall_to_the_command_the_sources_name(geo, township, command):
    assert geo.commands.codes[geo.commands.of[geo.find(township)]] == command


def test_a_part_no_command_covers_is_refused():
    rows = [{"code": "X", "name": "X", "hq": "a", "covers": "North"}]
    edges = (np.array([0]), np.array([1]), np.array([10.0]))
    with pytest.raises(ValueError, match="no command covers 'South'"):
        assign_commands(rows, ["North", "South"], {"a": 0, "b": 1}, edges)


def test_a_shared_part_goes_to_the_nearer_headquarters_by_road():
    rows = [
        {"code": "A", "name": "A", "hq": "a", "covers": "P"},
        {"code": "B", "name": "B", "hq": "d", "covers": "P"},
    ]
    # a - b - c - d on a line: b is 10 km from a, c 10 km from d
    edges = (np.array([0, 1, 2]), np.array([1, 2, 3]), np.array([10.0, 50.0, 10.0]))
    c = assign_commands(rows, ["P"] * 4, {"a": 0, "b": 1, "c": 2, "d": 3}, edges)
    assert c.of.tolist() == [0, 0, 1, 1]
