"""The scenario file format: every key, its type, default, allowed range and meaning.

One declaration serves validation (`sim check`), defaults, documentation
(`docs/ODD.md` lists these) and sampling of uncertain parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

RESISTANCE = ("MNDAA", "TNLA", "AA", "KIA", "KARENNI", "KNU", "CHIN", "PDF")
NEUTRAL = ("UWSA", "NDAA", "SSPP", "RCSS")
JUNTA = "JUNTA"
FACTIONS = (JUNTA, *RESISTANCE, *NEUTRAL)

DISTRIBUTIONS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "loguniform": ("low", "high"),
}


@dataclass(frozen=True)
class Field:
    """One scenario key.

    `uncertain` fields may be written as a distribution table, drawn once per
    replicate. `kind` is one of float, int, bool, str, date, strlist.
    """

    kind: str
    default: Any = None
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    uncertain: bool = False
    required: bool = False
    help: str = ""

    def allowed(self) -> str:
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        text = {
            "float": "a number",
            "int": "a whole number",
            "bool": "true or false",
            "str": "a string",
            "date": "a date (YYYY-MM-DD)",
            "strlist": "a list of strings",
        }[self.kind]
        fmt = (lambda x: f"{int(x):,}") if self.kind == "int" else (lambda x: f"{x:g}")
        if self.low is not None and self.high is not None:
            text += f" from {fmt(self.low)} to {fmt(self.high)}"
        elif self.low is not None:
            text += f" of at least {fmt(self.low)}"
        if self.uncertain:
            text += " (or a distribution table)"
        return text


def F(default: float, low: float, high: float, help: str = "", uncertain: bool = True) -> Field:
    return Field("float", default, low, high, uncertain=uncertain, help=help)


RUN = {
    "start": Field("date", required=True, help="first simulated day"),
    "end": Field("date", required=True, help="last simulated day (inclusive)"),
    "replicates": Field("int", 50, 1, 1_000_000, help="stochastic replicates"),
    "seed": Field("int", 0, 0, 2**63 - 1, help="root seed of numpy.random.SeedSequence"),
    "initial_control": Field(
        "str", required=True, help="which control column of sim/data/towns.csv starts the run"
    ),
}

CONSCRIPTION = {
    "enabled": Field("bool", False, help="People's Military Service Law intake"),
    "start": Field("date", help="first intake (default: run start)"),
    "monthly_intake": F(5000, 0, 100_000, "recruits entering training each 30 days"),
    "training_days": Field("int", 90, 0, 365, help="days from intake to a deployable formation"),
    "quality": F(0.45, 0.05, 1, "training quality of conscript formations"),
}

JUNTA_FIELDS = {
    "strength": F(70_000, 1_000, 1_000_000, "combat troops at the start"),
    "mobile_share": F(0.3, 0, 0.9, "share in mobile formations (LIDs, reserves)"),
    "quality": F(0.6, 0.05, 1, "training and equipment of standing formations"),
    "morale": F(0.5, 0.05, 1, "baseline cohesion of formations"),
    "leadership": F(0.5, 0, 1, "command competence: reaction, targeting, orderly withdrawal"),
    "drones": F(0.2, 0, 1, "drone use, 0 none .. 1 in every operation"),
    "air_doctrine": Field(
        "str", "reactive", choices=("reactive", "preemptive"), help="strikes after a siege, or at its start"
    ),
    "air_strikes_per_day": F(2.3, 0, 100, "mean air strikes a day, nationwide"),
    "posture": Field(
        "str", "defensive", choices=("defensive", "offensive"), help="hold and reinforce, or retake towns"
    ),
    "unit_size": Field("float", 1500, 100, 20_000, help="strength of a mobile formation"),
    "desertion_rate": F(0.002, 0, 0.05, "daily desertion share at zero morale"),
    "recruitment_per_day": F(50, 0, 10_000, "voluntary recruits a day"),
    "conscription": CONSCRIPTION,
}

RESISTANCE_FIELDS = {
    "coordination": F(0.5, 0, 1, "synchronised offensive (1) vs loose alignment (0)"),
    "drones": F(0.5, 0, 1, "drone use by the resistance, 0 none .. 1 saturating"),
    "morale": F(0.8, 0.05, 1, "baseline cohesion of resistance units"),
}

FACTION_FIELDS = {
    "strength": F(0, 0, 500_000, "fighters at the start"),
    "quality": F(0.6, 0.05, 1, "training and equipment"),
    "posture": Field(
        "str", "defensive", choices=("defensive", "offensive"), help="assault junta towns, or hold its own"
    ),
    "operating_states": Field(
        "strlist", None, help="states/regions it fights in (default: where it holds or operates)"
    ),
    "uwsa_client": Field("bool", False, help="receives arms and ammunition from the UWSA"),
    "recruitment_per_day": F(10, 0, 5_000, "recruits a day while arms allow"),
    "ammo_days": F(30, 0, 365, "ammunition stock at the start, in days of full engagement"),
}

CHINA = {
    "stance": Field(
        "str",
        "neutral",
        choices=("pro_resistance", "neutral", "pro_junta"),
        help="trade at open China crossings 100/70/40 %; pro_junta adds junta_support",
    ),
    "embargo": Field("bool", False, help="border trade with resistance-held crossings closed"),
    "trade_income": F(1000, 0, 1_000_000, "ammunition bought a day with the revenue of a border crossing"),
    "junta_support": F(0.1, 0, 1, "materiel gain of the junta when China backs it"),
}

UWSA = {
    "supply": Field("bool", True, help="the UWSA supply line to client factions is open"),
    "deliveries_per_day": F(4000, 0, 1_000_000, "ammunition (fighter-days) a day to clients"),
    "arms_per_day": F(30, 0, 10_000, "weapons a day to clients"),
}

MODEL = {
    "lethality": F(0.002, 1e-5, 1, "daily casualties per effective opposing fighter in assault"),
    "harassment": F(0.15, 0, 1, "intensity of guerrilla contact relative to assault"),
    "fortification": F(3.0, 1, 10, "defence multiplier of a fortified junta town"),
    "field_fortification": F(1.3, 1, 10, "defence multiplier of a resistance-held town"),
    "naval_support": F(2.0, 1, 5, "junta defence multiplier on the coast (naval guns)"),
    "terrain_hill": F(1.2, 1, 5, "defence multiplier in hills"),
    "terrain_mountain": F(1.5, 1, 5, "defence multiplier in mountains"),
    "drone_effect": F(0.5, 0, 3, "effectiveness gain at drones = 1"),
    "air_effect": F(1.0, 0, 2, "junta effectiveness gain per air strike on an engagement"),
    "air_kill": F(5, 0, 100, "resistance casualties per air strike"),
    "air_morale": F(0.02, 0, 1, "resistance morale lost per air strike on its position"),
    "air_delay_days": Field("int", 4, 0, 60, help="reactive doctrine: days before strikes arrive"),
    "outpost_area_km2": F(300, 10, 10_000, "area one junta outpost stands for"),
    "outpost_fall_rate": F(0.05, 0, 1, "daily chance an outpost falls at even odds"),
    "arms_per_outpost": F(20, 0, 1000, "weapons captured with an outpost"),
    "morale_shock": F(0.8, 0, 50, "morale lost per share of strength lost in a day"),
    "morale_pressure": F(0.003, 0, 1, "daily morale loss per unit of adverse force ratio"),
    "morale_recovery": F(0.03, 0, 1, "daily morale recovery toward baseline"),
    "isolation_morale": F(0.01, 0, 1, "daily morale loss of a garrison cut from supply"),
    "morale_break": F(0.1, 0, 1, "morale at which a garrison gives up the town"),
    "surrender_share": F(0.4, 0, 1, "share surrendering (vs withdrawing) when a garrison breaks"),
    "defection_share": F(0.05, 0, 1, "share of surrendered troops joining the resistance"),
    "attack_ratio": F(2.0, 0.1, 10, "force ratio a commander wants before assaulting"),
    "retreat_ratio": F(0.4, 0, 5, "force ratio under which attackers fall back"),
    "coordination_bonus": F(0.5, 0, 2, "gain when allied factions assault together"),
    "shortage_threshold": F(0.35, 0, 1, "ammunition ratio under which a faction turns defensive"),
    "ammo_use": F(2.0, 0, 20, "ammunition a fighter uses a day of assault (fighter-days)"),
    "ammo_reserve_days": F(30, 1, 365, "days of full engagement a faction wants in stock"),
    "local_ammo_per_day": F(50, 0, 100_000, "own production and purchases per 1,000 fighters"),
    "guerrilla_share": F(0.25, 0, 1, "share of a faction in local detachments where it operates"),
    "rebel_unit_size": Field("float", 800, 50, 10_000, help="strength of a resistance unit"),
    "displacement_assault": F(0.006, 0, 1, "daily share of residents fleeing an assault"),
    "displacement_clearance": F(0.001, 0, 1, "daily share fleeing a junta sweep of the countryside"),
    "displacement_harassment": F(0.00005, 0, 1, "daily share fleeing guerrilla fighting"),
    "displacement_air": F(0.001, 0, 1, "share fleeing per air strike"),
    "displacement_capture": F(0.03, 0, 1, "share fleeing when a town changes hands"),
    "move_km_per_day": F(60, 5, 500, "road march a day"),
    "consolidation_days": Field("int", 10, 0, 90, help="days victors hold a captured town before moving on"),
    "garrison_share": F(0.3, 0, 1, "share a mobile formation leaves to hold a captured town"),
}

EVENT_KINDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required keys, optional keys) besides date, kind, id, note
    "ceasefire": ({"faction"}, {"hand_over"}),
    "ceasefire_end": ({"faction"}, set()),
    "handover": ({"faction", "towns"}, {"to"}),
    "offensive": ({"faction"}, set()),
    "defensive": ({"faction"}, set()),
    "embargo": ({"active"}, set()),
    "uwsa_supply": ({"active"}, set()),
    "china_stance": ({"stance"}, set()),
}

EVENT_FIELDS = {
    "date": Field("date", required=True),
    "kind": Field("str", required=True, choices=tuple(EVENT_KINDS)),
    "id": Field("str", help="name other files use in remove_events"),
    "note": Field("str", help="source or reason"),
    "faction": Field("str", choices=FACTIONS),
    "hand_over": Field("strlist", help="towns handed to the junta on that date"),
    "towns": Field("strlist"),
    "to": Field("str", JUNTA, choices=FACTIONS),
    "active": Field("bool"),
    "stance": Field("str", choices=CHINA["stance"].choices),
}

TOP = {
    "name": Field("str", required=True),
    "description": Field("str", ""),
    "run": RUN,
    "junta": JUNTA_FIELDS,
    "resistance": RESISTANCE_FIELDS,
    "china": CHINA,
    "uwsa": UWSA,
    "model": MODEL,
}
# Handled apart: `extends`, `factions` (a table per faction), `events`, `remove_events`.
SPECIAL_TOP = ("extends", "factions", "events", "remove_events")


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
