"""Fingerprint of the full results tables of a few replicates of every shipped scenario.

A refactor that must change no number keeps this fingerprint: run it before
and after and compare. Runs serially through the `sim` command so it works
across internal reorganisations.

    python benchmarks/hash_tables.py [--replicates 3]
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's values, whatever the order of its rows and columns."""
    keys = [k for k in ("replicate", "day", "pcode") if k in frame.columns]
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    frame = frame[sorted(frame.columns)]
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()


def table_digest(path: Path) -> str:
    return frame_digest(pd.read_parquet(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=3)
    args = parser.parse_args()
    files = sorted((ROOT / "scenarios").rglob("*.toml"))
    total = hashlib.sha256()
    with tempfile.TemporaryDirectory() as tmp:
        for path in files:
            out = Path(tmp) / path.stem
            cmd = [sys.executable, "-m", "sim", "run", str(path), "--replicates", str(args.replicates)]
            cmd += ["--workers", "1", "--executor", "serial", "--quiet", "--out", str(out)]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)  # this copy's code
            tables = sorted(p.name for p in out.glob("*.parquet"))
            digests = [table_digest(out / t) for t in tables]
            for d in digests:
                total.update(d.encode())
            print(
                f"{path.relative_to(ROOT)}: "
                + " ".join(f"{t}={d[:12]}" for t, d in zip(tables, digests, strict=True))
            )
    print(f"all: {total.hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
