"""What every benchmark section shares: a row of the printed table, the table, the machine.

Importing it puts this checkout's root first on sys.path, so the benchmarks measure this
copy's `sim` whether or not it is installed (dependencies may come from PYTHONPATH).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import platform
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclasses.dataclass
class Row:
    """One line of the printed table (and of the JSON `rows`)."""

    figure: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None

    def cells(self) -> list[str]:
        verdict = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        return [self.figure, f"{self.value:,.3f}".rstrip("0").rstrip("."), self.unit, self.target, verdict]


def table(rows: list[Row]) -> str:
    header = ["figure", "value", "unit", "target", ""]
    cells = [header, *(r.cells() for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = []
    for k, c in enumerate(cells):
        just = [
            c[0].ljust(widths[0]),
            c[1].rjust(widths[1]),
            *(x.ljust(w) for x, w in zip(c[2:], widths[2:], strict=True)),
        ]
        lines.append("  ".join(just).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def physical_cores() -> int | None:
    """Cores (not hardware threads) among the CPUs this process may use; None if unknown.
    Two hardware threads of one core share it: scaling flattens past the core count."""
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else range(os.cpu_count() or 0)
    cores = set()
    for cpu in cpus:
        topo = Path(f"/sys/devices/system/cpu/cpu{cpu}/topology")
        try:
            cores.add(((topo / "physical_package_id").read_text(), (topo / "core_id").read_text()))
        except OSError:
            return None
    return len(cores) or None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def environment() -> dict[str, Any]:
    import mesa
    import numpy as np

    import sim
    from sim.run.cpus import available_cpus

    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "numpy": np.__version__,
        "sim": sim.__version__,
        "sim_path": str(Path(sim.__file__).parent),
        "machine": platform.machine(),
        "system": platform.platform(),
        "cpu_model": cpu_model(),
        "cpus": os.cpu_count(),
        "cpus_usable": available_cpus(),
        "physical_cores": physical_cores(),
    }
