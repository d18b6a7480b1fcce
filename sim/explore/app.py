"""The explorer page: one replicate stepped by Mesa's model controller, levers generated from
the schema, and an ensemble panel. `sim explore` serves it (`solara run sim.explore.app`); the
scenario file comes in SIM_EXPLORE_SCENARIO. Whatever goes wrong is shown as one line on the page.

The page is laid out here rather than by Mesa's SolaraViz, whose tabs are named "Page N" and
whose sidebar offers controls that do nothing for this model (threads, a step counter of its
own); Mesa's ModelController still steps the replicate and rebuilds it on Reset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import solara
import solara.lab
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim import shipped
from sim.analysis import style
from sim.errors import UserError
from sim.explore import levers as lv
from sim.explore.ensemble import Pair, discard, run_pair
from sim.explore.replicate import Replicate
from sim.explore.views import (
    FAN_METRICS,
    LiveCharts,
    LiveMap,
    difference_table,
    fan_figure,
    probability_figure,
)
from sim.scenario import load_scenario

ENV = "SIM_EXPLORE_SCENARIO"
DEFAULT = shipped.scenario("2025_counteroffensive.toml")
BASELINE = "the same file, without the explorer's changes"
DPI = 80
DAYS_PER_FRAME = 5  # what Play steps between two drawings: some 15 days a second (2 idle cores)
PLAY_PAUSE_MS = 20  # Mesa's play interval: a pause between frames, which take 0.3 to 0.5 s anyway


def one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
    return (text.splitlines() or [type(exc).__name__])[0]


def first_file() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT)


def _label(path: Path) -> str:
    root = next((p for p in path.parents if p.name == "scenarios"), path.parent)
    return str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)


def _files() -> dict[str, Path]:
    return {_label(p): p for p in lv.scenario_files(first_file())}


# --- one replicate -----------------------------------------------------------------


@solara.component
def MapView(model: Replicate):
    update_counter.get()
    live = solara.use_memo(lambda: LiveMap(model), [model])
    fig = live.update(model)
    with solara.Column(classes=["sim-map"]):
        if model.error:
            solara.Error(model.error, classes=["sim-model-error"])
        solara.FigureMatplotlib(fig, format="png", dpi=DPI, dependencies=[id(model), model.days_done])


@solara.component
def ChartsView(model: Replicate):
    update_counter.get()
    live = solara.use_memo(lambda: LiveCharts(model), [model])
    fig = live.update(model)
    with solara.Column(classes=["sim-charts"]):
        solara.FigureMatplotlib(fig, format="png", dpi=DPI, dependencies=[id(model), model.days_done])


@solara.component
def DayCounter(model: Replicate):
    """The page's one day counter (the map and the charts carry the same words)."""
    update_counter.get()
    solara.Text(model.stamp, classes=["sim-stamp"], style={"font-size": "1.1em", "font-weight": "bold"})


@solara.component
def RunCard(model: solara.Reactive, setup: solara.Reactive):
    """Reset, Play and Step (Mesa's controller), the day reached, how many days Step and each
    frame of Play run, and which replicate Reset builds."""
    params = solara.use_reactive({"setup": setup, "replicate": 0})  # what Reset builds the model from
    days_per_frame = solara.use_reactive(DAYS_PER_FRAME)
    pause = solara.use_reactive(PLAY_PAUSE_MS)
    threads = solara.use_reactive(False)  # Mesa's drawing thread: no gain where drawing is the cost
    with solara.Card("Run", margin=0):
        DayCounter(model.value)
        ModelController(
            model,
            model_parameters=params,
            play_interval=pause,
            render_interval=days_per_frame,
            use_threads=threads,
        )
        solara.SliderInt(
            f"days per Step and per frame of Play: {days_per_frame.value}",
            value=days_per_frame,
            min=1,
            max=30,
            thumb_label=False,
        )
        replicate = params.value["replicate"]
        solara.SliderInt(
            f"replicate: {replicate} (applies on Reset)",
            value=replicate,
            on_value=lambda r: params.set({**params.value, "replicate": r}),
            min=0,
            max=99,
            thumb_label=False,  # the label says the value; a bubble would cover the buttons above
        )


# --- levers ------------------------------------------------------------------------


@solara.component
def ScenarioCard(setup: solara.Reactive, restart):
    files = solara.use_memo(_files, [])
    error = solara.use_reactive(None)
    current = _label(Path(setup.value.base.path).resolve())

    def choose(label: str) -> None:
        try:
            new = lv.Setup.load(files[label])
        except Exception as exc:  # a broken file: its one line, and the old scenario stays
            error.set(one_line(exc))
            return
        error.set(None)
        restart(new)

    with solara.Card("Scenario", margin=0):
        solara.Select("scenario file", value=current, values=list(files), on_value=choose)
        s = setup.value.scenario
        solara.Text(f"{s.name}: {s.start} to {s.end}, seed {setup.value.seed}")
        if error.value:
            solara.Error(error.value, classes=["sim-scenario-error"])


def lever_control(lever: lv.Lever, setup: lv.Setup, errors: dict, drafts: dict, enter) -> None:
    current = setup.current(lever.dotted)
    if lever.widget == "checkbox":
        solara.Checkbox(label=lever.dotted, value=bool(current), on_value=lambda v: enter(lever, v))
    elif lever.widget == "select":
        solara.Select(
            lever.dotted, value=current, values=list(lever.field.choices), on_value=lambda v: enter(lever, v)
        )
    else:
        error = errors.get(lever.dotted)
        solara.InputText(
            lever.dotted,
            value=drafts.get(lever.dotted, lv.show(current)),
            on_value=lambda text: enter(lever, text),
            error=bool(error),
            message=error or lever.hint,
            classes=["sim-lever"],
        )


@solara.component
def LeverPanel(setup: solara.Reactive, restart):
    errors = solara.use_reactive({})  # dotted -> the one-line message
    drafts = solara.use_reactive({})  # dotted -> the refused text, left in its box
    query = solara.use_reactive("")
    opened = solara.use_reactive("")
    groups = solara.use_memo(lv.groups, [])
    levers = solara.use_memo(lv.all_levers, [])

    def enter(lever: lv.Lever, raw: Any) -> None:
        new, error = lv.entered(setup.value, lever, raw)
        rest = {k: v for k, v in errors.value.items() if k != lever.dotted}
        if error:  # the text stays in its box, then the message shows (in that order: one redraw)
            if isinstance(raw, str):
                drafts.set({**drafts.value, lever.dotted: raw})
            errors.set({**rest, lever.dotted: error})
            return
        drafts.set({k: v for k, v in drafts.value.items() if k != lever.dotted})
        errors.set(rest)
        if new.overrides != setup.value.overrides:
            restart(new)

    with solara.Card("Levers", subtitle="every key of the scenario file; a change restarts the replicate"):
        solara.InputText("find a lever (name or meaning)", value=query, continuous_update=True)
        # fixed containers: what appears or goes inside them never moves the boxes below, so a
        # box being typed in is not redrawn (and does not lose its focus) when a message shows
        with solara.Column(gap="4px"):
            for message in errors.value.values():
                solara.Error(message, classes=["sim-lever-error"])
        with solara.Column(gap="0px"):
            changed = setup.value.overrides
            if changed:
                solara.Text("changed: " + ", ".join(f"{k} = {lv.show(v)}" for k, v in changed.items()))
                solara.Button("back to the file", text=True, on_click=lambda: restart(setup.value.without()))
        if query.value.strip():
            found = [lever for lever in levers if lever.matches(query.value)]
            solara.Text(f"{len(found)} levers" + (" (first 40)" if len(found) > 40 else ""))
            for lever in found[:40]:
                lever_control(lever, setup.value, errors.value, drafts.value, enter)
            return
        for name, members in groups.items():
            is_open = opened.value == name

            def toggle(name=name, is_open=is_open) -> None:
                opened.set("" if is_open else name)

            solara.Button(
                f"{'▾' if is_open else '▸'} {name} ({len(members)})",
                text=True,
                on_click=toggle,
                small=True,
                style={"text-transform": "none", "justify-content": "flex-start", "width": "100%"},
            )
            if is_open:
                for lever in members:
                    lever_control(lever, setup.value, errors.value, drafts.value, enter)


# --- ensemble ----------------------------------------------------------------------


@dataclass
class Ensemble:
    task: Any  # solara task running run_pair
    replicates: solara.Reactive
    baseline: solara.Reactive
    metric: solara.Reactive
    pair: solara.Reactive  # the last finished Pair


ensemble_context = solara.create_context(None)


@solara.component
def EnsembleView(model: Replicate):
    ens: Ensemble = solara.use_context(ensemble_context)
    files = solara.use_memo(_files, [])
    task = ens.task
    running = task.pending
    with solara.Column(classes=["sim-ensemble"]):
        solara.Markdown(
            f"**Ensemble of the explored scenario** ({model.setup.scenario.name}, with the levers as set) "
            "against a baseline; both with the same seed, so replicate r of one pairs with replicate r "
            "of the other."
        )
        with solara.Row():
            solara.InputInt("replicates", value=ens.replicates, disabled=running)
            solara.Select("baseline", value=ens.baseline, values=[BASELINE, *files], disabled=running)
            solara.Button(
                "Run ensemble",
                color="primary",
                disabled=running,
                on_click=lambda: task(model.setup, ens.baseline.value, ens.replicates.value),
            )
        if running:
            done = task.progress or 0
            solara.ProgressLinear(done)
            solara.Text(f"running: {done:.0f} % of the replicates done", classes=["sim-progress"])
        result = task.value if task.finished else None
        if isinstance(result, str):
            solara.Error(result, classes=["sim-ensemble-error"])
        if ens.pair.value is not None:
            EnsembleResults(ens.pair.value, ens.metric, model.setup.base.geography)


@solara.component
def EnsembleResults(pair: Pair, metric: solara.Reactive, geo):
    titles = {style.title(m): m for m in FAN_METRICS}
    solara.Select(
        "metric",
        value=style.title(metric.value),
        values=list(titles),
        on_value=lambda t: metric.set(titles[t]),
    )
    fan = solara.use_memo(lambda: fan_figure(pair, metric.value), [pair, metric.value])
    solara.FigureMatplotlib(fan, format="png", dpi=DPI, dependencies=[id(pair), metric.value])
    maps = solara.use_memo(lambda: probability_figure(pair, geo), [pair])
    solara.FigureMatplotlib(maps, format="png", dpi=DPI, dependencies=[id(pair)])
    table = solara.use_memo(lambda: difference_table(pair), [pair])
    n = len(pair.current.end_state)
    solara.Markdown(
        f"**End state, {n} replicates each**: means, and the explored run minus the baseline "
        "paired by seed, with its 95 % interval (t distribution)."
    )
    solara.Markdown(table, style={"font-size": "0.9em"})


def _baseline(setup: lv.Setup, label: str):
    if label == BASELINE:
        return setup.base
    return load_scenario(_files()[label])


# --- the page ----------------------------------------------------------------------


def _start() -> lv.Setup | str:
    try:
        return lv.Setup.load(first_file())
    except Exception as exc:
        return one_line(exc)


@solara.component
def Page():
    start = solara.use_memo(_start, [])
    if isinstance(start, str):  # the file went bad since `sim explore` checked it
        solara.Error(start)
    else:
        Explorer(start)


@solara.component
def Explorer(start: lv.Setup):
    setup = solara.use_reactive(start)
    model = solara.use_reactive(solara.use_memo(lambda: Replicate(setup=start), []))
    pair = solara.use_reactive(None)

    def run(which: lv.Setup, label: str, replicates: int):
        try:
            if not 1 <= int(replicates) <= 1000:
                raise UserError(f"replicates: must be a whole number from 1 to 1,000, got {replicates}")
            done = run_pair(
                which.scenario,
                _baseline(which, label),
                int(replicates),
                on_progress=lambda n, total: setattr(task, "progress", 100.0 * n / total),
            )
        except Exception as exc:  # shown on the page; the app goes on
            return one_line(exc)
        discard(pair.value)
        pair.set(done)
        return None

    task = solara.lab.use_task(run, dependencies=None)
    ens = Ensemble(
        task,
        solara.use_reactive(20),
        solara.use_reactive(BASELINE),
        solara.use_reactive("townships_junta"),
        pair,
    )
    ensemble_context.provide(ens)

    def restart(new: lv.Setup) -> None:
        setup.set(new)
        model.set(Replicate(setup=new, replicate=model.value.replicate))

    with solara.AppBar():
        solara.AppBarTitle("Myanmar conflict explorer")
    with solara.Sidebar(), solara.Column():
        RunCard(model, setup)
        ScenarioCard(setup, restart)
        LeverPanel(setup, restart)
    with solara.lab.Tabs():
        with solara.lab.Tab("Map and charts"), solara.Row(style={"flex-wrap": "wrap"}):
            MapView(model.value)
            ChartsView(model.value)
        with solara.lab.Tab("Ensemble"):
            EnsembleView(model.value)
