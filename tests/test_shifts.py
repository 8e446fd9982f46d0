"""The shift IP on instances small enough to solve by hand, and its diagnosis."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ccsim.optimise.shifts import ShiftData, shift_cover, shift_data, solve_shifts, uncovered
from ccsim.sim.scenario import Scenario


def instance(requirement: list[int], on_phone: float = 1.0) -> ShiftData:
    # early covers intervals 0-2, late 1-3, short 1-2; cost per agent 3, 3 and 1.5
    cover = np.array([[1, 1, 1, 0], [0, 1, 1, 1], [0, 1, 1, 0]], dtype=float)
    return ShiftData(["team"], ["early", "late", "short"], cover, np.array([[3.0, 3.0, 1.5]]),
                     np.ones((1, 3), dtype=bool), np.array([requirement], dtype=float), on_phone)


def test_hand_solved_optimum() -> None:
    # interval 0 needs 2 early, interval 3 needs 1 late; together they cover 3 in 1-2: cost 9
    plan = solve_shifts(instance([2, 3, 3, 1]))
    assert plan.agents.tolist() == [[2, 1, 0]]
    assert math.isclose(plan.cost, 9.0, rel_tol=1e-6) and plan.status == "optimal"
    assert plan.gap == 0


def test_cheap_short_shifts_fill_the_peak() -> None:
    # 2 early + 1 late cover 3 in the middle; the peak of 5 takes two 1.5 short shifts
    plan = solve_shifts(instance([2, 5, 5, 1]))
    assert plan.agents.tolist() == [[2, 1, 2]]
    assert math.isclose(plan.cost, 12.0, rel_tol=1e-6)


def test_shrinkage_grosses_up_the_heads() -> None:
    data = instance([2, 3, 3, 1], on_phone=0.5)
    plan = solve_shifts(data)
    assert math.isclose(plan.cost, 18.0, rel_tol=1e-6)
    assert plan.on_phone_staffing(data).tolist() == [[2, 3, 3, 1]]


def scenario(shifts: list[dict]) -> Scenario:
    return Scenario.model_validate({
        "name": "s", "horizon": {"start": "08:00", "interval_minutes": 60, "intervals": 6},
        "contact_types": [{"name": "a", "arrivals": {"per_interval": [10] * 6},
                           "handle_time": {"distribution": "exponential", "mean": 100}}],
        "agent_groups": [{"name": "team", "skills": ["a"], "staffing": 0, "cost_per_hour": 10}],
        "optimise": {"shrinkage": 0.2, "shifts": shifts},
    })


def test_cover_excludes_breaks_and_clips_to_the_day() -> None:
    s = scenario([{"name": "x", "start": "09:30", "length_h": 4,
                   "breaks": [{"after_h": 1.5, "minutes": 30}]}])
    # works 09:30-11:00 and 11:30-13:30; intervals are 08:00, 09:00, ..., 13:00
    cover = shift_cover(s, s.optimise.shifts[0])
    assert cover.tolist() == pytest.approx([0, 0.5, 1, 0.5, 1, 0.5])


def test_uncovered_intervals_are_named() -> None:
    s = scenario([{"name": "morning", "start": "08:00", "length_h": 3}])
    data = shift_data(s, np.array([[1, 1, 1, 1, 1, 0]]))
    assert uncovered(data, s) == [
        "optimise.shifts: no shift template that group 'team' may work covers 11:00-13:00 "
        "(intervals 3-4), where it needs agents on the phones"
    ]
