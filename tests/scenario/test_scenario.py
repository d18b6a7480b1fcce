import datetime as dt
import re

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.scenario import load_scenario
from tests.conftest import write_scenario


def test_shipped_scenarios_load(s2023, s2025):
    assert s2023.start == dt.date(2023, 10, 27)
    assert s2025.start == dt.date(2025, 6, 1) and s2025.end == dt.date(2025, 12, 28)
    assert s2025.data["junta"]["air_doctrine"] == "preemptive"
    assert s2023.data["china"]["stance"] == "pro_resistance"
    kinds = [e["kind"] for e in s2025.data["events"]]
    assert kinds == ["election"]  # China, the UWSA and the ceasefires are decided, not dated
    assert s2025.data["factions"]["MNDAA"]["ceasefire"] is True  # where it stood on 1 Jun 2025


def test_extends_overrides_and_keeps_the_rest(tmp_path, s2025):
    path = write_scenario(
        tmp_path,
        """
extends = "2025_counteroffensive.toml"
name = "2025 without the embargo"
remove_events = ["election"]
[china]
embargo = false
[junta.conscription]
monthly_intake = 2000
""",
    )
    s = load_scenario(path)
    assert s.data["china"]["embargo"] is False
    assert s.data["china"]["stance"] == "pro_junta"  # inherited
    assert s.data["junta"]["conscription"]["monthly_intake"] == 2000
    assert s.data["junta"]["conscription"]["training_days"] == 90  # inherited within a table
    assert s.data["events"] == []
    assert s.data["junta"]["drones"] == s2025.data["junta"]["drones"]


def test_distributions_are_drawn_once_per_replicate_within_bounds(s2023):
    draws = [s2023.sample(np.random.default_rng(i)).junta.strength for i in range(200)]
    assert min(draws) >= 60000 and max(draws) <= 80000
    assert np.std(draws) > 1000
    again = s2023.sample(np.random.default_rng(0)).junta.strength
    assert again == draws[0]


def test_with_values_checks_keys_and_values(s2025):
    s = s2025.with_values({"junta.drones": 0.1, "factions.AA.strength": 1000})
    assert s.data["junta"]["drones"] == 0.1 and s.data["factions"]["AA"]["strength"] == 1000
    with pytest.raises(ScenarioError, match="drones"):
        s2025.with_values({"junta.drones": 3})
    with pytest.raises(ScenarioError, match="did you mean 'drones'"):
        s2025.with_values({"junta.drone": 0.3})


def test_until_drops_later_events(s2025):
    s = s2025.with_run(end=dt.date(2025, 9, 1))
    assert all(e["date"] <= dt.date(2025, 9, 1) for e in s.data["events"])


BASE = """
extends = "2023_operation_1027.toml"
name = "bad"
"""

BAD = {
    "invalid toml": ('name = "x"\n[run\nstart = 2023-01-01', "", "invalid TOML"),
    "unknown key": (BASE + "[junta]\ndrone = 0.5\n", "junta.drone", "did you mean 'drones'"),
    "unknown nested key": (
        BASE + "[junta.conscription]\nmonthly_intak = 5\n",
        "junta.conscription.monthly_intak",
        "did you mean 'monthly_intake'",
    ),
    "wrong type": (BASE + '[junta]\ndrones = "lots"\n', "junta.drones", "must be a number"),
    "out of range": (BASE + "[junta]\ndrones = 1.5\n", "junta.drones", "out of range"),
    "negative intake": (
        BASE + "[junta.conscription]\nmonthly_intake = -5\n",
        "junta.conscription.monthly_intake",
        "out of range",
    ),
    "bad choice": (
        BASE + '[junta]\nair_doctrine = "pre-emptive"\n',
        "junta.air_doctrine",
        "did you mean 'preemptive'",
    ),
    "impossible bounds": (
        BASE + '[junta]\nleadership = { dist = "uniform", low = 0.8, high = 0.2 }\n',
        "junta.leadership",
        "impossible bounds",
    ),
    "unknown distribution": (
        BASE + '[junta]\nleadership = { dist = "gauss", mean = 0.5 }\n',
        "junta.leadership.dist",
        "unknown distribution",
    ),
    "bad sd": (
        BASE + '[junta]\nleadership = { dist = "normal", mean = 0.5, sd = 0 }\n',
        "junta.leadership.sd",
        "sd must be > 0",
    ),
    "normal whose bounds collapse to a point": (
        BASE + '[junta]\nleadership = { dist = "normal", mean = 0.5, sd = 0.1, low = 0.4, high = 0.4 }\n',
        "junta.leadership",
        "leave nothing to draw between 0.4 and 0.4",
    ),
    "normal whose bounds meet the key's range at a point": (
        BASE + '[junta]\nleadership = { dist = "normal", mean = 0.5, sd = 0.1, low = 1 }\n',
        "junta.leadership",
        "leave nothing to draw between 1 and 1",
    ),
    "normal bounds far in a tail": (
        BASE + '[junta]\nleadership = { dist = "normal", mean = 0.1, sd = 0.001, low = 0.9 }\n',
        "junta.leadership",
        "more than 30 sd from the mean",
    ),
    "end before start": (BASE + "[run]\nend = 2023-01-01\n", "run.end", "must be after run.start"),
    "event outside run": (
        BASE + '[[events]]\ndate = 2030-01-01\nkind = "ceasefire"\nfaction = "TNLA"\n',
        "events[0].date",
        "outside the run",
    ),
    "duplicate event id": (
        BASE + '[[events]]\nid = "a"\ndate = 2023-11-02\nkind = "defensive"\nfaction = "KIA"\n'
        '[[events]]\nid = "a"\ndate = 2023-11-05\nkind = "offensive"\nfaction = "KIA"\n',
        "events[1].id",
        "'a' is already the id of events[0]",
    ),
    "remove_events naming nothing": (
        BASE + 'remove_events = ["no_such_event"]\n',
        "remove_events[0]",
        "'no_such_event' names no inherited event",
    ),
    "remove_events without extends": (
        'name = "x"\nremove_events = ["ceasefire"]\n'
        '[run]\nstart = 2023-01-01\nend = 2023-02-01\ninitial_control = "2023"\n',
        "remove_events",
        "extends no other",
    ),
    "handover by a faction far from the town": (
        BASE + '[[events]]\ndate = 2023-12-01\nkind = "handover"\nfaction = "TNLA"\ntowns = ["Myitkyina"]\n',
        "events[0].towns",
        "TNLA hands it over but neither holds nor operates in it",
    ),
    "handover to a faction far from the town": (
        BASE + '[[events]]\ndate = 2023-12-01\nkind = "handover"\nfaction = "TNLA"\ntowns = ["Mogok"]\n'
        'to = "CHIN"\n',
        "events[0].towns",
        "CHIN receives it",
    ),
    "handover to itself": (
        BASE + '[[events]]\ndate = 2023-12-01\nkind = "handover"\nfaction = "TNLA"\ntowns = ["Mogok"]\n'
        'to = "TNLA"\n',
        "events[0].to",
        "cannot hand townships over to itself",
    ),
    "run too long": (BASE + "[run]\nend = 2099-12-31\n", "run.end", "a run lasts at most 3,660 days"),
    "seed of 2**64": (BASE + "[run]\nseed = 18446744073709551616\n", "run.seed", "out of range"),
    "replicates of 10**12": (BASE + "[run]\nreplicates = 1000000000000\n", "run.replicates", "out of range"),
    "huge distribution bound": (
        BASE + '[junta]\nleadership = { dist = "uniform", low = 0, high = ' + str(10**400) + " }\n",
        "junta.leadership.high",
        "too large",
    ),
    "huge number": (
        BASE + "[junta]\nstrength = " + str(10**30) + "\n",
        "junta.strength",
        "31-digit number is out of range",
    ),
    "unknown faction": (
        BASE + '[[events]]\ndate = 2023-12-01\nkind = "ceasefire"\nfaction = "XYZ"\n',
        "events[0].faction",
        "allowed",
    ),
    "unknown faction table": (BASE + "[factions.WA]\nstrength = 5\n", "factions.WA", "unknown faction"),
    "unknown town": (
        BASE + '[[events]]\ndate = 2023-12-01\nkind = "ceasefire"\nfaction = "TNLA"\n'
        'hand_over = ["Mogokk"]\n',
        "events[0].hand_over",
        "did you mean 'Mogok'",
    ),
    "missing event key": (
        BASE + '[[events]]\ndate = 2023-12-01\nkind = "handover"\nfaction = "TNLA"\n',
        "events[0].towns",
        "missing",
    ),
    "unknown state": (
        BASE + '[factions.AA]\noperating_states = ["Arakan"]\n',
        "factions.AA.operating_states",
        "unknown state",
    ),
    "zero replicates": (BASE + "[run]\nreplicates = 0\n", "run.replicates", "out of range"),
    "negative replicates": (BASE + "[run]\nreplicates = -3\n", "run.replicates", "out of range"),
    "missing extends": ('extends = "nowhere.toml"\nname = "x"\n', "extends", "file not found"),
    "no name": ('[run]\nstart = 2023-01-01\nend = 2023-02-01\ninitial_control = "2023"\n', "name", "missing"),
    "bad control": (BASE + '[run]\ninitial_control = "2024"\n', "run.initial_control", "allowed: 2023, 2025"),
    "bad date": (BASE + '[run]\nstart = "27 Oct"\n', "run.start", "must be a date"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_files_name_file_key_and_what_is_allowed(tmp_path, case):
    text, key, message = BAD[case]
    path = write_scenario(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.file.endswith("test.toml")
    assert err.value.key == key
    assert message in err.value.message
    assert "\n" not in str(err.value)


def test_circular_extends(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\nname = "a"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\nname = "b"\n')
    with pytest.raises(ScenarioError, match=re.escape("circular extends: a.toml -> b.toml -> a.toml")):
        load_scenario(tmp_path / "a.toml")


def test_invalid_toml_names_the_line(tmp_path):
    path = write_scenario(tmp_path, 'name = "x"\n\n[run\n')
    with pytest.raises(ScenarioError, match="line 3"):
        load_scenario(path)


def test_a_child_adds_events_before_its_parents_in_date_order(tmp_path, s2025):
    """Events of the whole extends chain are merged and ordered by date (stable)."""
    write_scenario(
        tmp_path,
        """
extends = "2025_counteroffensive.toml"
name = "middle"
[[events]]
id = "early"
date = 2025-06-02
kind = "offensive"
faction = "KIA"
""",
        "middle.toml",
    )
    path = write_scenario(
        tmp_path,
        """
extends = "middle.toml"
name = "child"
remove_events = ["early"]
[[events]]
id = "first"
date = 2025-06-01
kind = "offensive"
faction = "AA"
[[events]]
id = "late"
date = 2025-12-28
kind = "defensive"
faction = "AA"
[[events]]
id = "between"
date = 2025-06-05
kind = "defensive"
faction = "KNU"
""",
    )
    s = load_scenario(path)
    dates = [e["date"] for e in s.data["events"]]
    assert dates == sorted(dates)
    ids = [e.get("id") for e in s.data["events"]]
    assert ids[:2] == ["election", "first"]  # same date: the parent's first (stable)
    assert ids[-1] == "late" and "early" not in ids
    inherited = [e.get("id") for e in s2025.data["events"]]
    assert [i for i in ids if i in inherited] == inherited  # the parent's order kept
    assert len(ids) == len(inherited) + 3


def test_an_extends_chain_too_deep_is_one_line(tmp_path):
    write_scenario(tmp_path, "", "unused.toml")
    (tmp_path / "f0.toml").write_text('extends = "2023_operation_1027.toml"\nname = "0"\n')
    for i in range(1, 40):
        (tmp_path / f"f{i}.toml").write_text(f'extends = "f{i - 1}.toml"\nname = "{i}"\n')
    assert load_scenario(tmp_path / "f20.toml").name == "20"
    with pytest.raises(ScenarioError, match="a chain of more than 32 files") as err:
        load_scenario(tmp_path / "f39.toml")
    assert err.value.key == "extends"


def test_a_symlink_loop_is_one_line(tmp_path):
    (tmp_path / "a.toml").symlink_to(tmp_path / "b.toml")
    (tmp_path / "b.toml").symlink_to(tmp_path / "a.toml")
    (tmp_path / "c.toml").write_text('extends = "a.toml"\nname = "c"\n')
    for path, key in ((tmp_path / "a.toml", ""), (tmp_path / "c.toml", "extends")):
        with pytest.raises(ScenarioError) as err:
            load_scenario(path)
        assert err.value.key == key and "\n" not in str(err.value)


def test_a_folder_or_binary_file_is_one_line(tmp_path):
    (tmp_path / "dir.toml").mkdir()
    (tmp_path / "bin.toml").write_bytes(b"\xff\xfe\x00garbage")
    for name, message in (("dir.toml", "is a folder"), ("bin.toml", "not a text file")):
        with pytest.raises(ScenarioError, match=message):
            load_scenario(tmp_path / name)


def test_a_value_set_after_loading_is_checked_like_one_in_a_file(s2023):
    """The explorer and the attribution set values on a loaded scenario: an unknown state there
    is refused as it would be in the file."""
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError, match="unknown state or region 'Atlantis'"):
        s2023.with_values({"factions.KIA.operating_states": ["Kachin", "Atlantis"]})
