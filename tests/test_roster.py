"""The weekly roster IP on a week small enough to solve by hand, and ``roster.csv``."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from ccsim.optimise.roster import (
    DAYS,
    OFF,
    RosterData,
    RosterError,
    RosterPlan,
    day_patterns,
    roster_data,
    solve_roster,
)
from ccsim.roster_file import write_roster
from ccsim.sim.optimise_spec import Roster
from ccsim.sim.scenario import Scenario

# Mon..Sun: agents needed on the phones; Tuesday and Thursday are closed
EARLY_NEED = [2, 0, 2, 0, 2, 2, 2]
LATE_NEED = [1, 0, 1, 0, 1, 1, 1]


def instance(rules: Roster, on_phone: float = 1.0) -> RosterData:
    """Two templates: ``early`` covers interval 0 and costs 80 a day, ``late`` covers
    interval 1 and costs 100 a day."""
    requirement = np.array([[[e, late]] for e, late in zip(EARLY_NEED, LATE_NEED, strict=True)],
                           dtype=float)
    return RosterData(["team"], ["early", "late"], np.eye(2), np.array([[80.0, 100.0]]),
                      np.ones((1, 2), dtype=bool), requirement, on_phone, rules)


def read_roster(plan: RosterPlan, folder: Path) -> list[dict[str, str]]:
    with write_roster(plan.rows, folder).open(newline="") as f:
        return list(csv.DictReader(f))


def days_off(row: dict[str, str]) -> list[int]:
    return [d for d, day in enumerate(DAYS) if row[day] == OFF]


def together(off: list[int]) -> bool:
    """Are the days off one run of days, wrapping Sunday-Monday?"""
    return sum((d + 1) % len(DAYS) not in off for d in off) <= 1


def test_five_on_two_off_together_hand_solved(tmp_path: Path) -> None:
    """The known optimum: 4 agents, cost 1,700.

    Each worked day pays its template, and a surplus agent works the cheaper ``early``, so the
    cost is 100 × (late days needed, 5) + 80 × (every other worked day) = 500 + 80 × (5N − 5)
    for N agents: the least N wins. Every day that needs agents needs 3 (2 early + 1 late).
    Two days off together contain at most one of the closed days (Tuesday, Thursday are not
    neighbours), so every agent works at least one closed day and at most 4 of the 5 open
    days: 4N ≥ 15 needing-days, N ≥ 4. And 4 suffice: off Mon-Tue, Tue-Wed, Thu-Fri, Sat-Sun
    leave each open day with exactly 3 agents. Cost = 500 + 80 × (20 − 5) = 1,700.
    """
    data = instance(Roster(days_on=5, consecutive_days_off=True))
    plan = solve_roster(data)
    assert math.isclose(plan.cost, 1700.0, rel_tol=1e-6)
    assert plan.status == "optimal" and plan.gap == 0
    rows = read_roster(plan, tmp_path)
    assert [r["agent"] for r in rows] == ["1", "2", "3", "4"]
    for row in rows:
        off = days_off(row)
        assert len(off) == 2 and together(off), row
    for d, day in enumerate(DAYS):
        shifts = [r[day] for r in rows]
        assert shifts.count("early") >= EARLY_NEED[d] and shifts.count("late") >= LATE_NEED[d]
    cost = sum({"early": 80, "late": 100}.get(r[day], 0) for r in rows for day in DAYS)
    assert math.isclose(cost, plan.cost)


def test_days_off_apart_are_cheaper_when_allowed(tmp_path: Path) -> None:
    """Days off apart: 3 agents off Tuesday and Thursday cover every open day with nothing
    to spare, the least possible (5 × (2 × 80 + 100) = 1,300)."""
    plan = solve_roster(instance(Roster(days_on=5, consecutive_days_off=False)))
    assert math.isclose(plan.cost, 1300.0, rel_tol=1e-6)
    rows = read_roster(plan, tmp_path)
    assert len(rows) == 3 and all(days_off(r) == [1, 3] for r in rows)


def test_same_start_all_week_hand_solved(tmp_path: Path) -> None:
    """One template all week: the early and late teams are separate weeks. Each agent works
    at most 4 open days (see above): early needs 10 agent-days, so ≥ 3 agents (off Mon-Tue,
    Tue-Wed, Thu-Fri suffice); late needs 5, so ≥ 2 (off Mon-Tue, Thu-Fri). Cost = 5 × (3 ×
    80 + 2 × 100) = 2,200."""
    plan = solve_roster(instance(Roster(same_start_all_week=True)))
    assert math.isclose(plan.cost, 2200.0, rel_tol=1e-6)
    rows = read_roster(plan, tmp_path)
    assert len(rows) == 5
    for row in rows:
        worked = {row[day] for day in DAYS} - {OFF}
        assert len(worked) == 1 and len(days_off(row)) == 2 and together(days_off(row)), row
    assert sorted(next(iter({row[d] for d in DAYS} - {OFF})) for row in rows) == [
        "early", "early", "early", "late", "late"]


def test_shrinkage_grosses_up_the_roster() -> None:
    # half the paid time on the phones: twice the agents of the hand-solved week
    plan = solve_roster(instance(Roster(), on_phone=0.5))
    assert math.isclose(plan.cost, 3400.0, rel_tol=1e-6)


@pytest.mark.parametrize(("days_on", "consecutive", "count"),
                         [(5, True, 7), (5, False, 21), (7, True, 1), (1, True, 7),
                          (6, False, 7), (4, False, 35)])
def test_day_patterns(days_on: int, consecutive: bool, count: int) -> None:
    patterns = day_patterns(days_on, consecutive)
    assert len(patterns) == len(set(patterns)) == count
    assert all(sum(p) == days_on for p in patterns)
    if consecutive:
        assert all(together([d for d in range(7) if not p[d]]) for p in patterns)


def test_roster_data_from_a_scenario() -> None:
    s = Scenario.model_validate({
        "name": "s",
        "horizon": {"start": "08:00", "interval_minutes": 240, "intervals": 2, "days": 7},
        "contact_types": [{"name": "a", "arrivals": {"per_interval": [10, 10]},
                           "handle_time": {"distribution": "exponential", "mean": 100}}],
        "agent_groups": [{"name": "team", "skills": ["a"], "staffing": 0, "cost_per_hour": 20}],
        "optimise": {"shifts": [{"name": "early", "start": "08:00", "length_h": 4},
                                {"name": "late", "start": "12:00", "length_h": 5}],
                     "roster": {}},
    })
    requirement = np.array([[[e, late]] for e, late in zip(EARLY_NEED, LATE_NEED, strict=True)])
    data = roster_data(s, requirement)
    assert data.cost.tolist() == [[80.0, 100.0]] and data.cover.tolist() == [[1, 0], [0, 1]]
    assert math.isclose(solve_roster(data).cost, 1700.0, rel_tol=1e-6)


def test_agents_keep_their_template_when_the_days_allow_it() -> None:
    """Mon needs 1 early, Tue nobody, Wed 1 late, Thu-Sun 1 early and 1 late: 10 agent-days,
    so two agents off Mon-Tue and Tue-Wed. The one working Monday works early all week, the
    one working Wednesday late (in plain order, both would change on Thursday)."""
    week = [[1, 0], [0, 0], [0, 1]] + [[1, 1]] * 4
    base = instance(Roster())
    data = RosterData(base.groups, base.shifts, base.cover, base.cost, base.allowed,
                      np.array([[day] for day in week], dtype=float), 1.0, base.rules)
    plan = solve_roster(data)
    assert sorted(r.days for r in plan.rows) == [
        ("early", "off", "off", "early", "early", "early", "early"),
        ("off", "off", "late", "late", "late", "late", "late")]


def test_a_week_no_template_covers_is_an_error() -> None:
    base = instance(Roster())
    data = RosterData(base.groups, base.shifts, np.array([[1.0, 0.0], [1.0, 0.0]]), base.cost,
                      base.allowed, base.requirement, 1.0, base.rules)
    with pytest.raises(RosterError) as caught:
        solve_roster(data)
    assert str(caught.value).splitlines() == [
        "optimise.roster: no shift template that group 'team' may work covers interval 1 on "
        f"{day}, where it needs agents on the phones"
        for day in ("mon", "wed", "fri", "sat", "sun")]
