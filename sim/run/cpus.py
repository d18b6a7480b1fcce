"""How many CPUs this process may use: the default worker count of every command."""

from __future__ import annotations

import os
from pathlib import Path


def available_cpus() -> int:
    """CPUs this process may use: its affinity mask (taskset, a batch scheduler's cpuset) and a
    container's CPU quota, not the machine's count, so a default of one worker each never
    oversubscribes a share of a larger machine."""
    if hasattr(os, "process_cpu_count"):  # 3.13+: the affinity mask, or PYTHON_CPU_COUNT
        n = os.process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        n = len(os.sched_getaffinity(0))
    else:
        n = os.cpu_count()
    quota = _cgroup_quota()
    return max(1, min(n or 1, quota or n or 1))


def _cgroup_quota(root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """CPUs a container's quota allows (cgroup v2 cpu.max or v1 cfs quota), rounded up; None
    without one. Read where a container sees its own cgroup (the root of its cgroup namespace)."""
    try:
        quota, period = (root / "cpu.max").read_text(encoding="ascii").split()[:2]
    except (OSError, ValueError):
        try:
            quota = (root / "cpu" / "cpu.cfs_quota_us").read_text(encoding="ascii")
            period = (root / "cpu" / "cpu.cfs_period_us").read_text(encoding="ascii")
        except OSError:
            return None
    try:
        q, p = int(quota), int(period)
    except ValueError:  # "max": no quota
        return None
    return -(-q // p) if q > 0 and p > 0 else None
