"""``ccsim optimise`` on a week: tours covering a simulated requirement, and ``roster.csv``.

A small week (8 hours a day, one queue, two four-hour templates, 5 days on with the 2 days
off together) is optimised end to end through the CLI; the roster it writes is checked agent
by agent, its cost against the templates it names, and its coverage against the
verification. The weekday mapping and the planners' day-by-day method are checked on
hand-solvable cases.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.optimise.roster import DAYS, OFF
from ccsim.optimise.week import by_weekday, day_by_day_then_tours
from ccsim.sim.loader import ScenarioError, load_scenario
from ccsim.sim.scenario import Scenario

runner = CliRunner()

WEEK = """\
name: small-week
horizon: {days: 7, first_day: wednesday, start: "08:00", interval_minutes: 60, intervals: 8}
seed: 3
replications: 4
contact_types:
  - name: calls
    arrivals:
      daily: [520, 440, 420, 400, 240, 520, 640]     # Wednesday first: a Monday peak
      profile: [0.7, 1.1, 1.3, 1.2, 1.0, 1.0, 0.9, 0.8]
    handle_time: {distribution: exponential, mean: 240}
    patience: {distribution: exponential, mean: 240}
agent_groups:
  - {name: team, skills: [calls], staffing: 10, cost_per_hour: 20}
optimise:
  precision: 0.05
  shrinkage: 0.2
  shifts:
    - {name: early, start: "08:00", length_h: 4}
    - {name: late, start: "12:00", length_h: 4}
    - {name: full, start: "08:00", length_h: 8, breaks: [{after_h: 4, minutes: 30}]}
  roster: {days_on: 5, consecutive_days_off: true}
"""


def together(off: list[int]) -> bool:
    """Are the days off one run of days, wrapping Sunday-Monday?"""
    return sum((d + 1) % len(DAYS) not in off for d in off) <= 1


@pytest.fixture(scope="module")
def week_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The result folder of ``ccsim optimise`` on the small week (one run for the module)."""
    tmp = tmp_path_factory.mktemp("week")
    path = tmp / "week.yaml"
    path.write_text(WEEK)
    out = tmp / "results"
    result = runner.invoke(app, ["optimise", str(path), "--out", str(out), "--time-limit",
                                 "90", "--no-compare"])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


def test_every_agent_works_days_on_days_with_the_days_off_together(week_plan: Path) -> None:
    with (week_plan / "roster.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    plan = json.loads((week_plan / "plan.json").read_text())
    assert len(rows) == plan["roster"]["agents"]["team"] > 0
    for row in rows:
        off = [d for d, day in enumerate(DAYS) if row[day] == OFF]
        assert len(off) == 2 and together(off), row
        assert {row[day] for day in DAYS} - {OFF} <= {"early", "late", "full"}


def test_the_plan_pays_the_roster_it_writes_and_verifies(week_plan: Path) -> None:
    """The agent cost is the roster's: each worked day pays its template's hours (``full``
    pays its 8 hours, break included, as the one-day shift model pays it)."""
    plan = json.loads((week_plan / "plan.json").read_text())
    hours = {"early": 4, "late": 4, "full": 8}
    with (week_plan / "roster.csv").open(newline="") as f:
        paid = sum(20 * hours[row[day]] for row in csv.DictReader(f) for day in DAYS
                   if row[day] != OFF)
    assert math.isclose(plan["cost"]["agents"], paid)
    assert math.isclose(plan["roster"]["cost"], paid)
    assert math.isclose(sum(plan["roster"]["cost_per_day"].values()), paid)
    # per day and template in plan.json, as the roster chart draws it
    per_day = plan["roster"]["per_day"]["team"]
    assert sum(n * 20 * hours[s] for day in per_day.values() for s, n in day.items()) == paid
    # the verification judged every slot of the week, and nothing was missed
    cells = plan["verification"]["cells"]
    assert len(cells) == 7 * 8
    assert plan["verification"]["verdict"]["cells"]["missed"] == 0
    assert cells[0]["start"] == "Wed 08:00" and cells[-1]["start"] == "Tue 15:00"
    # the staffing written back is one list per day, and runs as it is
    optimised = load_scenario(week_plan / "scenario.optimised.yaml")
    staffing = optimised.agent_groups[0].staffing
    assert isinstance(staffing, list) and len(staffing) == 7
    assert all(isinstance(day, list) and len(day) == 8 for day in staffing)
    # the peak day (Monday, day 5 from Wednesday) has more agents on the phones than Sunday
    assert sum(staffing[5]) > sum(staffing[4])


def load_scenario_text(text: str) -> Scenario:
    return Scenario.model_validate(yaml.safe_load(text))


def _week(first_day: str = "monday") -> Scenario:
    return load_scenario_text(WEEK.replace("first_day: wednesday", f"first_day: {first_day}"))


@pytest.mark.parametrize("first_day,monday", [("monday", 0), ("wednesday", 5), ("sunday", 1)])
def test_the_roster_week_starts_on_monday_whatever_the_first_day(first_day: str,
                                                                 monday: int) -> None:
    scenario = _week(first_day)
    per_slot = np.arange(7 * 8).reshape(1, 56)  # slot numbers: day d holds 8d .. 8d + 7
    week = by_weekday(scenario, per_slot)
    assert week.shape == (7, 1, 8)
    assert week[0, 0, 0] == 8 * monday  # Monday's first interval is that horizon day's


def test_day_by_day_then_tours_hand_solved() -> None:
    """Two agents needed every hour of every day, one 8-hour template (8 × 20 = 160 a day),
    no shrinkage: each day's plan is 2 agents. Tours of 5 days with 2 off together: 14
    agent-days need at least 3 agents (15 days), and 3 suffice (days off Mon-Tue, Wed-Thu,
    Fri-Sat leave every day 2 agents and Sunday 3), so the week costs 15 × 160 = 2,400; the
    extra Sunday is worked on the only template."""
    text = (WEEK.replace("shrinkage: 0.2", "shrinkage: 0.0")
            .replace('    - {name: early, start: "08:00", length_h: 4}\n', "")
            .replace('    - {name: late, start: "12:00", length_h: 4}\n', "")
            .replace(", breaks: [{after_h: 4, minutes: 30}]", ""))
    scenario = load_scenario_text(text)
    requirement = np.full((1, 56), 2)
    staffing, cost = day_by_day_then_tours(scenario, requirement, 10)
    assert math.isclose(cost, 15 * 160)
    assert staffing.shape == (1, 56)
    assert staffing.sum() == 14 * 8 + 8  # one day with a third agent on the phones


def bad(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return [line.removeprefix(f"{path}: ") for line in str(caught.value).splitlines()]


def test_what_the_optimiser_cannot_plan_is_one_line_each(tmp_path: Path) -> None:
    three = WEEK.replace("days: 7", "days: 3").replace(
        "daily: [520, 440, 420, 400, 240, 520, 640]", "daily: 500")
    assert bad(three, tmp_path) == [  # a validation error: a roster is a week's
        "optimise.roster (line 21): weekly rostering needs a week: set horizon.days to 7 (it "
        "is 3), or remove the roster block to plan one day's shifts"]
    # ccsim run ignores the optimise block, so these refuse only ccsim optimise
    no_roster = WEEK.replace("  roster: {days_on: 5, consecutive_days_off: true}\n", "")
    warm = WEEK.replace("intervals: 8}", "intervals: 8, warmup_minutes: 30}")
    for text, line in [
        (no_roster, "optimise.shifts: over 7 days, shifts are worked as weekly tours: add "
                    "optimise.roster (with horizon.days: 7), or remove the shifts to plan "
                    "agents per interval"),
        (warm, "horizon.warmup_minutes: ccsim optimise plans a horizon of several days "
               "without a warm-up; set it to 0")]:
        path = tmp_path / "week.yaml"
        path.write_text(text)
        assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
        result = runner.invoke(app, ["optimise", str(path), "--out", str(tmp_path / "r")])
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [f"{path}: {line}"]
        assert not (tmp_path / "r").exists()


def test_level_day_judges_each_day_of_the_week_on_its_own() -> None:
    """``level: day`` over a week has one cell per day × type: the understaffed first day
    misses, the others meet (before, the week was one cell and the bad day was averaged
    away)."""
    from ccsim.optimise.evaluate import Evaluator

    text = (WEEK.replace("  precision: 0.05\n", "  precision: 0.05\n  level: day\n")
            .replace("  roster: {days_on: 5, consecutive_days_off: true}\n", ""))
    text = text[:text.index("  shifts:")]
    scenario = load_scenario_text(text)
    staffing = np.full((1, 56), 12)
    staffing[0, :8] = 5  # Wednesday, the first day
    ev = Evaluator(scenario, 4, 1)(staffing)
    assert ev.score.shape == (7, 1)
    assert ev.starts == ("Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue")
    assert ev.met[:, 0].tolist() == [False] + [True] * 6
    assert list(ev.slots_of(1)) == list(range(8, 16))
