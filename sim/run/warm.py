"""Imported by the worker pool's forkserver before it forks any worker: runs one replicate
of a three-day scenario of defaults with one resistance faction (sim/data/warm_up.toml),
which loads every compiled kernel from numba's cache. Every worker forked afterwards has
them in memory, shared, and starts its first replicate at full speed, instead of spending
about a second loading them itself. Then it freezes what it holds out of the garbage
collector's reach (`gc.freeze`): a collection in a worker would otherwise write into every
object it inspects and so copy into that worker each page it shares with the others.

A failure here only costs that time, so it is never raised.
"""

from __future__ import annotations

import gc
from pathlib import Path

WARM_UP = Path(__file__).resolve().parents[1] / "data" / "warm_up.toml"


def warm_up() -> bool:
    """Run the warm-up replicate; False if it could not run."""
    try:
        from sim.run.replicate import build_model
        from sim.scenario import load_scenario

        build_model(load_scenario(WARM_UP), 1, 0).run()
    except Exception:  # an optimisation only: the workers then load the kernels themselves
        return False
    finally:
        # what the forkserver holds now, the workers share: keep the collector from writing
        # into it in every worker (copying the page) while it looks for cycles
        gc.collect()
        gc.freeze()
    return True


WARMED = warm_up()

if __name__ == "__main__":  # `make setup`: compile and cache the kernels once, ahead of any run
    print("compiled the model's kernels" if WARMED else "could not compile the kernels ahead; runs will")
