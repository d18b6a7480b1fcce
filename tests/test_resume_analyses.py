"""Long analyses keep what they finish and continue with --resume to the numbers an
uninterrupted run gives."""

import pandas as pd

from sim.cli import main
from tests.conftest import S2023, S2025, write_scenario

SHORT = ["--until", "2025-06-12", "--replicates", "2", "--workers", "1", "--quiet"]


def test_an_attribution_continued_from_its_kept_variants_gives_the_same_numbers(tmp_path, capsys):
    args = ["attribute", str(S2023), str(S2025), *SHORT, "--groups", "leadership,election"]
    whole, part = tmp_path / "whole", tmp_path / "part"
    assert main([*args, "--out", str(whole)]) == 0
    kept = sorted((whole / "variants").glob("*.parquet"))
    assert len(kept) == 4  # every coalition of two groups, kept as it finished
    assert main([*args, "--out", str(whole)]) == 2  # an analysis is there: only --resume continues it
    assert "use --resume" in capsys.readouterr().err
    (part / "variants").mkdir(parents=True)  # as if stopped after two variants
    for path in kept[:2]:
        (part / "variants" / path.name).write_bytes(path.read_bytes())
    assert main([*args, "--out", str(part), "--resume"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(whole / "attribution.csv"), pd.read_csv(part / "attribution.csv")
    )


def test_validate_keeps_its_runs_apart_and_resumes(tmp_path, capsys):
    one = write_scenario(tmp_path, f'extends = "{S2023}"\nname = "a"\n[run]\nend = 2023-11-05\n', "s.toml")
    (tmp_path / "b").mkdir()
    two = write_scenario(
        tmp_path / "b", f'extends = "{S2023}"\nname = "b"\n[run]\nend = 2023-11-05\n', "s.toml"
    )
    args = ["validate", str(one), str(two), "--replicates", "1", "--workers", "1", "--quiet"]
    out = tmp_path / "v"
    assert main([*args, "--out", str(out)]) in (0, 3)
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["1_s", "1_s_null", "2_s", "2_s_null"]
    assert main([*args, "--out", str(out), "--resume"]) in (0, 3)
