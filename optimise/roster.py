"""Weekly rostering: how many agents of each group work each tour of the week.

A tour is a shift template on each working day of a days-on pattern (``days_on`` days of the
week, the days off together when asked, wrapping Sunday-Monday). Enumerating tours explodes
(7 patterns × T^5 template choices), so the integer programme (Pyomo, solved by HiGHS) uses
the standard split: ``x[g, p]`` agents of group g on days-on pattern p, ``y[g, d, s]`` agents
of g working template s on day d, linked by ``Σ_s y[g, d, s] = Σ_{p working d} x[g, p]``.
With ``same_start_all_week`` the decision is ``x[g, p, s]`` (one template all week) and
``y`` is its sum over the patterns working day d. Either way every day's agents on the phones
(agents × (1 − shrinkage) × the share of the interval their template covers) are at least
the requirement, at least paid cost (each worked day pays its template).

Any solution splits into individual agents (``roster_rows``): each agent keeps their pattern
and, on each working day, takes one of that day's templates.

The week's optimiser (``optimise.plan`` through ``optimise.week``) calls it inside its
simulate-correct-cover-verify loop, on plain data built by ``roster_data``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from ccsim.optimise.shifts import shift_data
from ccsim.sim.optimise_spec import Roster
from ccsim.sim.scenario import Scenario

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The days of the week, Monday first: the columns of ``roster.csv``."""

OFF = "off"
"""What a roster row says on an agent's day off."""

class RosterError(ValueError):
    """No roster can cover the requirement; the message says why."""


@dataclass(frozen=True)
class RosterData:
    """Plain data of a weekly rostering instance (indices are positions in the lists).

    ``cover[s][i]``: share of interval i that an agent on template s is on the phones (0-1);
    ``cost[g][s]``: cost of one agent of group g working template s for one day (currency);
    ``allowed[g][s]``: may group g work template s; ``requirement[d][g][i]``: agents of group
    g on the phones needed on day d (Monday first) in interval i; ``on_phone``: 1 −
    shrinkage; ``rules``: the roster block.
    """

    groups: list[str]
    shifts: list[str]
    cover: np.ndarray
    cost: np.ndarray
    allowed: np.ndarray
    requirement: np.ndarray
    on_phone: float
    rules: Roster

    @property
    def patterns(self) -> list[tuple[bool, ...]]:
        """The days-on patterns the rules allow: for each, working or not on each day."""
        return day_patterns(self.rules.days_on, self.rules.consecutive_days_off)


@dataclass(frozen=True)
class RosterRow:
    """One agent's week: their group, number within it (from 1), and per day (Monday first)
    the template's name or ``off``."""

    group: str
    agent: int
    days: tuple[str, ...]


@dataclass(frozen=True)
class RosterPlan:
    """A solved instance.

    ``per_pattern[g][p]`` agents of group g on days-on pattern p (``data.patterns``), or
    ``per_pattern[g][p][s]`` with ``same_start_all_week``; ``per_day[g][d][s]`` agents of g
    working template s on day d; ``cost``: paid cost of the week (currency); ``rows``: one
    per agent.
    """

    per_pattern: np.ndarray
    per_day: np.ndarray
    cost: float
    bound: float
    status: str
    gap: float
    rows: list[RosterRow]


def day_patterns(days_on: int, consecutive_days_off: bool) -> list[tuple[bool, ...]]:
    """Every week of ``days_on`` working days: with ``consecutive_days_off`` only those whose
    days off are together (wrapping Sunday-Monday), one per first day off."""
    off = len(DAYS) - days_on
    if off == 0:
        return [(True,) * len(DAYS)]
    if consecutive_days_off:
        return [tuple((d - first) % len(DAYS) >= off for d in range(len(DAYS)))
                for first in range(len(DAYS))]
    return [tuple(d not in days_off for d in range(len(DAYS)))
            for days_off in itertools.combinations(range(len(DAYS)), off)]


def roster_data(scenario: Scenario, requirement: np.ndarray) -> RosterData:
    """The instance for a scenario's templates and roster block and a weekly requirement
    [day, group, interval] (7 days, Monday first); the intervals wholly inside the warm-up
    need no cover, as in the one-day shift model."""
    opt = scenario.optimise
    assert opt is not None and opt.shifts and opt.roster is not None
    required = np.asarray(requirement, dtype=float)
    if required.shape[0] != len(DAYS):
        raise ValueError(f"the requirement has {required.shape[0]} days, not {len(DAYS)}")
    days = [shift_data(scenario, day) for day in required]
    first = days[0]
    return RosterData(first.groups, first.shifts, first.cover, first.cost, first.allowed,
                      np.array([d.requirement for d in days]), first.on_phone, opt.roster)


def build_roster_model(data: RosterData) -> pyo.ConcreteModel:
    """The roster IP: agents per days-on pattern (and template, with one template all week)
    and per day and template, covering every day's requirement at least paid cost."""
    m = pyo.ConcreteModel(name="roster")
    patterns = data.patterns
    n_g, n_s = data.allowed.shape
    n_d, _, n_i = data.requirement.shape
    m.GS = pyo.Set(dimen=2, initialize=[(g, s) for g in range(n_g) for s in range(n_s)
                                        if data.allowed[g, s]])
    m.GD = pyo.Set(dimen=2, initialize=[(g, d) for g in range(n_g) for d in range(n_d)])
    m.GDS = pyo.Set(dimen=3, initialize=[(g, d, s) for (g, s) in m.GS for d in range(n_d)])
    m.GDI = pyo.Set(dimen=3, initialize=[(g, d, i) for (g, d) in m.GD for i in range(n_i)
                                         if data.requirement[d, g, i] > 0])
    m.P = pyo.RangeSet(0, len(patterns) - 1)
    if data.rules.same_start_all_week:
        m.GPS = pyo.Set(dimen=3, initialize=[(g, p, s) for (g, s) in m.GS for p in m.P])
        m.x = pyo.Var(m.GPS, domain=pyo.NonNegativeIntegers)

        def day_rule(m: pyo.ConcreteModel, g: int, d: int, s: int) -> object:
            return sum(m.x[g, p, s] for p in m.P if patterns[p][d])

        m.y = pyo.Expression(m.GDS, rule=day_rule)
    else:
        m.GP = pyo.Set(dimen=2, initialize=[(g, p) for g in range(n_g) for p in m.P])
        m.x = pyo.Var(m.GP, domain=pyo.NonNegativeIntegers)
        m.y = pyo.Var(m.GDS, domain=pyo.NonNegativeIntegers)

        def link_rule(m: pyo.ConcreteModel, g: int, d: int) -> object:
            working = sum(m.x[g, p] for p in m.P if patterns[p][d])
            return sum(m.y[gg, dd, s] for (gg, dd, s) in m.GDS if (gg, dd) == (g, d)) == working

        m.link = pyo.Constraint(m.GD, rule=link_rule)

    def cover_rule(m: pyo.ConcreteModel, g: int, d: int, i: int) -> object:
        terms = [data.on_phone * data.cover[s, i] * m.y[g, d, s] for (gg, s) in m.GS
                 if gg == g and data.cover[s, i] > 0]
        if not terms:
            return pyo.Constraint.Infeasible
        return sum(terms) >= float(data.requirement[d, g, i])

    m.cover = pyo.Constraint(m.GDI, rule=cover_rule)

    def cost_rule(m: pyo.ConcreteModel) -> object:
        return sum(data.cost[g, s] * m.y[g, d, s] for (g, d, s) in m.GDS)

    m.cost = pyo.Objective(rule=cost_rule, sense=pyo.minimize)
    return m


def solve_roster(data: RosterData, time_limit_s: float = 60.0,
                 mip_gap: float = 1e-6) -> RosterPlan:
    """Solve the roster IP with HiGHS; raise ``RosterError`` when no roster exists."""
    missing = uncovered(data)
    if missing:
        raise RosterError("\n".join(missing))
    m = build_roster_model(data)
    result = SolverFactory("highs").solve(m, time_limit=time_limit_s, rel_gap=mip_gap,
                                          raise_exception_on_nonoptimal_result=False,
                                          load_solutions=False)
    if result.termination_condition in (TerminationCondition.provenInfeasible,
                                        TerminationCondition.infeasibleOrUnbounded):
        raise RosterError("optimise.roster: no roster of the shift templates covers the "
                          "week's requirement (an interval no template covers)")
    if result.solution_status not in (SolutionStatus.optimal, SolutionStatus.feasible):
        raise RuntimeError(f"the roster IP ended without a plan: {result.termination_condition}")
    result.solution_loader.load_vars()
    n_g, n_s = data.allowed.shape
    n_p, n_d = len(data.patterns), data.requirement.shape[0]
    same = data.rules.same_start_all_week
    per_pattern = np.zeros((n_g, n_p, n_s) if same else (n_g, n_p), dtype=int)
    for key in m.x:
        per_pattern[key] = round(pyo.value(m.x[key]))
    per_day = np.zeros((n_g, n_d, n_s), dtype=int)
    for g, d, s in m.GDS:
        per_day[g, d, s] = round(pyo.value(m.y[g, d, s]))
    cost = float(np.einsum("gds,gs->", per_day, data.cost))
    bound = result.objective_bound if result.objective_bound is not None else cost
    gap = 0.0 if cost <= 0 else max(0.0, (cost - bound) / cost)
    optimal = result.termination_condition == TerminationCondition.convergenceCriteriaSatisfied
    return RosterPlan(per_pattern, per_day, cost, float(bound),
                      "optimal" if optimal else str(result.termination_condition.name),
                      0.0 if math.isclose(gap, 0, abs_tol=1e-9) else gap,
                      roster_rows(data, per_pattern, per_day))


def uncovered(data: RosterData) -> list[str]:
    """Why no roster can exist: per group and day, the intervals needing agents that no
    template the group may work covers."""
    problems = []
    for g, group in enumerate(data.groups):
        reach = (data.allowed[g][:, None] * data.cover).max(axis=0)
        for d, day in enumerate(DAYS):
            bad = [i for i in range(data.requirement.shape[2])
                   if data.requirement[d, g, i] > 0 and reach[i] <= 0]
            if bad:
                problems.append(f"optimise.roster: no shift template that group {group!r} may "
                                f"work covers interval{'s' if len(bad) > 1 else ''} "
                                f"{', '.join(map(str, bad))} on {day}, where it needs agents "
                                "on the phones")
    return problems


def roster_rows(data: RosterData, per_pattern: np.ndarray,
                per_day: np.ndarray) -> list[RosterRow]:
    """Individual agents from a solution: each agent keeps their pattern (and template, with
    one template all week); on each day the agents working it take that day's templates in
    order. Always possible, since each day's templates add up to the agents working it."""
    rows = []
    patterns = data.patterns
    for g, group in enumerate(data.groups):
        weeks: list[list[str]] = []
        for p, pattern in enumerate(patterns):
            if data.rules.same_start_all_week:
                for s, name in enumerate(data.shifts):
                    row = [name if on else OFF for on in pattern]
                    weeks += [list(row) for _ in range(per_pattern[g, p, s])]
            else:
                weeks += [[OFF] * len(DAYS) for _ in range(per_pattern[g, p])]
        if not data.rules.same_start_all_week:
            _assign_templates(weeks, [patterns[p] for p in range(len(patterns))
                                      for _ in range(per_pattern[g, p])],
                              per_day[g], data.shifts)
        rows += [RosterRow(group, n + 1, tuple(week)) for n, week in enumerate(weeks)]
    return rows


def _assign_templates(weeks: list[list[str]], patterns: list[tuple[bool, ...]],
                      per_day: np.ndarray, shifts: list[str]) -> None:
    """Fill each working day of ``weeks`` (one per agent, on ``patterns``) with one of that
    day's templates, ``per_day[d][s]`` of template s. An agent keeps the template of their
    last working day while that day has one left, so the weeks change shift as little as this
    greedy order manages (the cost is the same whoever works what)."""
    last: list[str | None] = [None] * len(weeks)
    for d in range(len(DAYS)):
        left = {name: int(per_day[d, s]) for s, name in enumerate(shifts)}
        working = [n for n, pattern in enumerate(patterns) if pattern[d]]
        if sum(left.values()) != len(working):
            raise AssertionError(f"day {DAYS[d]}: {sum(left.values())} templates for "
                                 f"{len(working)} agents working")
        for n in working:
            name = last[n]
            if name is not None and left[name] > 0:
                weeks[n][d] = name
                left[name] -= 1
        rest = (name for name in shifts for _ in range(left[name]))
        for n in working:
            if weeks[n][d] == OFF:
                weeks[n][d] = last[n] = next(rest)
