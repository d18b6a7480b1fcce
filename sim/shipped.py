"""Files the project keeps beside the package (the scenario files, the observed record, the
brief) and where to find them: in a checkout (an editable install) its own folders; in an
installed wheel the copies `setup.py` puts in `sim/_shipped/`."""

from __future__ import annotations

from pathlib import Path

# name inside sim/_shipped -> path in the checkout
SHIPPED = {"scenarios": "scenarios", "observed": "observed", "BRIEF.md": "docs/BRIEF.md"}
PACKAGE = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The wheel's copy where the package was installed from one (it has `_shipped/`), else the
    checkout's (whatever else may lie beside an installed package, in site-packages, is not ours)."""
    wheel = PACKAGE / "_shipped"
    return wheel / name if wheel.is_dir() else PACKAGE.parent / SHIPPED[name]


def scenario(name: str) -> Path:
    """A shipped scenario file, e.g. "2025_counteroffensive.toml"."""
    return path("scenarios") / name
