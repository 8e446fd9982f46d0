"""The staffing optimiser against exact optima and its own verification."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.optimise.erlang import min_agents
from ccsim.optimise.evaluate import Evaluator
from ccsim.optimise.plan import optimise_staffing
from ccsim.sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


def single_queue(per_interval: list[float], optimise: dict[str, Any], **extra: Any) -> Scenario:
    n = len(per_interval)
    return Scenario.model_validate({
        "name": "opt", "horizon": {"start": "08:00", "interval_minutes": 60, "intervals": n},
        "seed": 2, "replications": 20,
        "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": [{"name": "calls", "arrivals": {"per_interval": per_interval},
                           "handle_time": {"distribution": "exponential", "mean": 180},
                           "patience": {"distribution": "exponential", "mean": 120}}],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 0,
                          "cost_per_hour": 20}],
        "optimise": optimise,
        **extra,
    })


SHIFTS = [{"name": f"s{h:02d}", "start": f"{h:02d}:00", "length_h": 4} for h in range(8, 15)]


@pytest.mark.slow
def test_time_varying_day_meets_every_interval_and_no_agent_is_spare() -> None:
    rates = [150, 300, 420, 480, 360, 300, 240, 300, 200, 120]
    # precision is not the subject here: 4 points keep the days (and the test) short
    scenario = single_queue(rates, {"level": "interval", "shrinkage": 0.2, "shifts": SHIFTS,
                                    "precision": 0.04})
    plan = optimise_staffing(scenario, compare=False)
    assert plan.verified.within_ci, plan.verified.score
    assert plan.shifts is not None and plan.shift_data is not None
    evaluate = Evaluator(scenario, scenario.replications, scenario.seed)
    for g, s in np.argwhere(plan.shifts.agents > 0):
        fewer = plan.shifts.agents.copy()
        fewer[g, s] -= 1
        staffing = np.floor(plan.shift_data.on_phone * fewer @ plan.shift_data.cover + 1e-9)
        below_requirement = bool(np.any(staffing < plan.requirement))
        assert below_requirement or not evaluate(staffing.astype(int)).feasible, (g, s)


def test_meeting_the_target_on_90_percent_of_days_staffs_more() -> None:
    base = {"level": "day", "precision": 0.05}  # a share of days: ±5 points is 140 days
    extra = {"day_uncertainty_cv": 0.15, "replications": 40}
    mean = optimise_staffing(single_queue([300] * 4, {**base, "meet": "mean"}, **extra),
                             compare=False)
    p90 = optimise_staffing(single_queue([300] * 4, {**base, "meet": {"probability": 0.9}},
                                         **extra), compare=False)
    assert p90.staffing.sum() > mean.staffing.sum()
    # the share of fresh days meeting the target: at least 90%, within its 95% interval
    assert p90.verified.within_ci, p90.verified.score
    assert mean.verified.within_ci


runner = CliRunner()


def write(tmp_path: Path, scenario: Scenario) -> Path:
    path = tmp_path / "opt.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True)))
    return path


def test_cli_writes_plan_and_a_runnable_optimised_scenario(tmp_path: Path) -> None:
    scenario = single_queue([200, 300, 250], {"level": "interval", "shrinkage": 0.25,
                                              "shifts": SHIFTS[:2]}, replications=8)
    out = tmp_path / "out"
    result = runner.invoke(app, ["optimise", str(write(tmp_path, scenario)), "--out", str(out),
                                 "--no-compare"])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    plan = json.loads((folder / "plan.json").read_text())
    assert set(plan["groups"]["team"]) == {"erlang_a_start", "requirement", "staffing",
                                           "paid_agents"}
    assert plan["solver"]["status"] == "optimal" and plan["shifts"]
    cost = plan["cost"]
    assert cost["total"] == pytest.approx(sum(v for k, v in cost.items() if k != "total"))
    assert cost["agents"] == pytest.approx(sum(s["cost"] for s in plan["shifts"]))
    rerun = runner.invoke(app, ["run", str(folder / "scenario.optimised.yaml"),
                                "--out", str(tmp_path / "rerun")])
    assert rerun.exit_code == 0, rerun.output
    page = (folder / "report.html").read_text()
    assert "optimised staffing plan" in page and "<h2>Optimised plan</h2>" in page
    assert all((folder / f"{name}.png").is_file()
               for name in ("service_level", "staffing", "occupancy", "abandonment"))
    optimised = yaml.safe_load((folder / "scenario.optimised.yaml").read_text())
    assert optimised["agent_groups"][0]["staffing"] == plan["groups"]["team"]["staffing"]


def test_uncoverable_intervals_exit_2_and_are_named(tmp_path: Path) -> None:
    scenario = single_queue([200, 300, 250, 100], {"shifts": [
        {"name": "morning", "start": "08:00", "length_h": 2}]}, replications=4)
    out = tmp_path / "out"
    result = runner.invoke(app, ["optimise", str(write(tmp_path, scenario)), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().endswith(
        "opt.yaml: optimise.shifts: no shift template that group 'team' may work covers "
        "10:00-12:00 (intervals 2-3), where it needs agents on the phones")
    assert not out.exists()


def test_optimise_needs_an_optimise_block(tmp_path: Path) -> None:
    scenario = single_queue([100], {}).with_changes(optimise=None)
    result = runner.invoke(app, ["optimise", str(write(tmp_path, scenario))])
    assert result.exit_code == 2
    assert "optimise (top level): is required by ccsim optimise" in result.stderr


def test_unreachable_target_is_exit_2_naming_the_cells(tmp_path: Path) -> None:
    # sales is only the second skill of the one group, and priority routing makes it wait
    # 30 s for overflow: answering it within 20 s is out of reach whatever the staffing
    scenario = Scenario.model_validate({
        "name": "misrouted", "horizon": {"interval_minutes": 60, "intervals": 2},
        "replications": 4, "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": [
            {"name": name, "arrivals": {"per_interval": [60, 60]},
             "handle_time": {"distribution": "exponential", "mean": 120}}
            for name in ("service", "sales")],
        "agent_groups": [{"name": "team", "skills": ["service", "sales"], "staffing": 1,
                          "cost_per_hour": 20}],
        "routing": {"policy": "priority", "overflow_after_s": 30},
        "optimise": {"level": "interval"},
    })
    result = runner.invoke(app, ["optimise", str(write(tmp_path, scenario)), "--out",
                                 str(tmp_path / "out"), "--no-compare"])
    assert result.exit_code == 2, result.output
    assert "service_level: the target cannot be met by adding agents" in result.stderr
    assert "sales at 08:00: 0.000 < 0.800" in result.stderr
    assert not (tmp_path / "out").exists()


def test_trimming_gives_back_a_large_surplus_in_few_simulations() -> None:
    from ccsim.optimise.search import trim

    scenario = single_queue([360] * 4, {"level": "day"}, replications=10)
    evaluate = Evaluator(scenario, scenario.replications, scenario.seed)
    exact = min_agents(360 / 3600, 1 / 180, 120, 20, 0.8)
    doubled = np.full((1, 4), 2 * exact)
    staffing, ev = trim(evaluate, doubled, max_passes=1)
    assert ev.feasible
    assert staffing.sum() <= 1.2 * 4 * exact, staffing
    # the first evaluation, 5 bisection steps, then one pass trying each of the 4 intervals once
    assert evaluate.simulations <= 1 + 5 + 4


def test_a_shift_plan_never_loads_agents_above_max_occupancy() -> None:
    """One-hour shifts let the shift stages (trimming, cutting planes) reach any staffing; with
    a cap of 85% they stop at ceil(load / 0.85), above the service level's own minimum."""
    rates = [1000, 1300, 1100, 900, 1200, 1000]
    hourly = [{"name": f"h{h:02d}", "start": f"{h:02d}:00", "length_h": 1} for h in range(8, 14)]
    scenario = single_queue(rates, {"shifts": hourly, "max_occupancy": 0.85}, replications=10)
    plan = optimise_staffing(scenario, compare=False, time_limit_s=20)
    floors = [math.ceil(rate * 180 / 3600 / 0.85) for rate in rates]
    assert plan.staffing[0].tolist() == floors
    uncapped = min_agents(1000 / 3600, 1 / 180, 120, 20, 0.8)
    assert uncapped < floors[0]  # the cap binds here
