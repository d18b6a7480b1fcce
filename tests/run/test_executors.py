"""The default worker count (the CPUs this process may use, not the machine's), and workers
that start ready to run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.errors import EnvError
from sim.run import cpus, executors
from sim.run.cpus import _cgroup_quota, available_cpus
from sim.run.executors import SINGLE_THREADED, make_executor


def test_available_cpus_is_the_affinity_mask_then_the_machine(monkeypatch):
    monkeypatch.setattr(cpus, "_cgroup_quota", lambda: None)
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert available_cpus() == 3
    monkeypatch.setattr(os, "process_cpu_count", lambda: 5, raising=False)  # 3.13+
    assert available_cpus() == 5
    monkeypatch.delattr(os, "process_cpu_count")
    monkeypatch.delattr(os, "sched_getaffinity")
    assert available_cpus() == 64
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown
    assert available_cpus() == 1


def test_a_container_quota_caps_the_count(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.delattr(os, "process_cpu_count", raising=False)
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(cpus, "_cgroup_quota", lambda: 4)
    assert available_cpus() == 4


@pytest.mark.parametrize(
    "files, cpus",
    [
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 2),  # 1.5 CPUs: 2 workers
        ({"cpu.max": "400000 100000\n"}, 4),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, None),  # cgroup v1
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
        ({"cpu.max": "garbage"}, None),
        ({}, None),
    ],
)
def test_cgroup_quota(tmp_path, files, cpus):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    assert _cgroup_quota(tmp_path) == cpus


def test_slots_are_the_tasks_an_executor_runs_at_once():
    assert make_executor("serial", 8).slots == 1
    pool = make_executor("process", 3)
    try:
        assert pool.slots == 3
    finally:
        pool.shutdown()


PROBE = """
import multiprocessing.forkserver, sys
from pathlib import Path
from sim.run.executors import make_executor

if __name__ == "__main__":
    pool = make_executor(sys.argv[1], 1)
    preloaded = pool.submit(eval, "'sim.model.model' in __import__('sys').modules").result()
    warm = pool.submit(eval, "__import__('sim.run.warm').run.warm.WARMED").result()
    frozen = pool.submit(eval, "__import__('gc').get_freeze_count() > 0").result()
    pid = multiprocessing.forkserver._forkserver._forkserver_pid
    status = Path(f"/proc/{pid}/status").read_text()
    threads = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("Threads:"))
    pool.shutdown()
    print(preloaded, warm, frozen, threads)
"""


def _has_dask() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(
    "kind",
    ["process", pytest.param("dask", marks=pytest.mark.skipif(not _has_dask(), reason="no dask extra"))],
)
def test_workers_fork_ready_from_a_single_threaded_forkserver(tmp_path, kind):
    """The worker (of the pool, or of a local Dask cluster) has the model imported and its
    kernels loaded before its first task, with what it shares frozen out of the garbage
    collector's reach; the forkserver it forked from has one thread (none to deadlock a fork)."""
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    env = {k: v for k, v in os.environ.items() if k not in SINGLE_THREADED}
    done = subprocess.run(
        [sys.executable, str(script), kind], capture_output=True, text=True, env=env, check=True, timeout=120
    )
    assert done.stdout.split() == ["True", "True", "True", "1"], done.stderr
    assert "multi-threaded" not in done.stderr


PARENT = """
import sys
from sim.cli import main

if __name__ == "__main__":
    args = ["run", sys.argv[1], "--replicates", "2", "--workers", "2", "--out", sys.argv[2], "--quiet"]
    status = main(args)
    print(status, *(name in sys.modules for name in ("sim.model.model", "numba", "scipy.stats")))
"""


@pytest.mark.slow
def test_the_process_running_a_pool_never_imports_the_model_numba_or_scipy_stats(tmp_path):
    """`sim run` on workers: the parent only hands out chunks, writes shards and summarises, so it
    starts without the imports that take seconds (the workers have them from the forkserver)."""
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    warm_up = Path(executors.__file__).parents[1] / "data" / "warm_up.toml"
    done = subprocess.run(
        [sys.executable, str(script), str(warm_up), str(tmp_path / "out")],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert done.stdout.split()[-4:] == ["0", "False", "False", "False"], done.stdout + done.stderr


@pytest.mark.parametrize(
    ("soft", "hard", "raised_to", "refused"),
    [
        (1024, 4096, None, False),  # enough already
        (50, 4096, 64, False),  # raised to what 2 workers need, below the hard limit
        (50, 60, None, True),  # the hard limit is too low: one line, before any worker starts
    ],
)
def test_a_local_cluster_raises_or_checks_the_open_files_limit(monkeypatch, soft, hard, raised_to, refused):
    resource = pytest.importorskip("resource")
    set_to = []
    monkeypatch.setattr(resource, "getrlimit", lambda _: (soft, hard))
    monkeypatch.setattr(resource, "setrlimit", lambda _, limits: set_to.append(limits))
    if refused:
        with pytest.raises(EnvError, match=r"--workers 2: .* needs about 64 open files .* may open 60"):
            executors._open_files_for(2)
    else:
        executors._open_files_for(2)
    assert set_to == ([(raised_to, hard)] if raised_to else [])


@pytest.mark.slow  # starts a forkserver twice: a few seconds
def test_a_pool_after_a_stopped_forkserver_gets_a_new_one():
    """An interrupted pool stops the forkserver; a later pool in the same process (a notebook,
    the next test) failed with EOFError on the dead one's socket before it was forgotten."""
    if not executors.start_forkserver():
        pytest.skip("no forkserver on this platform")
    executors._stop_forkserver()
    pool = make_executor("process", 1)
    try:
        assert pool.submit(abs, -3).result(timeout=120) == 3
    finally:
        pool.shutdown()
