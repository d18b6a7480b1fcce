"""Behavioural numbers of the model's rules: the `[model]` table of a scenario file.

Every number a rule uses lives here with its range, meaning and source
(a citation, "calibration" or "assumption"), so it can be calibrated, varied
in a sensitivity analysis, and found in docs/ODD.md. What stays a literal in
the model code is structural (0, 1, array shapes).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.fields import ASSUMPTION, Field, key, number, section, whole


@dataclass(frozen=True)
class JuntaValues:
    """What a township's features add to its worth to the junta: its 2025 campaign aimed above
    all at trade corridors and mines [DW-2025], with the election as a deadline [BRIEF]."""

    crossing: float = number(3.0, 0, 20, "border crossing", "DW-2025")
    corridor: float = number(3.0, 0, 20, "trade corridor", "DW-2025")
    mine: float = number(3.0, 0, 20, "gem or mineral mine", "DW-2025")
    capital: float = number(1.0, 0, 20, "state or regional capital", ASSUMPTION)
    hq: float = number(0.5, 0, 20, "military command headquarters", ASSUMPTION)
    election: float = number(
        1.0, 0, 20, "every township while an announced election's polls are ahead", "BRIEF; as a capital"
    )


@dataclass(frozen=True)
class ResistanceValues:
    """What a township's features add to its worth to the resistance: border gates for
    revenue [AP-2023: 4 crossings with China taken], seats of power."""

    crossing: float = number(3.0, 0, 20, "border crossing", "AP-2023")
    corridor: float = number(1.5, 0, 20, "trade corridor", ASSUMPTION)
    mine: float = number(1.5, 0, 20, "gem or mineral mine", ASSUMPTION)
    capital: float = number(1.5, 0, 20, "state or regional capital", ASSUMPTION)
    hq: float = number(2.0, 0, 20, "military command headquarters", "AP-2023: 4 major bases taken")


@dataclass(frozen=True)
class TownValueParams:
    """Worth of a township = (1 + ln(1 + population / population_scale)) x (1 + sum of feature weights)."""

    population_scale: float = number(1e5, 1e3, 1e7, "residents at which population adds ln 2", ASSUMPTION)
    junta: JuntaValues = section(JuntaValues)
    resistance: ResistanceValues = section(ResistanceValues)


@dataclass(frozen=True)
class GarrisonParams:
    """Where the junta's garrison troops stand at the start: weight of a township =
    (base + outposts + feature weights) x (1 + front if contested) + population / population_scale."""

    base: float = number(2.0, 0, 100, "weight of every junta township", ASSUMPTION)
    hq: float = number(40.0, 0, 1000, "command headquarters", ASSUMPTION)
    capital: float = number(30.0, 0, 1000, "state or regional capital", ASSUMPTION)
    crossing: float = number(5.0, 0, 1000, "border crossing", ASSUMPTION)
    corridor: float = number(3.0, 0, 1000, "trade corridor township", ASSUMPTION)
    front: float = number(
        1.0, 0, 10, "extra share where the resistance operates around the township", ASSUMPTION
    )
    population_scale: float = number(2e4, 1e3, 1e7, "residents worth one unit of weight", ASSUMPTION)


@dataclass(frozen=True)
class TacticsParams:
    """Unit-level choices: when to assault, reinforce, redeploy; how targets are scored."""

    redeploy_chance: float = number(0.25, 0, 1, "daily chance an idle rear unit marches toward the front")
    reinforce_chance: float = number(0.5, 0, 1, "daily chance idle units answer a neighbour under threat")
    hold_danger: float = number(0.5, 0, 10, "junta threat / own power at which all units stay home")
    reinforce_danger: float = number(1.0, 0, 10, "threat / power at which a township asks for help")
    ratio_cap: float = number(3.0, 1, 20, "force ratio beyond which more odds add no target value")
    joint_assault: float = number(2.0, 0, 10, "extra target value of a township allies already assault")
    defensive_home_weight: float = number(
        2.0, 0, 10, "weight of own townships vs operating areas when a defensive faction deploys", ASSUMPTION
    )
    formations_per_target: float = number(6, 1, 100, "mobile formations per junta offensive objective")
    target_defence_offset: float = number(
        200, 0, 10_000, "defence added before ranking junta objectives by value / sqrt(defence)"
    )
    form_up_share: float = number(
        0.5, 0.05, 1, "share of a unit's size at which a faction's recruits form a unit", ASSUMPTION
    )


@dataclass(frozen=True)
class LeadershipParams:
    """How junta command competence (junta.leadership, L in 0..1) acts [DW-2025]."""

    strength_base: float = number(0.8, 0, 2, "junta strength multiplier at L = 0")
    strength_gain: float = number(0.4, 0, 2, "added to the multiplier at L = 1")
    reaction_floor: float = number(0.3, 0, 1, "daily chance formations react to a new plan at L = 0")
    plan_days: float = number(7, 1, 60, "days between plans at L = 0", ASSUMPTION)
    plan_gain: float = number(5, 0, 59, "days fewer between plans at L = 1", ASSUMPTION)
    target_noise: float = number(1.0, 0, 5, "sd of log error in valuing objectives at L = 0")
    morale_loss_base: float = number(1.5, 0.5, 5, "morale losses are scaled by (base - L)")
    surrender_base: float = number(1.25, 0, 5, "garrison surrender share scaled by (base - gain L)")
    surrender_gain: float = number(0.5, 0, 5, "see surrender_base")


@dataclass(frozen=True)
class AirParams:
    """Where the day's air strikes go, by doctrine [DW-2025]."""

    opening_days: int = whole(3, 0, 60, "pre-emptive: days an engagement counts as opening")
    opening_weight: float = number(2.0, 0, 20, "pre-emptive: extra weight of an opening engagement")
    attack_weight: float = number(2.0, 0, 20, "pre-emptive: extra weight of a junta assault")
    reprisal_days: int = whole(14, 0, 365, "reactive: days a lost township draws reprisal strikes", "AP-2023")


@dataclass(frozen=True)
class SeasonParams:
    """The south-west monsoon, roughly June to October, slows marches and grounds aircraft."""

    monsoon_start: int = whole(6, 1, 12, "first month of the monsoon", "climatology: Jun-Oct rains")
    monsoon_end: int = whole(10, 1, 12, "last month of the monsoon", "climatology: Jun-Oct rains")
    march: float = number(0.6, 0.05, 1, "road march in the monsoon, share of the dry-season pace", ASSUMPTION)
    air: float = number(0.5, 0, 1, "air strikes in the monsoon, share of the dry-season tempo", ASSUMPTION)


@dataclass(frozen=True)
class StrategyParams:
    """When a commander goes on the offensive: its balance of forces against a margin
    (model/strategy.py). Fitted on the 2023 window only (docs/ODD.md, Calibration)."""

    resistance_margin: float = number(
        0.6, 0.05, 10, "resistance: (own + coordination x allies) / junta strength where it fights"
    )
    junta_margin: float = number(
        1.5, 0.05, 10, "junta: a regional command's strength / fighting resistance strength in its area"
    )
    hysteresis: float = number(0.2, 0, 0.9, "a committed offensive stops below margin x (1 - hysteresis)")
    plan_days: int = whole(7, 1, 90, "days between a resistance faction's strategic reviews", ASSUMPTION)
    hq_loss_days: int = whole(
        60, 0, 730, "days a regional command that lost its headquarters cannot attack", ASSUMPTION
    )


@dataclass(frozen=True)
class ChinaRules:
    """How China acts on its interests (model/china.py): the scam compounds on its border, the
    trade through its gates and its pipelines, and a neighbour that does not collapse."""

    trade_days: int = whole(
        14, 1, 28, "days in 4 weeks of fighting at its gates or pipelines before it brokers talks", ASSUMPTION
    )
    memory_days: int = whole(
        180, 0, 1000, "days it keeps backing the junta after the regime regains its lost commands", ASSUMPTION
    )
    brokering_pressure: float = number(
        0.5, 0, 1, "pressure of talks it brokers while neutral (backing the junta: 1)", ASSUMPTION
    )


@dataclass(frozen=True)
class CeasefireRules:
    """When a resistance faction accepts a ceasefire China presses for (model/ceasefire.py)."""

    resolve: float = number(
        1.0, 0.05, 20, "it fights on while its expected gain is at least resolve x the cost", ASSUMPTION
    )
    loss_days: int = whole(90, 7, 365, "days over which its lost townships count as its losses", ASSUMPTION)
    min_days: int = whole(
        120,
        0,
        730,
        "days a ceasefire holds before a faction weighs fighting again",
        "Haigeng: 11 Jan-25 Jun 2024",
    )


@dataclass(frozen=True)
class ModelParams:
    lethality: float = number(
        0.002,
        1e-5,
        1,
        "daily casualties per effective opposing fighter in assault",
        "Lanchester 1916 (square law); calibration",
    )
    harassment: float = number(0.15, 0, 1, "intensity of guerrilla contact relative to assault")
    fortification: float = number(3.0, 1, 10, "defence multiplier of a fortified junta township")
    field_fortification: float = number(1.3, 1, 10, "defence multiplier of a resistance-held township")
    naval_support: float = number(
        2.0,
        1,
        5,
        "junta defence multiplier on the coast (naval guns)",
        "AP-2023: naval guns on the Rakhine coast; calibration",
    )
    terrain_hill: float = number(1.2, 1, 5, "defence multiplier in hills")
    terrain_mountain: float = number(1.5, 1, 5, "defence multiplier in mountains")
    drone_effect: float = number(0.5, 0, 3, "effectiveness gain at drones = 1")
    air_effect: float = number(1.0, 0, 2, "most junta effectiveness air support can add to an engagement")
    air_saturation: float = number(
        2.0, 0.1, 50, "air strikes on one engagement that give 63 % of air_effect (1 - exp(-strikes / this))"
    )
    air_kill: float = number(5, 0, 100, "resistance casualties per air strike")
    air_civilians: float = number(
        0.44,
        0,
        20,
        "civilians killed per air strike on a township whose people have not fled",
        "NLTA via Irrawaddy, 23 May 2024: 359 killed in 819 strikes, Jan-Apr 2024",
    )
    air_morale: float = number(0.02, 0, 1, "resistance morale lost per air strike on its position")
    air_delay_days: int = whole(4, 0, 60, "reactive doctrine: days before strikes arrive")
    outpost_area_km2: float = number(300, 10, 10_000, "area one junta outpost stands for")
    outpost_fall_rate: float = number(
        0.05,
        0,
        1,
        "daily chance an outpost falls at even odds",
        "calibration (AP-2023: >180 outposts in five weeks)",
    )
    arms_per_outpost: float = number(20, 0, 1000, "weapons captured with an outpost")
    morale_shock: float = number(0.8, 0, 50, "morale lost per share of strength lost in a day")
    morale_pressure: float = number(0.003, 0, 1, "daily morale loss per unit of adverse force ratio")
    morale_recovery: float = number(0.03, 0, 1, "daily morale recovery toward baseline")
    isolation_morale: float = number(0.01, 0, 1, "daily morale loss of a garrison cut from supply")
    morale_break: float = number(0.1, 0, 1, "morale at which a garrison gives up the township")
    surrender_share: float = number(
        0.4,
        0,
        1,
        "share surrendering (vs withdrawing) when a garrison breaks",
        "AP-2023: surrenders and defections; calibration",
    )
    defection_share: float = number(0.05, 0, 1, "share of surrendered troops joining the resistance")
    attack_ratio: float = number(
        2.0,
        0.1,
        10,
        "force ratio a commander wants before assaulting",
        "3:1 rule of thumb, softened for irregular war; calibration",
    )
    retreat_ratio: float = number(0.4, 0, 5, "force ratio under which attackers fall back")
    coordination_bonus: float = number(0.5, 0, 2, "gain when allied factions assault together")
    shortage_threshold: float = number(0.35, 0, 1, "ammunition ratio under which a faction turns defensive")
    ammo_use: float = number(2.0, 0, 20, "ammunition a fighter uses a day of assault (fighter-days)")
    ammo_reserve_days: float = number(30, 1, 365, "days of full engagement a faction wants in stock")
    local_ammo_per_day: float = number(50, 0, 100_000, "own production and purchases per 1,000 fighters")
    guerrilla_density: float = number(
        1.0,
        0.01,
        100,
        "guerrillas per km2 at which area fire finds all its targets (Deitchman)",
        "Deitchman 1962; calibration",
    )
    guerrilla_share: float = number(0.25, 0, 1, "share of a faction in local detachments where it operates")
    inferred_presence: float = number(
        0.5,
        0,
        1,
        "chance that armed groups the start places in a township on a general basis (no report names "
        "the township: sim/data/start.csv presence_basis) are there in a replicate",
        ASSUMPTION,
    )
    rebel_unit_size: float = key(
        Field("float", 800, 50, 10_000, help="strength of a resistance unit (a battalion)", source=ASSUMPTION)
    )
    displacement_assault: float = number(
        0.006,
        0,
        1,
        "daily share of residents fleeing an assault",
        "calibration (AP-2023; UNHCR via ReliefWeb)",
    )
    displacement_clearance: float = number(
        0.001,
        0,
        1,
        "daily share fleeing a junta sweep of the countryside",
        "calibration (UNHCR via ReliefWeb)",
    )
    displacement_harassment: float = number(0.00005, 0, 1, "daily share fleeing guerrilla fighting")
    displacement_air: float = number(0.001, 0, 1, "share fleeing per air strike")
    displacement_capture: float = number(0.03, 0, 1, "share fleeing when a township changes hands")
    move_km_per_day: float = number(60, 5, 500, "road march a day")
    consolidation_days: int = whole(10, 0, 90, "days victors hold a captured township before moving on")
    garrison_share: float = number(0.3, 0, 1, "share a mobile formation leaves to hold a captured township")
    supply_floor: float = number(0.3, 0, 1, "effectiveness of a faction with no ammunition left")
    unsupplied_effect: float = number(0.7, 0, 1, "effectiveness of junta units cut from supply")
    morale_floor: float = number(0.5, 0, 1, "effectiveness of a unit at zero morale (1 at full morale)")
    recaptured_outposts: float = number(
        0.5, 0, 1, "share of its outposts the junta rebuilds in a retaken township"
    )
    failed_assault_surrender: float = number(
        0.25, 0, 1, "surrender share of a broken assault force, relative to a garrison's"
    )
    cut_off_surrender: float = number(1.5, 1, 5, "surrender share multiplier of a garrison cut from supply")
    withdrawal_morale: float = number(0.15, 0, 1, "morale above breaking of troops that withdrew")
    town_value: TownValueParams = section(TownValueParams)
    garrison: GarrisonParams = section(GarrisonParams)
    tactics: TacticsParams = section(TacticsParams)
    leadership: LeadershipParams = section(LeadershipParams)
    air: AirParams = section(AirParams)
    strategy: StrategyParams = section(StrategyParams)
    season: SeasonParams = section(SeasonParams)
    china: ChinaRules = section(ChinaRules)
    ceasefire: CeasefireRules = section(CeasefireRules)
