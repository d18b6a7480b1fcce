"""Names of the end-state metrics (light to import: the command line lists them in its help)."""

from __future__ import annotations

from sim.model.recorder import COLUMNS, FACTION_TOWNSHIPS

# Recorded state flags, not outcomes.
NOT_OUTCOMES = {"air_strikes", "junta_commands_offensive", "offensive_factions"}
# End-state metrics reported by `sim run`, `sim compare` and the tables.
HEADLINE = tuple(c for c in COLUMNS if c not in NOT_OUTCOMES and c not in FACTION_TOWNSHIPS)
# Change over the run (end minus start) for stock metrics, named "<metric>_change".
CHANGES = ("townships_junta", "junta_area_share", "junta_full_control_share", "townships_AA")
END_METRICS = (*HEADLINE, *(f"{c}_change" for c in CHANGES))
