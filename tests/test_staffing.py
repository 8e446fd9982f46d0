"""Erlang C / Erlang A in a planner's units (``optimise.staffing``) and ``optimise.max_occupancy``
in the optimiser's start and trimming."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from ccsim.optimise import erlang
from ccsim.optimise.evaluate import Evaluator
from ccsim.optimise.requirements import OccupancyCap, erlang_start
from ccsim.optimise.search import trim
from ccsim.optimise.staffing import erlang_a, erlang_c, occupancy_floor, paid_heads
from ccsim.sim.scenario import Scenario

LAM, MU = 100 / 1800, 1 / 180
"""pyworkforce's example: 100 calls per 30 minutes, AHT 180 s (10 Erlangs), per second."""


def test_pyworkforce_published_erlang_c_example() -> None:
    s = erlang_c(100, 180, interval_minutes=30, threshold_s=20, target=0.8, shrinkage=0.3)
    assert (s.agents, s.paid) == (14, 20)
    assert erlang.erlang_c(14, LAM, MU, 20).service_level >= 0.8
    assert erlang.erlang_c(13, LAM, MU, 20).service_level < 0.8
    exact = erlang.erlang_c(14, LAM, MU, 20)
    assert s.service_level == pytest.approx(exact.service_level, abs=1e-12)
    assert s.asa_s == pytest.approx(exact.asa_s, abs=1e-12)
    assert s.p_wait == pytest.approx(exact.p_wait, abs=1e-12)
    assert s.occupancy == pytest.approx(exact.occupancy, abs=1e-12)
    assert s.occupancy == pytest.approx(10 / 14, abs=1e-12)
    assert s.load_erlangs == pytest.approx(10.0, abs=1e-12)
    assert s.abandon_rate == 0.0 and s.meets_target
    # pyworkforce's published figures (its ASA threshold is 0.33 min = 19.8 s; same to 3 dp)
    assert (round(s.service_level, 3), round(s.p_wait, 3)) == (0.888, 0.174)


def test_pyworkforce_published_over_occupancy_example() -> None:
    s = erlang_c(100, 180, shrinkage=0.3, max_occupancy=0.7)
    assert (s.agents, s.paid) == (15, 22)
    assert (round(s.service_level, 3), round(s.occupancy, 3), round(s.p_wait, 3)) == (
        0.941, 0.667, 0.102)


def test_max_occupancy_raises_the_staffing_only_where_it_binds() -> None:
    alone = erlang_c(500, 180)  # 50 Erlangs: the service level alone loads agents to 89%
    capped = erlang_c(500, 180, max_occupancy=0.85)
    assert alone.occupancy > 0.85
    assert capped.agents == math.ceil(50 / 0.85) == 59 > alone.agents == 56
    assert capped.occupancy <= 0.85 and capped.service_level > alone.service_level
    assert erlang_c(100, 180, max_occupancy=0.85).agents == 14  # 10/14 = 0.714: no effect


def test_erlang_a_needs_fewer_agents_and_matches_the_exact_formula() -> None:
    a = erlang_a(100, 180, 120)
    assert a.agents == 12 < erlang_c(100, 180).agents
    assert erlang.erlang_a(11, LAM, MU, 1 / 120, 20).service_level < 0.8
    exact = erlang.erlang_a(12, LAM, MU, 1 / 120, 20)
    for field in ("service_level", "asa_s", "abandon_rate", "occupancy", "p_wait"):
        assert getattr(a, field) == pytest.approx(getattr(exact, field), abs=1e-12), field
    assert 0 < a.abandon_rate < 0.1
    assert erlang_a(100, 180, math.inf).agents == 14  # callers who never hang up: Erlang C


def test_given_agents_are_evaluated_not_searched() -> None:
    s = erlang_c(100, 180, shrinkage=0.3, agents=13)
    assert (s.agents, s.paid) == (13, 19)
    assert s.service_level == pytest.approx(erlang.erlang_c(13, LAM, MU, 20).service_level)
    assert not s.meets_target
    big = erlang_a(100, 180, 120, agents=30)
    assert big.agents == 30 and big.service_level > 0.99
    assert erlang_c(100, 180, agents=10).asa_s == math.inf  # load = agents: unstable
    nobody = erlang_a(100, 180, 120, agents=0)
    assert (nobody.service_level, nobody.abandon_rate, nobody.asa_s) == (0.0, 1.0, math.inf)


def test_no_calls_need_no_agents() -> None:
    s = erlang_c(0, 180, shrinkage=0.3)
    assert (s.agents, s.paid, s.service_level, s.asa_s) == (0, 0, 1.0, 0.0)


@pytest.mark.parametrize(("agents", "shrinkage", "paid"),
                         [(14, 0.3, 20), (7, 0.3, 10), (17, 0.15, 20), (15, 0.3, 22),
                          (0, 0.5, 0), (9, 0.1, 10), (10, 0.0, 10)])
def test_paid_heads_round_up_without_floating_point_excess(
        agents: int, shrinkage: float, paid: int) -> None:
    assert paid_heads(agents, shrinkage) == paid


def test_occupancy_floor() -> None:
    assert occupancy_floor(8.5, 0.85) == 10  # 8.5 / 0.85 = 10.000000000000002
    assert occupancy_floor(50, 0.85) == 59
    assert occupancy_floor(50, 1.0) == 0  # 1 = no limit
    assert occupancy_floor(0, 0.5) == 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"calls": -1}, '"calls" must be >= 0.'),
    ({"calls": math.nan}, '"calls" must be a finite number.'),
    ({"calls": math.inf}, '"calls" must be a finite number.'),
    ({"aht_s": 0}, '"aht_s" must be > 0.'),
    ({"aht_s": "180"}, '"aht_s" must be a finite number.'),
    ({"interval_minutes": 0}, '"interval_minutes" must be > 0.'),
    ({"threshold_s": -5}, '"threshold_s" must be >= 0.'),
    ({"target": 0}, '"target" must be > 0 and < 1.'),
    ({"target": 1}, '"target" must be > 0 and < 1.'),
    ({"shrinkage": 1}, '"shrinkage" must be >= 0 and < 1.'),
    ({"shrinkage": -0.1}, '"shrinkage" must be >= 0 and < 1.'),
    ({"max_occupancy": 0}, '"max_occupancy" must be > 0 and <= 1.'),
    ({"max_occupancy": 1.2}, '"max_occupancy" must be > 0 and <= 1.'),
    ({"agents": -1}, '"agents" must be an int >= 0.'),
    ({"agents": 12.5}, '"agents" must be an int >= 0.'),
])
def test_bad_arguments_are_refused_by_name(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"calls": 100, "aht_s": 180, **kwargs}
    with pytest.raises(ValueError) as excinfo:
        erlang_c(**args)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(("patience", "message"), [
    (0, '"patience_s" must be > 0.'), (math.nan, '"patience_s" must be a number.')])
def test_bad_patience_is_refused(patience: float, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        erlang_a(100, 180, patience)
    assert str(excinfo.value) == message


def one_queue(calls: float, optimise: dict[str, Any], intervals: int = 1,
              level: str = "interval", interval_minutes: int = 30) -> Scenario:
    """One Erlang A queue: ``calls`` per interval, AHT 180 s, patience 120 s."""
    return Scenario.model_validate({
        "name": "cap", "horizon": {"interval_minutes": interval_minutes, "intervals": intervals},
        "seed": 2, "replications": 10,
        "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": [{"name": "calls", "arrivals": {"per_interval": [calls] * intervals},
                           "handle_time": {"distribution": "exponential", "mean": 180},
                           "patience": {"distribution": "exponential", "mean": 120}}],
        "agent_groups": [{"name": "team", "skills": ["calls"], "staffing": 0}],
        "optimise": {"level": level, **optimise},
    })


def test_erlang_start_respects_max_occupancy_where_it_binds() -> None:
    free = erlang_start(one_queue(500, {}))
    capped = erlang_start(one_queue(500, {"max_occupancy": 0.85}))
    assert free[0, 0] == erlang_a(500, 180, 120).agents
    assert capped[0, 0] == math.ceil(50 / 0.85) == 59 > free[0, 0]
    small = one_queue(100, {"max_occupancy": 0.85})
    assert erlang_start(small)[0, 0] == erlang_start(one_queue(100, {}))[0, 0] == 12
    cap = OccupancyCap(one_queue(500, {"max_occupancy": 0.85}))
    assert cap.holds(np.array([[59]])) and not cap.holds(np.array([[58]]))
    assert OccupancyCap(one_queue(500, {})).holds(np.array([[1]]))  # no cap


def test_occupancy_cap_lets_cross_skilled_agents_carry_any_type() -> None:
    scenario = Scenario.model_validate({
        "name": "two", "horizon": {"interval_minutes": 30, "intervals": 1},
        "contact_types": [
            {"name": name, "arrivals": {"per_interval": [100]},
             "handle_time": {"distribution": "exponential", "mean": 180}} for name in "ab"],
        "agent_groups": [{"name": "both", "skills": ["a", "b"], "staffing": 0},
                         {"name": "b_only", "skills": ["b"], "staffing": 0}],
        "optimise": {"max_occupancy": 0.5},
    })
    cap = OccupancyCap(scenario)  # 10 Erlangs each: 40 agents, 20 of them able to take a
    assert cap.holds(np.array([[20], [20]])) and cap.holds(np.array([[40], [0]]))
    assert not cap.holds(np.array([[19], [21]])) and not cap.holds(np.array([[20], [19]]))


def test_trimming_stops_at_the_occupancy_cap_without_simulating_below_it() -> None:
    scenario = one_queue(360, {"max_occupancy": 0.6}, intervals=4, level="day",
                         interval_minutes=60)  # 18 Erlangs: 30 agents at 60%
    evaluate = Evaluator(scenario, scenario.replications, scenario.seed)
    staffing, ev = trim(evaluate, np.full((1, 4), 60), max_passes=1)
    assert ev.feasible
    assert staffing.tolist() == [[30] * 4]
    assert evaluate.simulations == 2  # 60 agents, then 30; every smaller try breaks the cap


def test_infinite_patience_never_abandons_even_with_nobody_answering() -> None:
    nobody = erlang_a(100, 180, math.inf, agents=0)
    assert nobody.abandon_rate == 0.0 and nobody.service_level == 0.0
    assert erlang_a(100, 180, 120, agents=0).abandon_rate == 1.0
