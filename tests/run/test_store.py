"""The results directory on disk: which replicates count as done, and what a kill leaves behind."""

import pandas as pd

from sim.run.store import TABLES, done_replicates, drop_orphans, write_shards


def _empty_dir(tmp_path):
    out = tmp_path / "out"
    for table in TABLES:
        (out / f"{table}.parquet").mkdir(parents=True)
    return out


def _chunk(replicates: list[int]) -> dict[str, pd.DataFrame]:
    """Two days of timeseries, one change of hands and two towns of final control per replicate."""
    ts = pd.DataFrame(
        {
            "replicate": [r for r in replicates for _ in range(2)],
            "day": [0, 1] * len(replicates),
            "towns_junta": [100, 99] * len(replicates),
        }
    )
    fc = pd.DataFrame(
        {"replicate": [r for r in replicates for _ in range(2)], "town": ["Lashio", "Muse"] * len(replicates)}
    )
    changes = pd.DataFrame(
        {"replicate": replicates, "day": [1] * len(replicates), "town": ["Muse"] * len(replicates)}
    )
    return {"timeseries": ts, "control_changes": changes, "final_control": fc}


def _names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_done_replicates_are_those_written(tmp_path):
    out = _empty_dir(tmp_path)
    assert done_replicates(out) == set()
    assert done_replicates(tmp_path / "nowhere") == set()
    write_shards(out, 0, _chunk([0, 1]))
    write_shards(out, 2, _chunk([2, 3, 4]))
    assert done_replicates(out) == {0, 1, 2, 3, 4}
    for table in TABLES:  # one shard per chunk, named by its first replicate; no temporary left
        assert _names(out / f"{table}.parquet") == ["part-0000000.parquet", "part-0000002.parquet"]
    back = pd.read_parquet(out / "timeseries.parquet" / "part-0000002.parquet")
    pd.testing.assert_frame_equal(back, _chunk([2, 3, 4])["timeseries"])


def test_a_replicate_without_final_control_is_not_done(tmp_path):
    """Final control is written last: a chunk with only its timeseries was cut off by a kill."""
    out = _empty_dir(tmp_path)
    write_shards(out, 0, _chunk([0, 1]))
    write_shards(out, 2, {"timeseries": _chunk([2, 3])["timeseries"]})
    assert done_replicates(out) == {0, 1}


def test_drop_orphans_removes_unpaired_shards_and_temporaries(tmp_path):
    out = _empty_dir(tmp_path)
    write_shards(out, 0, _chunk([0, 1]))
    write_shards(out, 2, {"timeseries": _chunk([2, 3])["timeseries"]})  # killed before final control
    for table in TABLES:  # killed while writing a shard
        (out / f"{table}.parquet" / ".part-0000004.parquet.tmp").write_bytes(b"half a shard")
    drop_orphans(out)
    for table in TABLES:
        assert _names(out / f"{table}.parquet") == ["part-0000000.parquet"]
    assert done_replicates(out) == {0, 1}
    drop_orphans(out)  # nothing left to drop: a no-op
    assert _names(out / "timeseries.parquet") == ["part-0000000.parquet"]
