"""Who fights whom: the factions, and the side each belongs to (defined here only)."""

from __future__ import annotations

import numpy as np

JUNTA = "JUNTA"
RESISTANCE = ("MNDAA", "TNLA", "AA", "KIA", "KARENNI", "KNU", "CHIN", "PDF")
NEUTRAL = ("UWSA", "NDAA", "SSPP", "RCSS")  # armed, but not fighting the junta [AP-2023; DW-2025]
FACTIONS = (JUNTA, *RESISTANCE, *NEUTRAL)

SIDES = ("junta", "resistance", "neutral")
JUNTA_SIDE, RESISTANCE_SIDE, NEUTRAL_SIDE = 0, 1, 2
# side of each faction index in FACTIONS
SIDE = np.array([JUNTA_SIDE] + [RESISTANCE_SIDE] * len(RESISTANCE) + [NEUTRAL_SIDE] * len(NEUTRAL))


def faction_index(code: str) -> int:
    return FACTIONS.index(code)


def side_name(code: str) -> str:
    """ "junta", "resistance" or "neutral" for a faction code."""
    return SIDES[SIDE[FACTIONS.index(code)]]
