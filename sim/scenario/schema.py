"""The scenario file format: every key, its type, default, range, meaning and source.

Each table of a scenario file is a frozen dataclass below; its attributes are
the keys. One declaration serves validation (`sim check`), defaults, the
parameter table of docs/ODD.md, sampling of uncertain parameters, and the
typed parameters (`Params`) the model reads. Behavioural numbers of the
model's rules live in `sim.scenario.rules`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.scenario.fields import ASSUMPTION, Field, key, number, section, spec_of, whole
from sim.scenario.rules import ModelParams
from sim.world.factions import FACTIONS, JUNTA, RESISTANCE

POSTURES = ("auto", "offensive", "defensive")


def posture_field() -> Any:
    """A commander's posture: decided by itself unless a counterfactual forces it."""
    return key(
        Field(
            "str",
            "auto",
            choices=POSTURES,
            help="auto: the commander decides from the balance of forces; offensive or defensive: "
            "a forced counterfactual override",
        )
    )


@dataclass(frozen=True)
class RunParams:
    start: dt.date = key(Field("date", required=True, help="first simulated day"))
    end: dt.date = key(Field("date", required=True, help="last simulated day (inclusive)"))
    replicates: int = key(Field("int", 50, 1, 1_000_000, help="stochastic replicates"))
    seed: int = key(Field("int", 0, 0, 2**63 - 1, help="root seed of numpy.random.SeedSequence"))
    initial_control: str = key(
        Field(
            "str",
            required=True,
            help="the start in sim/data/start.csv the run begins from (2023: 27 Oct 2023; 2025: 1 Jun 2025)",
        )
    )
    fitted_until: dt.date | None = key(
        Field(
            "date",
            help="the training cut-off of the calibration this file's distributions come from: "
            "`sim score` calls later dates out of sample",
        )
    )


@dataclass(frozen=True)
class ConscriptionParams:
    enabled: bool = key(Field("bool", False, help="People's Military Service Law intake"))
    start: dt.date | None = key(Field("date", help="first intake (default: run start)"))
    monthly_intake: float = number(5000, 0, 100_000, "recruits entering training each intake")
    training_days: int = whole(90, 0, 365, "days from intake to a deployable formation", "AFP/CNA Sep 2024")
    quality: float = number(0.45, 0.05, 1, "training quality of conscript formations")
    intake_every_days: int = whole(
        30, 1, 365, "days between intakes", "Irrawaddy: batches of about 5,000 a month"
    )


@dataclass(frozen=True)
class JuntaParams:
    strength: float = number(70_000, 1_000, 1_000_000, "combat troops at the start", "USIP May 2023")
    mobile_share: float = number(0.3, 0, 0.9, "share in mobile formations (LIDs, reserves)")
    quality: float = number(0.6, 0.05, 1, "training and equipment of standing formations")
    morale: float = number(0.5, 0.05, 1, "baseline cohesion of formations")
    leadership: float = number(0.5, 0, 1, "command competence: reaction, targeting, orderly withdrawal")
    drones: float = number(0.2, 0, 1, "drone use, 0 none .. 1 in every operation")
    air_doctrine: str = key(
        Field(
            "str",
            "reactive",
            choices=("reactive", "preemptive"),
            help="strikes after a siege, or at its start",
            source="DW-2025",
        )
    )
    air_strikes_per_day: float = number(
        2.3, 0, 100, "mean air strikes a day, nationwide", "NLTA via Irrawaddy"
    )
    posture: str = posture_field()
    unit_size: float = key(
        Field("float", 1500, 100, 20_000, help="strength of a mobile formation", source=ASSUMPTION)
    )
    desertion_rate: float = number(0.002, 0, 0.05, "daily desertion share at zero morale")
    recruitment_per_day: float = number(50, 0, 10_000, "voluntary recruits a day")
    conscription: ConscriptionParams = section(ConscriptionParams)


@dataclass(frozen=True)
class ResistanceParams:
    coordination: float = number(0.5, 0, 1, "synchronised offensive (1) vs loose alignment (0)")
    drones: float = number(0.5, 0, 1, "drone use by the resistance, 0 none .. 1 saturating")
    morale: float = number(0.8, 0.05, 1, "baseline cohesion of resistance units")
    arms_per_fighter: float = number(
        1.1, 0, 10, "weapons a faction holds per fighter at the start", ASSUMPTION
    )


@dataclass(frozen=True)
class FactionParams:
    strength: float = number(0, 0, 500_000, "fighters at the start")
    quality: float = number(0.6, 0.05, 1, "training and equipment")
    posture: str = posture_field()
    operating_states: tuple[str, ...] | None = key(
        Field("strlist", None, help="states/regions it fights in (default: where it holds or operates)")
    )
    uwsa_client: bool = key(Field("bool", False, help="receives arms and ammunition from the UWSA"))
    recruitment_per_day: float = number(10, 0, 5_000, "recruits a day while arms allow")
    ammo_days: float = number(30, 0, 365, "ammunition stock at the start, in days of full engagement")
    ceasefire: bool = key(
        Field("bool", False, help="in a ceasefire at the start; afterwards it decides (model/ceasefire.py)")
    )


STANCES = ("pro_resistance", "neutral", "pro_junta")


@dataclass(frozen=True)
class TradeShareParams:
    """Share of normal trade a resistance-held China crossing keeps, by China's stance."""

    pro_resistance: float = number(1.0, 0, 1, "2023: gates open, tacit support", "AP-2023")
    neutral: float = number(0.7, 0, 1, "neither side favoured", ASSUMPTION)
    pro_junta: float = number(0.4, 0, 1, "gates throttled", "DW-2025; Nation Thailand")

    def of(self, stance: str) -> float:
        return float(getattr(self, stance))


@dataclass(frozen=True)
class ChinaParams:
    stance: str = key(
        Field(
            "str",
            "neutral",
            choices=STANCES,
            help="trade at open China crossings by trade_share; pro_junta adds junta_support",
        )
    )
    embargo: bool = key(Field("bool", False, help="border trade with resistance-held crossings closed"))
    decides: bool = key(
        Field(
            "bool",
            True,
            help="China changes its stance and embargo from its interests (model/china.py); "
            "false: they stay as the file and its dated events set them",
        )
    )
    brokers: bool = key(
        Field(
            "bool", True, help="China presses the factions on its border for ceasefires (model/ceasefire.py)"
        )
    )
    trade_income: float = number(
        1000, 0, 1_000_000, "ammunition bought a day with a border crossing's revenue"
    )
    junta_support: float = number(0.1, 0, 1, "materiel gain of the junta when China backs it")
    trade_share: TradeShareParams = section(TradeShareParams)


@dataclass(frozen=True)
class UwsaParams:
    supply: bool = key(
        Field(
            "bool",
            True,
            help="the UWSA supplies its clients unless China presses it to stop; false: no supply line",
        )
    )
    deliveries_per_day: float = number(4000, 0, 1_000_000, "ammunition (fighter-days) a day to clients")
    arms_per_day: float = number(30, 0, 10_000, "weapons a day to clients")


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
    "change": ({"parameter", "value"}, set()),
    "election": ({"polling"}, set()),
}
# What a dated `change` event may set: capabilities, laws and outside support, which were
# exogenous to the fighting [DW-2025: drones, air doctrine, command; NLTA: air strike tempo].
CHANGEABLE = (
    "junta.drones",
    "junta.air_doctrine",
    "junta.air_strikes_per_day",
    "junta.leadership",
    "junta.recruitment_per_day",
    "resistance.drones",
    "resistance.coordination",
    "china.junta_support",
    "china.trade_income",
    "uwsa.deliveries_per_day",
    "uwsa.arms_per_day",
)


@dataclass(frozen=True)
class Event:
    """A dated exogenous event: a political agreement, or a decision of China or the UWSA."""

    date: dt.date = key(Field("date", required=True))
    kind: str = key(Field("str", required=True, choices=tuple(EVENT_KINDS)))
    id: str | None = key(Field("str", help="name other files use in remove_events"))
    note: str | None = key(Field("str", help="source or reason"))
    faction: str | None = key(Field("str", choices=FACTIONS))
    hand_over: tuple[str, ...] | None = key(
        Field("strlist", help="townships handed to the junta on that date")
    )
    towns: tuple[str, ...] | None = key(Field("strlist"))
    to: str = key(Field("str", JUNTA, choices=FACTIONS))
    active: bool | None = key(Field("bool"))
    stance: str | None = key(Field("str", choices=STANCES))
    parameter: str | None = key(Field("str", choices=CHANGEABLE, help="what a change event sets"))
    value: Any = key(Field("scalar", help="its new value, checked as that key is"))
    polling: dt.date | None = key(Field("date", help="first day of voting in an announced election"))


@dataclass(frozen=True)
class Params:
    """One draw of a scenario: what a replicate's model reads."""

    run: RunParams = section(RunParams)
    junta: JuntaParams = section(JuntaParams)
    resistance: ResistanceParams = section(ResistanceParams)
    china: ChinaParams = section(ChinaParams)
    uwsa: UwsaParams = section(UwsaParams)
    model: ModelParams = section(ModelParams)
    factions: Mapping[str, FactionParams] = key(Field("table"))
    events: tuple[Event, ...] = key(Field("table"))
    particle: int = key(Field("int", -1, help="the posterior particle drawn; -1 without a posterior"))


RUN = spec_of(RunParams)
FACTION_FIELDS = spec_of(FactionParams)
EVENT_FIELDS = spec_of(Event)
SECTION_TYPES: dict[str, type] = {
    "run": RunParams,
    "junta": JuntaParams,
    "resistance": ResistanceParams,
    "china": ChinaParams,
    "uwsa": UwsaParams,
    "model": ModelParams,
}
SECTIONS = tuple(SECTION_TYPES)
TOP: dict[str, Any] = {
    "name": Field("str", required=True),
    "description": Field("str", ""),
    **{name: spec_of(Params)[name] for name in SECTIONS},
}
# Handled apart: `extends`, `factions` (a table per faction), `events`, `remove_events`,
# `posterior` (a fitted posterior's file, sim/scenario/posterior.py).
SPECIAL_TOP = ("extends", "factions", "events", "remove_events", "posterior")
# Every key a scenario holds after loading, factions included, in sampling order.
FULL: dict[str, Any] = {**TOP, "factions": {code: FACTION_FIELDS for code in RESISTANCE}}
