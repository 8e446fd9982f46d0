"""Every bundled scenario validates, runs, and round-trips through its YAML dump."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccsim.sim.loader import dump_scenario, load_scenario, parse_scenario
from ccsim.sim.runner import simulate

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def test_the_bundled_scenarios_are_there() -> None:
    assert {p.name for p in SCENARIOS} >= {"default.yaml", "erlang_c.yaml", "multiskill.yaml"}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_scenario_validates_and_runs(path: Path) -> None:
    scenario = load_scenario(path)
    assert parse_scenario(dump_scenario(scenario)) == scenario
    result = simulate(scenario, replications=2)
    kpis = result.summary.kpis
    assert kpis["offered"].mean > 0 and 0 <= kpis["service_level"].mean <= 1
    assert result.summary.cost["total"].mean > 0
