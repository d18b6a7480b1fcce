"""Crash-point testing in the spirit of SQLite's: SIGKILL the writer at every step of the write
path (sim.run.store.CRASH_AT counts each write, rename and removal) and prove that --resume
always ends with the tables of an uninterrupted run, even when the resume is killed too.

A driver process forks one child per kill point (cheap: the modules are imported and the
compiled kernels loaded once); the driver itself never writes Parquet, so it stays
single-threaded and safe to fork.
"""

import json
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from sim.run.store import TABLES, load_results
from tests.conftest import SHORT_2023, write_scenario

DRIVER = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from sim.run import ensemble
    from sim.run.ensemble import run_ensemble
    from sim.run.replicate import build_model
    from sim.run.store import CRASH_AT
    from sim.scenario import load_scenario

    scenario_path, root, replicates = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    ensemble.CHUNK_MAX = 2  # several chunks from few replicates; chunking never changes the tables
    scenario = load_scenario(scenario_path).with_run(replicates=replicates)
    build_model(scenario, 0, 0).run()  # load the compiled kernels once, not in every child

    def child(out, crash_at, resume):
        pid = os.fork()
        if pid == 0:
            if crash_at:
                os.environ[CRASH_AT] = str(crash_at)
            code = 0
            try:
                run_ensemble(scenario, out, executor="serial", resume=resume, progress=False)
            except BaseException:
                code = 3
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        return "killed" if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    assert child(root / "reference", 0, False) == 0
    points = []
    k = 1
    while True:
        out = root / f"k{k}"
        first = child(out, k, False)
        if first != "killed":  # past the last step: the run finished
            assert first == 0, first
            break
        second = child(out, k, True)  # the resume is killed at the same step, if it gets there
        third = child(out, 0, True)
        points.append([k, second, third])
        k += 1
    print(json.dumps(points))
    """
)


@pytest.mark.slow
def test_resume_after_a_kill_at_every_write_step_gives_the_uninterrupted_tables(tmp_path):
    scenario = write_scenario(tmp_path, SHORT_2023, "short.toml")
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, str(scenario), str(tmp_path), "3"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    points = json.loads(proc.stdout.strip().splitlines()[-1])
    # 3 steps a file: the manifest at the start, per chunk (2) 4 shards, a record and the manifest,
    # the manifest at the end
    assert len(points) == 3 * (1 + 2 * 6 + 1)
    assert all(third == 0 for _, _, third in points)
    reference = load_results(tmp_path / "reference")
    for k, _, _ in points:
        out = tmp_path / f"k{k}"
        resumed = load_results(out)
        for table in TABLES:
            pd.testing.assert_frame_equal(getattr(reference, table), getattr(resumed, table), obj=f"k={k}")
        manifest = json.loads((out / "manifest.json").read_text())
        assert (manifest["status"], manifest["replicates_done"]) == ("complete", 3), k
        left = [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
        assert not left, (k, left)
