"""Journeys against exact queueing theory (issue 11, "Must show"), within statistical tolerance.

Each stationary day is warmed up for an hour and measured for many more, as in
``test_engine_vs_theory``; a value passes within 1.5 CI half-widths of the exact one.
"""

from __future__ import annotations

from typing import Any

from ccsim.optimise.erlang import queue_kpis
from ccsim.sim.runner import simulate
from ccsim.sim.scenario import Scenario
from tests.test_engine_vs_theory import assert_close

HOURS = 20


def _day(types: list[dict[str, Any]], groups: list[dict[str, Any]], **extra: Any) -> Scenario:
    return Scenario.model_validate({
        "name": "journeys", "seed": 3, "replications": 10,
        "horizon": {"interval_minutes": 60, "intervals": HOURS, "warmup_minutes": 60},
        "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": types, "agent_groups": groups, **extra,
    })


def _exponential(mean: float) -> dict[str, Any]:
    return {"distribution": "exponential", "mean": mean}


def test_transfers_match_erlang_c_on_both_queues_by_burkes_theorem() -> None:
    """A (Poisson 600/h, AHT 180 s, 33 agents, no abandonment) transfers 30% to B (AHT 240 s,
    15 agents, no arrivals of its own). An M/M/n queue's departures are Poisson (Burke), so B
    is Erlang C at 180/h with 15 agents, A Erlang C at 600/h with 33."""
    p, rate_a = 0.3, 600.0
    scenario = _day(
        [{"name": "a", "arrivals": {"per_interval": [rate_a] * HOURS},
          "handle_time": _exponential(180), "transfers": [{"to": "b", "probability": p}]},
         {"name": "b", "arrivals": {"daily": 0}, "handle_time": _exponential(240)}],
        [{"name": "first", "skills": ["a"], "staffing": 33},
         {"name": "second", "skills": ["b"], "staffing": 15}])
    s = simulate(scenario).summary
    for name, agents, rate, aht in (("a", 33, rate_a, 180), ("b", 15, p * rate_a, 240)):
        exact = queue_kpis(agents, rate / 3600, 1 / aht, None, 20)
        kpis = s.by_contact_type[name]
        assert_close(kpis["service_level"], exact.service_level, f"{name} service level")
        assert_close(kpis["asa_s"], exact.asa_s, f"{name} ASA")
    a, b = s.by_contact_type["a"], s.by_contact_type["b"]
    assert b["transferred_in"].mean == b["offered"].mean > 0
    # counted by arrival: A's by when it called, B's by when it joined (the warm-up's edge
    # splits a few pairs)
    assert abs(a["transferred_out"].mean - b["transferred_in"].mean) < 0.01 * a["answered"].mean
    assert a["transferred_in"].mean == 0 and b["transferred_out"].mean == 0
    # each served A contact is transferred with probability p (binomial, 4 standard errors)
    answered = a["answered"].mean * 10
    share = a["transferred_out"].mean / a["answered"].mean
    assert abs(share - p) <= 4 * (p * (1 - p) / answered) ** 0.5


def test_proficiency_factor_two_is_erlang_c_with_twice_the_handle_time() -> None:
    """A group whose only skill has handle_time_factor 2 (AHT 90 s) is Erlang C at 180 s."""
    scenario = _day(
        [{"name": "calls", "arrivals": {"per_interval": [600] * HOURS},
          "handle_time": _exponential(90)}],
        [{"name": "slow", "skills": [{"name": "calls", "handle_time_factor": 2}],
          "staffing": 33}])
    kpis = simulate(scenario).summary.kpis
    exact = queue_kpis(33, 600 / 3600, 1 / 180, None, 20)
    assert_close(kpis["service_level"], exact.service_level, "service level")
    assert_close(kpis["asa_s"], exact.asa_s, "ASA")
    assert_close(kpis["occupancy"], exact.occupancy, "occupancy")


def test_repeats_raise_the_arrival_rate_to_lambda_over_f() -> None:
    """With first_contact f and a short fixed delay, every answered contact repeats with
    probability 1 - f, so the long-run rate offered to agents is λ / f (a geometric number
    of contacts per customer), measured away from the day's ends."""
    rate, f = 300.0, 0.6
    scenario = _day(
        [{"name": "calls", "arrivals": {"per_interval": [rate] * HOURS},
          "handle_time": _exponential(120),
          "resolution": {"first_contact": f,
                         "repeat_delay": {"distribution": "deterministic", "value": 60}}}],
        [{"name": "many", "skills": ["calls"], "staffing": 200}])
    result = simulate(scenario)
    middle = slice(2, HOURS - 2)  # one hour after the warm-up, and before the last hours
    offered = result.tallies.type_sum("offered", middle, [0])
    repeats = result.tallies.type_sum("repeats", middle, [0])
    hours = HOURS - 4
    mean = offered.mean() / hours
    # offered counts per replication: Student-t interval of their mean, 1.5 half-widths
    half = 2.262 * offered.std(ddof=1) / len(offered) ** 0.5 / hours
    assert abs(mean - rate / f) <= 1.5 * half + 1e-9, (mean, rate / f, half)
    assert abs(repeats.sum() / offered.sum() - (1 - f)) < 0.02
