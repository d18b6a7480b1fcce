import numpy as np
import pandas as pd
import pytest

from sim.analysis.attribution import GROUPS, differing_groups, mix, shapley
from sim.cli import main
from tests.conftest import S2023, S2025


def test_groups_that_differ_between_2023_and_2025(s2023, s2025):
    groups = differing_groups(s2023, s2025)
    assert {
        "where each side stood",
        "conscription",
        "drones and air doctrine",
        "China stance and embargo",
        "leadership",
        "coordination of the resistance",
    } <= set(groups)
    assert set(groups) <= set(GROUPS)
    # the UWSA's supply and the ceasefires are decided in both files, from the same settings
    assert "UWSA supply line" not in groups and "ceasefires" not in groups


def test_no_group_mixes_a_lever_with_where_each_side_stood():
    stood = set(GROUPS["where each side stood"][0])
    for name, (keys, _) in GROUPS.items():
        if name != "where each side stood":
            assert not any(k.startswith(s) or s.startswith(k) for k in keys for s in stood), name


def test_mix_takes_each_group_from_one_side(s2023, s2025):
    groups = differing_groups(s2023, s2025)
    none = mix(s2023, s2025, frozenset(), groups)
    assert none.data["junta"]["air_doctrine"] == "reactive"
    assert none.data["china"]["embargo"] is False
    assert none.data["factions"]["MNDAA"]["ceasefire"] is False  # where the 2023 file stood
    assert none.data["junta"]["conscription"]["enabled"] is False
    assert none.start == s2025.start  # the target's context: dates and map
    one = mix(s2023, s2025, frozenset({"leadership"}), groups)
    assert one.data["junta"]["leadership"] == s2025.data["junta"]["leadership"]
    assert one.data["junta"]["drones"] == s2023.data["junta"]["drones"]


def test_shapley_is_exact_on_an_additive_game(s2023, s2025):
    """With a known additive value, exact Shapley values recover each group's effect."""
    effects = {"leadership": 3.0, "China stance and embargo": -1.0, "where each side stood": 0.5}

    def evaluate(scenario):
        total = 0.0
        if scenario.data["junta"]["leadership"] == s2025.data["junta"]["leadership"]:
            total += effects["leadership"]
        if scenario.data["china"]["stance"] == s2025.data["china"]["stance"]:
            total += effects["China stance and embargo"]
        if scenario.data["run"]["initial_control"] == s2025.data["run"]["initial_control"]:
            total += effects["where each side stood"]
        return pd.DataFrame({"m": [total, total]})

    result = shapley(s2023, s2025, evaluate, list(effects), metrics=("m",))
    assert result.method == "exact"
    got = result.table.set_index("group")["shapley"]
    for group, effect in effects.items():
        assert got[group] == pytest.approx(effect)
    assert got["sum of parts"] == pytest.approx(got["total difference"])


@pytest.mark.slow
def test_attribute_2023_to_2025_parts_sum_to_the_total(tmp_path, capsys):
    out = tmp_path / "att"
    status = main(
        [
            "attribute",
            str(S2023),
            str(S2025),
            "--replicates",
            "3",
            "--until",
            "2025-07-01",
            "--permutations",
            "2",
            "--workers",
            "2",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    table = pd.read_csv(out / "attribution.csv")
    for metric, rows in table.groupby("metric"):
        parts = rows[~rows["group"].isin(["sum of parts", "total difference"])]["shapley"].sum()
        total = rows[rows["group"] == "total difference"]["shapley"].iloc[0]
        assert np.isclose(parts, total, atol=1e-9), metric
    assert (out / "attribution.png").stat().st_size > 10_000
    assert "sampled permutations" in capsys.readouterr().out


def test_sensitivity_reports_indices_and_seed_noise(tmp_path, capsys):
    pytest.importorskip("SALib")
    out = tmp_path / "sens"
    status = main(
        [
            "sensitivity",
            str(S2023),
            "--method",
            "morris",
            "--samples",
            "2",
            "--replicates",
            "2",
            "--until",
            "2023-11-05",
            "--workers",
            "1",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    table = pd.read_csv(out / "sensitivity.csv")
    assert {"parameter", "low", "high", "mu_star", "mu_star_conf"} <= set(table.columns)
    strength = table[table["parameter"] == "junta.strength"].iloc[0]
    assert (strength["low"], strength["high"]) == (60000, 80000)
    assert "seed noise" in capsys.readouterr().out
    assert (out / "sensitivity.png").exists()


def test_inside_the_replay_each_dated_change_goes_with_its_lever():
    from sim.scenario import load_scenario
    from tests.conftest import SCENARIOS

    frozen = load_scenario(SCENARIOS / "counterfactuals" / "replay_frozen.toml")
    replay = load_scenario(SCENARIOS / "replay_2023_2025.toml")
    groups = differing_groups(frozen, replay)
    assert groups == ["conscription", "drones and air doctrine", "leadership"]
    ids = lambda s: [e.get("id") for e in s.data["events"]]  # noqa: E731
    assert ids(mix(frozen, replay, frozenset(), groups)) == ["election"]
    drones = mix(frozen, replay, frozenset({"drones and air doctrine"}), groups)
    assert set(ids(drones)) == {
        "air_tempo_2024",
        "junta_drones_2024",
        "junta_drones_2025",
        "air_doctrine_2025",
        "election",
    }
    assert drones.data["junta"]["conscription"]["enabled"] is False
