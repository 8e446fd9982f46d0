"""The simulator against exact queueing theory, within statistical tolerance.

Each stationary day starts empty, is warmed up for an hour and then measured for many hours,
so the transient bias is far below the confidence half-width. A value passes when it lies
within 1.5 CI half-widths (about 3 standard errors) of the exact one.
"""

from __future__ import annotations

import pytest

from ccsim.optimise.erlang import queue_kpis
from ccsim.sim.runner import simulate
from ccsim.sim.scenario import Scenario
from ccsim.sim.stats import Estimate
from tests.conftest import stationary


def assert_close(estimate: Estimate, exact: float, name: str) -> None:
    half = (estimate.hi - estimate.lo) / 2
    assert abs(estimate.mean - exact) <= 1.5 * half + 1e-9, (
        f"{name}: simulated {estimate.mean:.5f} ± {half:.5f}, exact {exact:.5f}"
    )


def check_against_theory(scenario: Scenario, agents: int, per_hour: float, aht: float,
                         patience: float | None, threshold: float = 20) -> None:
    kpis = simulate(scenario).summary.kpis
    exact = queue_kpis(agents, per_hour / 3600, 1 / aht, patience, threshold)
    assert_close(kpis["service_level"], exact.service_level, "service level")
    assert_close(kpis["abandon_rate"], exact.abandon_rate, "abandonment")
    assert_close(kpis["occupancy"], exact.occupancy, "occupancy")
    assert_close(kpis["asa_s"], exact.asa_s, "ASA")


@pytest.mark.parametrize("agents,per_hour,aht,patience", [
    (33, 600, 180, None),      # Erlang C, 30 Erlangs on 33 agents
    (10, 180, 180, 120),       # Erlang A, 9 Erlangs, moderate abandonment
    (20, 600, 180, 60),        # Erlang A overloaded: 30 Erlangs on 20 agents, ~40% abandon
    (100, 1900, 180, 300),     # Erlang A, a larger centre near critical load
])
def test_stationary_queue_matches_erlang(agents, per_hour, aht, patience) -> None:
    scenario = stationary(agents, per_hour, aht, patience)
    check_against_theory(scenario, agents, per_hour, aht, patience)


def test_ivr_thinning_gives_erlang_a_at_the_thinned_rate() -> None:
    self_service = {
        "time_in_ivr": {"distribution": "lognormal", "mean": 60, "cv": 0.5},
        "completion": 0.4, "opt_out": 0.2,
    }
    scenario = stationary(12, 500, 180, 120, self_service=self_service)
    check_against_theory(scenario, 12, 500 * 0.6, 180, 120)
    result = simulate(scenario)
    # IVR outcomes are independent Bernoulli(0.4) draws: test against the exact binomial
    # standard error rather than a variance estimated from 10 replications
    callers = result.tallies.type_sum("ivr_entered", slice(None), [0]).sum()
    binomial_se = (0.4 * 0.6 / callers) ** 0.5
    containment = result.summary.kpis["containment"].mean
    assert abs(containment - 0.4) <= 4 * binomial_se, (containment, binomial_se)


def test_group_with_every_skill_is_one_pooled_queue() -> None:
    types = [
        {"name": name, "arrivals": {"per_interval": [rate] * 20},
         "handle_time": {"distribution": "exponential", "mean": 180},
         "patience": {"distribution": "exponential", "mean": 120}}
        for name, rate in (("a", 120), ("b", 200), ("c", 80))
    ]
    scenario = Scenario.model_validate({
        "name": "pooled",
        "horizon": {"interval_minutes": 60, "intervals": 20, "warmup_minutes": 60},
        "seed": 5, "replications": 10,
        "contact_types": types,
        "agent_groups": [{"name": "all", "skills": ["a", "b", "c"], "staffing": 21}],
        "routing": {"policy": "longest_idle"},
    })
    check_against_theory(scenario, 21, 400, 180, 120)
