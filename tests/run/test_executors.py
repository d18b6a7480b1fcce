"""The default worker count: the CPUs this process may use, not the machine's."""

import os

import pytest

from sim.run import executors
from sim.run.executors import _cgroup_quota, available_cpus, make_executor


def test_available_cpus_is_the_affinity_mask_then_the_machine(monkeypatch):
    monkeypatch.setattr(executors, "_cgroup_quota", lambda: None)
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
    monkeypatch.setattr(executors, "_cgroup_quota", lambda: 4)
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
