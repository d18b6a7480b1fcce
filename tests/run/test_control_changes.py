"""The record of every change of hands rebuilds any day's map, and names dated handovers."""

from __future__ import annotations

import datetime as dt

from sim.run.replicate import run_replicate
from tests.conftest import write_scenario


def _replay(geo, label, changes, until_day):
    holder = dict(zip(geo.ids, geo.control[label], strict=True))
    for row in changes[changes["day"] <= until_day].to_dict("records"):
        assert holder[row["pcode"]] == row["from"]  # who held it just before
        holder[row["pcode"]] = row["to"]
    return holder


def test_changes_rebuild_the_final_map(s2023, geo):
    short = s2023.with_run(end=s2023.start + dt.timedelta(days=20))
    for r in range(3):
        res = run_replicate(short, 5, r)
        changes, final = res.tables["control_changes"], res.tables["final_control"]
        assert len(changes) > 0
        rebuilt = _replay(geo, "2023", changes, short.days)
        assert rebuilt == dict(zip(final["pcode"], final["controller"], strict=True))
        assert set(changes["cause"]) <= {"assault"}
        assert (changes["from"] != changes["to"]).all()


def test_a_dated_handover_is_marked_as_such(tmp_path):
    from sim.scenario import load_scenario

    path = write_scenario(
        tmp_path,
        """
extends = "2025_counteroffensive.toml"
name = "short 2025 with a dated handover"
[run]
end = 2025-06-10
[[events]]
date = 2025-06-03
kind = "handover"
faction = "TNLA"
towns = ["Mogok"]
""",
    )
    res = run_replicate(load_scenario(path), 1, 0)
    changes = res.tables["control_changes"]
    handed = changes[changes["cause"] == "handover"]
    assert list(handed["township"]) == ["Mogoke"]
    assert handed["day"].iloc[0] == 2 and handed["to"].iloc[0] == "JUNTA"
