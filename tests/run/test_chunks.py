"""Chunking: every replicate in exactly one chunk, small chunks at the tail so no worker idles,
and the same tables for any chunking, executor, worker count or resume."""

import heapq
import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.run.ensemble import CHUNK_MAX, SPREAD, chunk_size, chunks, run_ensemble
from sim.run.executors import SerialExecutor
from sim.run.store import RECORDS, TABLES, load_results
from tests.run.conftest import fail_replicate


@given(
    todo=st.lists(st.integers(0, 5000), unique=True, max_size=400),
    slots=st.integers(1, 64),
)
def test_the_plan_covers_every_replicate_once_in_order_with_shrinking_chunks(todo, slots):
    plan = list(chunks(todo, slots))
    assert [r for c in plan for r in c] == sorted(todo)
    sizes = [len(c) for c in plan]
    assert all(1 <= n <= CHUNK_MAX for n in sizes)
    assert sizes == sorted(sizes, reverse=True)  # largest first
    if slots > 1:  # at least the last SPREAD x slots - 1 replicates go one at a time
        tail = min(len(todo), SPREAD * slots - 1)
        assert sizes[len(sizes) - tail :] == [1] * tail


def test_one_slot_gets_full_chunks_and_the_plan_ignores_what_is_done():
    assert [len(c) for c in chunks(list(range(25)))] == [10, 10, 5]
    assert list(chunks([12, 3, 4, 30], 1)) == [[3, 4, 12, 30]]
    assert [chunk_size(1000, 16), chunk_size(100, 16), chunk_size(32, 16), chunk_size(1, 16)] == [10, 4, 1, 1]


def _makespan(sizes: list[int], slots: int) -> int:
    """Finish time of chunks handed out in order to the first free slot, one unit per replicate."""
    free = [0] * slots
    for n in sizes:
        heapq.heappush(free, heapq.heappop(free) + n)
    return max(free)


@pytest.mark.parametrize("replicates", [320, 1000, 10_000])
@pytest.mark.parametrize("slots", [2, 4, 8, 16, 64])
def test_no_slot_idles_at_the_tail(replicates, slots):
    """Equal replicates: the run ends at most one replicate after a perfect split. Fixed chunks
    of CHUNK_MAX could leave slots idle for most of a last round (1000 on 16: 70 vs 62.5)."""
    sizes = [len(c) for c in chunks(list(range(replicates)), slots)]
    assert _makespan(sizes, slots) <= -(-replicates // slots) + 1


def _shards(out) -> list[list[int]]:
    return sorted(json.loads(p.read_text())["replicates"] for p in (out / RECORDS).glob("*.json"))


def _same_tables(a, b) -> None:
    ra, rb = load_results(a), load_results(b)
    for table in TABLES:
        fa, fb = getattr(ra, table), getattr(rb, table)
        pd.testing.assert_frame_equal(fa, fb)
        assert fa.to_csv().encode() == fb.to_csv().encode()


def test_any_chunking_and_a_resume_with_another_give_the_same_tables(tmp_path, short, monkeypatch):
    reference = tmp_path / "reference"
    run_ensemble(short, reference, executor="serial", progress=False)
    assert _shards(reference) == [list(range(10)), [10, 11]]
    for slots in (2, 3, 7):
        monkeypatch.setattr(SerialExecutor, "slots", slots)  # the plan a pool of that size gets
        out = tmp_path / f"slots{slots}"
        run_ensemble(short, out, executor="serial", progress=False)
        assert _shards(out) == list(chunks(list(range(12)), slots))
        _same_tables(reference, out)
    out = tmp_path / "resumed"  # 5 on 3 slots, then to 12 on 1 slot (full chunks from 5 on)
    monkeypatch.setattr(SerialExecutor, "slots", 3)
    run_ensemble(short.with_run(replicates=5), out, executor="serial", progress=False)
    monkeypatch.setattr(SerialExecutor, "slots", 1)
    run_ensemble(short, out, executor="serial", resume=True, progress=False)
    assert _shards(out) == [[0], [1], [2], [3], [4], list(range(5, 12))]
    _same_tables(reference, out)


def test_a_chunk_whose_first_replicate_failed_is_not_overwritten_on_resume(tmp_path, short, monkeypatch):
    """The chunk 0-9 loses replicate 0; its shards are named after replicate 1, so the resume's
    chunk [0] cannot replace them (it did: the run said 12 done and the tables held 3)."""
    fail_replicate(monkeypatch, 0)
    assert run_ensemble(short, tmp_path / "out", executor="serial", progress=False).done == 11
    monkeypatch.undo()
    report = run_ensemble(short, tmp_path / "out", executor="serial", resume=True, progress=False)
    assert report.done == 12 and not report.failures
    assert _shards(tmp_path / "out") == [[0], list(range(1, 10)), [10, 11]]
    run_ensemble(short, tmp_path / "reference", executor="serial", progress=False)
    _same_tables(tmp_path / "reference", tmp_path / "out")
