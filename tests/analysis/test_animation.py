"""`sim animate`: a replicate's maps rebuilt from control_changes, one frame a day."""

from __future__ import annotations

import pandas as pd
import pytest
from PIL import Image

from sim.analysis.animation import frame_days, holders_by_day, replicate_holders, save_frame, side_counts
from sim.cli import main
from sim.run.store import load_results
from sim.world.factions import FACTIONS
from tests.conftest import write_scenario

SHORT = """
extends = "2025_counteroffensive.toml"
name = "short 2025"
[run]
end = 2025-06-12
replicates = 2
"""


def test_holders_follow_the_changes_day_by_day():
    ids = ("a", "b", "c")
    changes = pd.DataFrame(
        {"day": [3, 1, 3], "pcode": ["b", "a", "a"], "to": ["TNLA", "AA", "JUNTA"]}  # unsorted
    )
    held = holders_by_day(ids, ["JUNTA", "JUNTA", "UWSA"], changes, 5)
    code = [[FACTIONS[k] for k in day] for day in held]
    assert code[0] == ["JUNTA", "JUNTA", "UWSA"]
    assert code[1] == code[2] == ["AA", "JUNTA", "UWSA"]  # day 1's change shows on day 1
    assert code[3] == code[4] == ["JUNTA", "TNLA", "UWSA"]
    counts = side_counts(held)
    assert list(counts["junta"]) == [2, 1, 1, 1, 1] and list(counts["neutral"]) == [1] * 5
    assert holders_by_day(ids, ["JUNTA"] * 3, changes.iloc[:0], 2).shape == (2, 3)


def test_frames_are_every_nth_day_and_the_last():
    assert frame_days(5, 1) == [0, 1, 2, 3, 4]
    assert frame_days(10, 4) == [0, 4, 8, 9]


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("anim")
    path = write_scenario(folder, SHORT, "short.toml")
    out = folder / "run"
    assert main(["run", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_the_last_rebuilt_map_is_the_final_control(short_run, geo):
    res = load_results(short_run)
    for r in (0, 1):
        held = replicate_holders(res, r)
        final = res.final_control[res.final_control["replicate"] == r]
        rebuilt = dict(zip(geo.ids, (FACTIONS[k] for k in held[-1]), strict=True))
        assert rebuilt == dict(zip(final["pcode"], final["controller"], strict=True))


@pytest.mark.slow
def test_animate_writes_a_gif_with_one_frame_a_day(short_run, tmp_path, capsys):
    out = tmp_path / "war.gif"
    assert main(["animate", str(short_run), "--replicate", "1", "--out", str(out)]) == 0
    assert "12 frames (replicate 1)" in capsys.readouterr().out
    with Image.open(out) as gif:
        assert gif.n_frames == 12  # 1 to 12 June
    every = tmp_path / "every.gif"
    assert main(["animate", str(short_run), "--every", "5", "--out", str(every)]) == 0
    with Image.open(every) as gif:
        assert gif.n_frames == 4  # days 0, 5, 10 and the last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["every.gif", "war.gif"]  # no temporary left
    png = save_frame(load_results(short_run), 0, -1, tmp_path / "frame.png")
    with Image.open(png) as frame:
        assert frame.size[0] > 300
    assert main(["animate", str(short_run), "--out", str(tmp_path / "day3.png"), "--day", "3"]) == 0
    assert (tmp_path / "day3.png").stat().st_size > 10_000
    again = ["animate", str(short_run), "--out", str(tmp_path / "day3.png"), "--day", "4"]
    assert main(again) == 0  # an existing file is replaced


@pytest.mark.slow
def test_animate_mistakes_end_in_one_line(short_run, tmp_path, capsys, monkeypatch):
    import matplotlib.animation

    cases = [
        (["--out", str(tmp_path / "war.avi")], "must end in .gif or .mp4"),
        (["--replicate", "7", "--out", str(tmp_path / "war.gif")], "has no replicate 7; it has 0 to 1"),
        (["--day", "12", "--out", str(tmp_path / "day.png")], "--day: replicate 0 has days 0 to 11"),
    ]
    monkeypatch.setattr(matplotlib.animation.writers, "is_available", lambda name: False)
    cases.append((["--out", str(tmp_path / "war.mp4")], "needs ffmpeg on the PATH (not found)"))
    for args, message in cases:
        assert main(["animate", str(short_run), *args]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert main(["animate", str(tmp_path / "nothing"), "--out", str(tmp_path / "a.gif")]) == 2
    err = capsys.readouterr().err
    assert "nothing" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
