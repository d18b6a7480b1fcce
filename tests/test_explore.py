"""`sim explore`: levers from the schema, the replicate SolaraViz steps, the ensemble panel,
and the page itself in a real browser (headless Chromium)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from sim.errors import ScenarioError
from sim.explore import levers as lv
from sim.explore.replicate import Replicate
from sim.scenario import load_scenario
from sim.scenario.fields import leaves
from sim.scenario.schema import FULL
from tests.conftest import ROOT, S2025, write_scenario

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SHOT_ENV = "SIM_EXPLORER_SCREENSHOT"  # also copy the screenshot here (make figures)


def test_every_schema_key_is_a_lever_but_the_labels():
    assert [lever.dotted for lever in lv.all_levers()] == [
        d for d, _ in leaves(FULL) if d not in ("name", "description")
    ]
    widgets = {lever.dotted: lever.widget for lever in lv.all_levers()}
    assert widgets["junta.air_doctrine"] == "select" and widgets["china.embargo"] == "checkbox"
    assert widgets["junta.drones"] == "text" and "factions.KIA" in lv.groups()


def test_values_are_typed_as_in_a_file():
    for text in ("0.8", "true", '"reactive"', "2025-09-30", '["Kachin", "Shan"]', "12"):
        assert lv.show(lv.parse(text)) == text
    dist = lv.parse('{ dist = "uniform", low = 0.3, high = 0.6 }')
    assert dist == {"dist": "uniform", "low": 0.3, "high": 0.6}
    assert lv.parse(lv.show(dist)) == dist
    assert lv.parse("abc") == "abc"  # not TOML: the check names it a string


def test_a_bad_value_gets_the_files_one_line(tmp_path, s2025):
    setup = lv.Setup(s2025)
    drones = next(lev for lev in lv.all_levers() if lev.dotted == "junta.drones")
    same, error = lv.entered(setup, drones, "5")
    assert same is setup and error.startswith("explorer: junta.drones: ")
    path = write_scenario(
        tmp_path, 'extends = "2025_counteroffensive.toml"\nname = "x"\n[junta]\ndrones = 5\n'
    )
    with pytest.raises(ScenarioError) as file_error:
        load_scenario(path)
    assert error.split(": ", 1)[1] == str(file_error.value).split(": ", 1)[1]
    changed, error = lv.entered(setup, drones, "0.9")
    assert error is None and changed.scenario.data["junta"]["drones"] == 0.9
    assert lv.entered(changed, drones, "")[0].overrides == {}  # empty: back to the file
    label = next(lev for lev in lv.all_levers() if lev.dotted == "run.initial_control")
    assert lv.entered(setup, label, "2023")[0].scenario.data["run"]["initial_control"] == "2023"
    end = next(lev for lev in lv.all_levers() if lev.dotted == "run.end")
    short, error = lv.entered(setup, end, "2025-07-01")  # later events dropped, as with --until
    assert error is None and short.scenario.days == 31


def test_the_replicate_is_the_ensembles_replicate_and_stops_at_the_end(s2025):
    from sim.run.replicate import run_replicate

    short = lv.Setup(s2025).changed("run.end", s2025.start.replace(day=8))
    model = Replicate(short, replicate=1)
    at_start = model.history()  # before the first day: the state at the start, one row
    assert len(at_start) == 1 and at_start.index[0] == pd.Timestamp(s2025.start)
    assert 0 < at_start["townships_junta"].iloc[0] < 330
    assert model.stamp == f"{s2025.start:%d %b %Y}, start · day 0 of 8"
    steps = 0
    while model.running:
        model.step()
        steps += 1
    model.step()  # past the end: nothing happens
    assert steps == 8 and model.days_done == 8 and model.error is None
    assert model.stamp == f"{s2025.start.replace(day=8):%d %b %Y} · day 8 of 8"
    ts = run_replicate(short.scenario, short.seed, 1).tables["timeseries"]
    assert (model.history()["townships_junta"].to_numpy() == ts["townships_junta"].to_numpy()).all()
    junta, rebels = model.strength_at_towns()
    assert junta.sum() > 0 and rebels.sum() > 0


@pytest.mark.slow
def test_the_ensemble_pairs_the_explored_scenario_with_its_baseline(s2025, tmp_path):
    from sim.explore.ensemble import run_pair
    from sim.explore.views import difference_table, fan_figure, probability_figure

    base = lv.Setup(s2025).changed("run.end", s2025.start.replace(day=10))
    explored = base.changed("china.embargo", False)
    seen = []
    pair = run_pair(explored.scenario, base.scenario, 3, tmp_path, "serial", lambda d, t: seen.append((d, t)))
    assert seen[-1] == (6, 6) and not pair.same
    assert pair.current.manifest["seed"] == pair.baseline.manifest["seed"] == s2025.data["run"]["seed"]
    assert list(pair.differences()["pairs"].unique()) == [3]
    fan_figure(pair, "townships_junta")
    probability_figure(pair, s2025.geography)
    table = difference_table(pair).splitlines()
    assert table[0].startswith("| metric | unit | explored (") and "95 % interval" in table[0]
    towns = next(row for row in table if row.startswith("| Townships held by the junta |"))
    diff = pair.differences().loc["townships_junta"]
    assert f"{diff['diff_low']:.1f} to {diff['diff_high']:.1f}".replace("-", "−") in towns
    again = run_pair(base.scenario, base.scenario, 2, tmp_path / "same", "serial")
    assert again.same  # an unchanged scenario runs once


# --- the page in a real browser ------------------------------------------------------------


def _browser_missing() -> str | None:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return "headless Chromium not installed (apt-get install chromium chromium-driver)"
    for module in ("selenium", "solara"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} not installed (pip install -e '.[test,explore]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def explorer(tmp_path):
    """`sim explore` on a free local port; stopped at the end."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = tmp_path / "explore.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "explore", str(S2025), "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(url, timeout=2).close()
                    break
                if proc.poll() is not None or time.monotonic() > deadline:
                    text = log_path.read_text(errors="replace")[-3000:]
                    pytest.fail(f"sim explore did not start:\n{text}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1600,1100",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    try:
        yield driver
    finally:
        driver.save_screenshot(str(tmp_path / "last.png"))  # what the page showed at the end, pass or fail
        driver.quit()


def _wait(driver, what, timeout=60.0):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.25).until(lambda d: what(d))


def _input(driver, label: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.XPATH, f"//label[normalize-space()='{label}']/following-sibling::input")


def _type(driver, label: str, text: str) -> None:
    """Replace what the box labelled `label` holds with `text`, then Enter."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.keys import Keys

    for _ in range(5):  # the page may redraw the box while we reach for it
        try:
            box = _wait(driver, lambda d: _input(d, label))
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
            box.click()
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys(text)
            time.sleep(0.5)  # the box sends its text to the server as typed; Enter must come after
            box.send_keys(Keys.ENTER)
            return
        except StaleElementReferenceException:
            time.sleep(0.5)
    raise AssertionError(f"the box {label!r} kept being redrawn")


def _images(driver) -> tuple[bytes, bytes]:
    """What the map and the charts show now, as the browser paints them (PNG of each element)."""
    from selenium.webdriver.common.by import By

    return tuple(  # type: ignore[return-value]
        driver.find_element(By.CSS_SELECTOR, f".{name} img").screenshot_as_png
        for name in ("sim-map", "sim-charts")
    )


@pytest.mark.slow
@pytest.mark.skipif(bool(_browser_missing()), reason=_browser_missing() or "")
def test_the_explorer_in_a_browser(explorer, browser, tmp_path):
    from selenium.webdriver.common.by import By

    browser.get(explorer)
    _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".sim-map img"))
    map_before, chart_before = _images(browser)

    # a lever, found by name: a bad value gets the file's one line, a good one restarts day 0
    _type(browser, "find a lever (name or meaning)", "drones")
    _wait(browser, lambda d: "3 levers" in d.find_element(By.TAG_NAME, "body").text)  # the search settled
    _type(browser, "junta.drones", "5")
    error = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".sim-lever-error"))[0].text
    assert "junta.drones: 5 is out of range; must be a number from 0 to 1" in error
    _type(browser, "junta.drones", "0.95")
    _wait(browser, lambda d: "changed: junta.drones = 0.95" in d.find_element(By.TAG_NAME, "body").text)
    assert not browser.find_elements(By.CSS_SELECTOR, ".sim-lever-error")

    # the page's own tabs and controls, and one day counter
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "MAP AND CHARTS" in body.upper() and "ENSEMBLE" in body.upper()
    for gone in ("Page 0", "Use Threads", "Render Interval", "Time:"):
        assert gone not in body

    # ten days, one Step each (one day a step)
    _set_days_per_frame(browser, 1)
    step = browser.find_element(By.XPATH, "//button[normalize-space()='Step']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", step)
    for day in range(1, 11):
        step.click()
        _wait(browser, lambda d, day=day: _day(d)[1] == day)
    map_after, chart_after = _wait(
        browser, lambda d: (imgs := _images(d)) != (map_before, chart_before) and imgs
    )
    assert map_after != map_before and chart_after != chart_before
    assert not browser.find_elements(By.CSS_SELECTOR, ".sim-model-error")

    # Play for 30 days or more: the date moves by as many days as the counter
    _set_days_per_frame(browser, 5)
    date0, day0 = _day(browser)
    _play_until(browser, day0 + 30)
    date1, day1 = _day(browser)
    assert day1 >= day0 + 30 and (date1 - date0).days == day1 - day0

    shot = tmp_path / "explorer.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    log = (tmp_path / "explore.log").read_text(errors="replace")
    assert "Warning" not in log and "Traceback" not in log, log  # the server's console stays quiet
    if os.environ.get(SHOT_ENV):  # the README's picture: play on to a later day first
        _play_until(browser, 120)
        browser.execute_script("window.scrollTo(0, 0);")
        browser.save_screenshot(os.environ[SHOT_ENV])


def _day(driver) -> tuple[dt.date, int]:
    """The date and day the page's counter shows."""
    from selenium.webdriver.common.by import By

    text = driver.find_element(By.CSS_SELECTOR, ".sim-stamp").text
    found = re.match(r"(\d{2} \w{3} \d{4})(?:, start)? · day (\d+) of \d+", text)
    assert found, text
    return dt.datetime.strptime(found.group(1), "%d %b %Y").date(), int(found.group(2))


def _set_days_per_frame(driver, days: int) -> None:
    """The slider, moved with the keyboard (Home, then Right) as a user may."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    label = "days per Step and per frame of Play: "  # then the value
    knob = driver.find_element(
        By.XPATH,
        f"//label[starts-with(normalize-space(), '{label.strip()}')]"
        "/ancestor::div[contains(@class,'v-input')][1]"
        "//*[@role='slider']",
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", knob)
    ActionChains(driver).send_keys(Keys.HOME, *[Keys.ARROW_RIGHT] * (days - 1)).perform()
    _wait(driver, lambda d: knob.get_attribute("aria-valuenow") == str(days))


def _play_until(driver, day: int) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.XPATH, "//button[normalize-space()='▶']").click()
    _wait(driver, lambda d: _day(d)[1] >= day, timeout=300)
    driver.find_element(By.XPATH, "//button[normalize-space()='❚❚']").click()
    shown = [_day(driver)[1]]  # a step already under way may still land after the pause

    def settled(d) -> bool:
        time.sleep(1.5)
        now, before = _day(d)[1], shown[0]
        shown[0] = now
        return now == before

    _wait(driver, settled)  # stopped, and drawn


def test_explore_mistakes_end_in_one_line(tmp_path, capsys):
    from sim.cli import main

    bad = write_scenario(
        tmp_path, 'extends = "2025_counteroffensive.toml"\nname = "x"\n[junta]\ndrones = 5\n'
    )
    cases = [
        ([str(tmp_path / "none.toml")], "none.toml: no such scenario file"),
        ([str(bad)], "junta.drones: 5 is out of range"),
        ([str(S2025), "--port", "70000"], "must be a port number from 0 to 65535"),
    ]
    for args, message in cases:
        assert main(["explore", *args]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
