"""Self-service options chosen with the staffing, and the reverse question."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.optimise.evaluate import Evaluator
from ccsim.optimise.self_service import (
    choose_self_service,
    least_completion,
    staffing_of,
    with_completion,
)
from ccsim.sim.scenario import Scenario

runner = CliRunner()


def utility(options: list[dict[str, Any]], staffing: int | list[int] = 0,
            failed: dict[str, float] | None = None) -> Scenario:
    return Scenario.model_validate({
        "name": "ivr", "horizon": {"start": "08:00", "interval_minutes": 60, "intervals": 3},
        "seed": 4, "replications": 10,
        "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": [{
            "name": "billing", "arrivals": {"per_interval": [300, 400, 300]},
            "handle_time": {"distribution": "exponential", "mean": 240},
            "patience": {"distribution": "exponential", "mean": 150},
            "self_service": {"time_in_ivr": {"distribution": "deterministic", "value": 60},
                             "completion": 0.3, "opt_out": 0.1, **(failed or {})},
        }],
        "agent_groups": [{"name": "team", "skills": ["billing"], "staffing": staffing,
                          "cost_per_hour": 20}],
        "costs": {"self_service_per_contact": 0.1, "abandonment_penalty": 2},
        "optimise": {"self_service_options": {"billing": options}},
    })


def option(name: str, cost: float, **patch: float) -> dict[str, Any]:
    return {"name": name, "cost_per_day": cost, "self_service": patch}


def test_free_options_choose_the_highest_completion() -> None:
    scenario = utility([option("some", 0, completion=0.5), option("most", 0, completion=0.7)])
    chosen, results = choose_self_service(scenario)
    assert chosen.choice == {"billing": "most"}
    assert len(results) == 3  # today is always an option


def test_a_prohibitive_option_is_never_chosen() -> None:
    scenario = utility([option("some", 50, completion=0.5),
                        option("gold", 1_000_000, completion=0.7)])
    chosen, _ = choose_self_service(scenario)
    assert chosen.choice["billing"] != "gold"


def test_a_frustrating_option_can_lose_to_a_modest_one() -> None:
    # the bad option completes more but its failures have half the patience and twice the
    # handle time, so agents see as much work as today, from angrier callers
    scenario = utility([
        option("modest", 100, completion=0.45),
        option("pushy", 100, completion=0.6, failed_patience_factor=0.5,
               failed_handle_time_factor=2.0),
    ])
    chosen, results = choose_self_service(scenario)
    totals = {r.choice["billing"]: r.cost["total"] for r in results}
    assert chosen.cost["total"] == min(totals.values())
    assert chosen.choice == {"billing": "modest"}, totals
    assert totals["pushy"] > totals["modest"]


def write(tmp_path: Path, scenario: Scenario) -> Path:
    path = tmp_path / "ivr.yaml"
    path.write_text(yaml.safe_dump(scenario.model_dump(mode="json", exclude_none=True)))
    return path


def test_plan_json_costs_add_up_for_every_option(tmp_path: Path) -> None:
    scenario = utility([option("some", 40, completion=0.5), option("most", 400, completion=0.7)])
    out = tmp_path / "out"
    result = runner.invoke(app, ["optimise", str(write(tmp_path, scenario)), "--out", str(out),
                                 "--no-compare"])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    assert (folder / "self_service.png").stat().st_size > 10_000
    plan = json.loads((folder / "plan.json").read_text())
    section = plan["self_service"]
    assert len(section["options"]) == 3
    for entry in section["options"]:
        cost = entry["cost"]
        parts = sum(v for k, v in cost.items() if k != "total")
        assert cost["total"] == pytest.approx(parts, rel=1e-12)
        expected_option = {"today": 0, "some": 40, "most": 400}[entry["choice"]["billing"]]
        assert cost["self_service_options"] == expected_option
    (chosen,) = [o for o in section["options"] if o["chosen"]]
    assert plan["cost"] == chosen["cost"]
    assert chosen["cost"]["total"] == min(o["cost"]["total"] for o in section["options"])
    assert section["saving_per_point_of_completion"]["billing"] > 0


def meets(scenario: Scenario, completion: float) -> bool:
    variant = with_completion(scenario, "billing", completion)
    return Evaluator(variant, scenario.replications, scenario.seed)(staffing_of(scenario)).feasible


def test_fixed_staffing_finds_the_least_completion(tmp_path: Path) -> None:
    scenario = utility([], staffing=[18, 22, 18])
    out = tmp_path / "out"
    result = runner.invoke(app, ["optimise", str(write(tmp_path, scenario)), "--out", str(out),
                                 "--fixed-staffing"])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    (answer,) = json.loads((folder / "plan.json").read_text())["fixed_staffing"]
    least = answer["least_completion"]
    assert 0.05 < least < 0.9
    assert meets(scenario, least)
    assert not meets(scenario, least - 0.05)


def test_fixed_staffing_says_cannot_when_even_full_completion_misses() -> None:
    (answer,) = least_completion(utility([], staffing=1))
    assert answer.least is None
