"""Invariants of the engine on random small days (Hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccsim.sim.model import simulate_day
from ccsim.sim.records import Records
from ccsim.sim.scenario import Scenario

INTERVALS = 4
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

dist = st.sampled_from([
    {"distribution": "exponential", "mean": 150},
    {"distribution": "lognormal", "mean": 200, "cv": 1.2},
    {"distribution": "deterministic", "value": 60},
    {"distribution": "uniform", "low": 10, "high": 300},
    {"distribution": "exponential", "mean": [100, 200, 300, 150]},
])
staffing = st.one_of(st.integers(0, 6), st.lists(st.integers(0, 6), min_size=INTERVALS,
                                                  max_size=INTERVALS))


@st.composite
def days(draw: Any, staffing: Any = staffing, routing: Any = None) -> Scenario:
    n_types = draw(st.integers(1, 3))
    names = ["a", "b", "c"][:n_types]
    types = []
    for name in names:
        t: dict[str, Any] = {
            "name": name,
            "arrivals": {"per_interval": draw(st.lists(st.floats(0, 40), min_size=INTERVALS,
                                                        max_size=INTERVALS))},
            "handle_time": draw(dist),
        }
        if draw(st.booleans()):
            t["patience"] = draw(dist)
        if draw(st.booleans()):
            completion = draw(st.floats(0, 1))
            t["self_service"] = {
                "time_in_ivr": draw(dist), "completion": completion,
                "opt_out": draw(st.floats(0, 1 - completion)),
                "failed_patience_factor": draw(st.floats(0.2, 2)),
            }
        if draw(st.booleans()):
            t["redial"] = {"probability": draw(st.floats(0, 1)), "delay": draw(dist)}
        types.append(t)
    groups = []
    for g in range(draw(st.integers(1, 3))):
        skills = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        groups.append({"name": f"g{g}", "skills": skills, "staffing": draw(staffing)})
    covered = {s for g in groups for s in g["skills"]}
    for name in names:
        if name not in covered:
            groups[0]["skills"].append(name)
    route = routing if routing is not None else draw(st.sampled_from([
        {"policy": "longest_idle"}, {"policy": "priority", "overflow_after_s": 0},
        {"policy": "priority", "overflow_after_s": 30},
    ]))
    return Scenario.model_validate({
        "name": "prop", "horizon": {"interval_minutes": 15, "intervals": INTERVALS},
        "contact_types": types, "agent_groups": groups, "routing": route,
    })


def check_records(rec: Records, scenario: Scenario) -> None:
    offered = rec.offered
    self_served, answered, abandoned = rec.self_served, rec.answered, rec.abandoned
    # every arrival ends exactly once
    assert np.all(self_served.astype(int) + answered + abandoned == 1)
    assert not np.any(offered & self_served)
    # times are ordered and waits are non-negative
    assert np.all(rec.entry[offered] >= rec.arrival[offered])
    assert np.all(rec.wait[offered] >= 0)
    assert np.all(rec.end[answered] >= rec.answer[answered])
    assert np.all(rec.arrival < scenario.horizon.length_s)
    # contacts only go to groups with the skill
    for g, group in enumerate(scenario.agent_groups):
        skills = [scenario.type_index(s) for s in group.skills]
        assert np.all(np.isin(rec.ctype[rec.group == g], skills))
    # agents never hold more contacts started in an interval than that interval's staffing
    length = scenario.horizon.interval_s
    for g, row in enumerate(scenario.staffing_matrix()):
        for i, staffed in enumerate(row):
            start, stop = i * length, (i + 1) * length
            mine = (rec.group == g) & (rec.answer >= start) & (rec.answer < stop)
            for t in rec.answer[mine]:
                busy = np.sum(mine & (rec.answer <= t) & (rec.end > t))
                assert busy <= staffed


@FAST
@given(days(), st.integers(0, 2**32 - 1))
def test_every_contact_has_one_consistent_outcome(scenario: Scenario, seed: int) -> None:
    check_records(simulate_day(scenario, seed, 0), scenario)


@FAST
@given(days(staffing=st.just(0)), st.integers(0, 2**32 - 1))
def test_no_agents_answer_nothing(scenario: Scenario, seed: int) -> None:
    rec = simulate_day(scenario, seed, 0)
    assert not rec.answered.any()
    assert np.all(rec.abandoned == rec.offered)


@FAST
@given(days(staffing=st.just(10_000), routing={"policy": "longest_idle"}),
       st.integers(0, 2**32 - 1))
def test_unlimited_agents_mean_no_wait(scenario: Scenario, seed: int) -> None:
    rec = simulate_day(scenario, seed, 0)
    assert np.all(rec.answered == rec.offered)
    assert np.all(rec.wait[rec.offered] == 0)


def _one_queue(rates: list[float], staffing: list[int], patience: float | None) -> Scenario:
    contact: dict[str, Any] = {"name": "a", "arrivals": {"per_interval": rates},
                               "handle_time": {"distribution": "lognormal", "mean": 240, "cv": 1}}
    if patience is not None:
        contact["patience"] = {"distribution": "exponential", "mean": patience}
    return Scenario.model_validate({
        "name": "mono", "horizon": {"interval_minutes": 30, "intervals": INTERVALS},
        "contact_types": [contact],
        "agent_groups": [{"name": "g", "skills": ["a"], "staffing": staffing}],
    })


def _answered_in_time(scenario: Scenario, seed: int) -> int:
    rec = simulate_day(scenario, seed, 0)
    return int(np.sum(rec.answered & (rec.wait <= scenario.service_level.threshold_s)))


@FAST
@given(st.lists(st.floats(0, 60), min_size=INTERVALS, max_size=INTERVALS),
       st.lists(st.integers(0, 8), min_size=INTERVALS, max_size=INTERVALS),
       st.integers(0, INTERVALS - 1), st.integers(0, 2**32 - 1))
def test_more_agents_never_lower_the_service_level(rates, staffing, where, seed) -> None:
    """On common random numbers, one more agent in any interval answers no fewer callers in
    time. Without abandonment this is a theorem for FCFS queues with handle times attached to
    callers (more servers never delay anyone); with abandonment it can fail on rare sample
    paths (a caller saved from abandoning takes an agent another would have had), so the
    property is checked where it must hold."""
    more = list(staffing)
    more[where] += 1
    base = _answered_in_time(_one_queue(rates, staffing, None), seed)
    assert _answered_in_time(_one_queue(rates, more, None), seed) >= base


def _daily_counts(scenario: Scenario, days: int) -> np.ndarray:
    """Forecast arrivals per day and type, [day, type]."""
    from ccsim.sim.callers import compile_types, draw_day

    models = compile_types(scenario)
    return np.array([np.bincount(draw_day(scenario, models, 4, r).ctype, minlength=2)
                     for r in range(days)])


def _two_types(day_cv: float, type_cv: float) -> Scenario:
    types = [{"name": n, "arrivals": {"per_interval": [100, 100], "uncertainty_cv": type_cv},
              "handle_time": {"distribution": "exponential", "mean": 60}} for n in "ab"]
    return Scenario.model_validate({
        "name": "u", "horizon": {"interval_minutes": 30, "intervals": 2},
        "day_uncertainty_cv": day_cv, "contact_types": types,
        "agent_groups": [{"name": "g", "skills": ["a", "b"], "staffing": 1}],
    })


def test_day_uncertainty_is_a_poisson_gamma_mixture_shared_by_all_types() -> None:
    # Var(N) = lam + lam² cv²: 200 + 200² × 0.2² = 1800 (plain Poisson would give 200)
    counts = _daily_counts(_two_types(0.2, 0.0), 2000)
    assert counts.mean() == pytest.approx(200, rel=0.02)
    assert counts[:, 0].var(ddof=1) == pytest.approx(1800, rel=0.1)
    # one draw per day for every type: the two types' counts move together
    assert np.corrcoef(counts.T)[0, 1] > 0.8


def test_per_type_uncertainty_is_independent_between_types() -> None:
    counts = _daily_counts(_two_types(0.0, 0.2), 2000)
    assert counts[:, 1].var(ddof=1) == pytest.approx(1800, rel=0.1)
    assert abs(np.corrcoef(counts.T)[0, 1]) < 0.1
