"""Shift planning: how many agents of each group start on each shift template.

An integer programme (Pyomo, solved by HiGHS through ``highspy``): minimise the paid cost of
the agents on shifts such that, in every interval, the agents on the phones (paid agents ×
(1 − shrinkage) × the share of the interval their shift covers, breaks excluded) are at least
the requirement. The model is built from plain data by ``build_shift_model``; ``solve_shifts``
solves it and checks the termination.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.factory import SolverFactory
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition

from ccsim.sim.scenario import Scenario, ShiftTemplate, clock_minutes


class ShiftPlanError(ValueError):
    """No shift plan can cover the requirement; the message names the intervals and why."""


@dataclass(frozen=True)
class ShiftData:
    """Plain data of a shift-planning instance (indices are positions in the lists).

    ``cover[s][i]``: share of interval i that an agent on shift s is on the phones (0-1);
    ``cost[g][s]``: cost of one agent of group g on shift s (currency); ``allowed[g][s]``: may
    group g work shift s; ``requirement[g][i]``: agents on the phones needed; ``on_phone``:
    1 − shrinkage; ``fixed[g][i]``: agents on the phones whatever the shifts (the warm-up's,
    which nothing judges and the plan does not pay), -1 where the shifts decide.
    """

    groups: list[str]
    shifts: list[str]
    cover: np.ndarray
    cost: np.ndarray
    allowed: np.ndarray
    requirement: np.ndarray
    on_phone: float
    fixed: np.ndarray | None = None


@dataclass(frozen=True)
class ShiftPlan:
    """A solved instance: ``agents[g][s]`` starting on each shift, and the solver's account."""

    agents: np.ndarray
    cost: float
    bound: float
    status: str
    gap: float

    def with_agents(self, agents: np.ndarray, data: ShiftData) -> ShiftPlan:
        """Another plan for the same instance (after trimming or refining); the solver's
        account (status, bound, gap) stays with the IP solution, recorded separately."""
        return ShiftPlan(agents, float(np.sum(agents * data.cost)), self.bound, self.status,
                         self.gap)

    def on_phone_staffing(self, data: ShiftData) -> np.ndarray:
        """Agents on the phones, [group, interval], rounded down to whole agents (the fixed
        warm-up staffing where there is one)."""
        covered = np.floor(data.on_phone * self.agents @ data.cover + 1e-9).astype(int)
        return covered if data.fixed is None else np.where(data.fixed >= 0, data.fixed, covered)


def shift_cover(scenario: Scenario, template: ShiftTemplate) -> np.ndarray:
    """Share of each interval an agent on ``template`` is on the phones (breaks excluded)."""
    h = scenario.horizon
    start = (clock_minutes(template.start) - clock_minutes(h.start)) * 60.0
    work = [(start, start + template.length_h * 3600)]
    for brk in template.breaks:
        b0 = start + brk.after_h * 3600
        b1 = b0 + brk.minutes * 60
        work = [piece for a, b in work for piece in ((a, min(b, b0)), (max(a, b1), b)) if
                piece[1] > piece[0]]
    edges = np.arange(h.intervals + 1) * h.interval_s
    cover = np.zeros(h.intervals)
    for a, b in work:
        cover += np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0, None)
    return cover / h.interval_s


def paid_hours(scenario: Scenario, template: ShiftTemplate) -> float:
    """Hours of ``template`` the plan pays: its length less the part inside the warm-up (the
    warm-up is a device of the simulation, not counted in ``summary.json``'s cost either)."""
    h = scenario.horizon
    start = (clock_minutes(template.start) - clock_minutes(h.start)) / 60.0
    overlap = min(start + template.length_h, h.warmup_minutes / 60.0) - max(start, 0.0)
    return template.length_h - max(0.0, overlap)


def shift_data(scenario: Scenario, requirement: np.ndarray,
               warmup_staffing: np.ndarray | None = None) -> ShiftData:
    """The instance for a scenario's templates and a requirement [group, interval].

    The intervals wholly inside the warm-up need no cover from the shifts: their agents are
    ``warmup_staffing`` [group, interval] (only those intervals are read), or none.
    """
    opt = scenario.optimise
    assert opt is not None and opt.shifts
    groups = [g.name for g in scenario.agent_groups]
    cover = np.array([shift_cover(scenario, s) for s in opt.shifts])
    cost = np.array([[g.cost_per_hour * paid_hours(scenario, s) for s in opt.shifts]
                     for g in scenario.agent_groups])
    allowed = np.array([[s.groups is None or g in s.groups for s in opt.shifts] for g in groups])
    required = np.asarray(requirement, dtype=float).copy()
    first = scenario.horizon.warmup_intervals
    fixed = None
    if first:
        required[:, :first] = 0
        fixed = np.full(required.shape, -1, dtype=int)
        if warmup_staffing is not None:
            fixed[:, :first] = np.asarray(warmup_staffing)[:, :first]
        else:
            fixed[:, :first] = 0
    return ShiftData(groups, [s.name for s in opt.shifts], cover, cost, allowed, required,
                     1.0 - opt.shrinkage, fixed)


def uncovered(data: ShiftData, scenario: Scenario) -> list[str]:
    """Why no plan can exist: per group, the runs of intervals needing agents that no
    template it may work covers."""
    problems = []
    for g, group in enumerate(data.groups):
        reach = (data.allowed[g][:, None] * data.cover).max(axis=0) if data.shifts else None
        bad = [i for i in range(data.requirement.shape[1])
               if data.requirement[g, i] > 0 and (reach is None or reach[i] <= 0)]
        for first, last in _runs(bad):
            clock = f"{scenario.horizon.clock(first)}-{scenario.horizon.clock(last + 1)}"
            which = f"interval {first}" if first == last else f"intervals {first}-{last}"
            problems.append(
                f"optimise.shifts: no shift template that group {group!r} may work covers "
                f"{clock} ({which}), where it needs agents on the phones"
            )
    return problems


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def add_shift_choice(m: pyo.ConcreteModel, data: ShiftData) -> None:
    """The decision shared by every shift model: ``x[g, s]`` agents of group g on shift s
    (allowed pairs only), and the objective, their paid cost."""
    n_g, n_s = data.allowed.shape
    m.GS = pyo.Set(dimen=2, initialize=[(g, s) for g in range(n_g) for s in range(n_s)
                                        if data.allowed[g, s]])
    m.x = pyo.Var(m.GS, domain=pyo.NonNegativeIntegers)

    def cost_rule(m: pyo.ConcreteModel) -> object:
        return sum(data.cost[g, s] * m.x[g, s] for (g, s) in m.GS)

    m.cost = pyo.Objective(rule=cost_rule, sense=pyo.minimize)


def on_phone_expr(m: pyo.ConcreteModel, data: ShiftData, g: int, i: int) -> object:
    """Agents of group g on the phones in interval i, as an expression of ``x``."""
    return sum(data.on_phone * data.cover[s, i] * m.x[gg, s] for (gg, s) in m.GS
               if gg == g and data.cover[s, i] > 0)


def build_shift_model(data: ShiftData) -> pyo.ConcreteModel:
    """The shift IP: x[g, s] agents of group g on shift s, covering the requirement."""
    m = pyo.ConcreteModel(name="shifts")
    n_g = data.allowed.shape[0]
    m.G = pyo.RangeSet(0, n_g - 1)
    m.I = pyo.RangeSet(0, data.requirement.shape[1] - 1)
    add_shift_choice(m, data)
    m.requirement = pyo.Param(m.G, m.I, mutable=True,
                              initialize=lambda m, g, i: float(data.requirement[g, i]))

    def cover_rule(m: pyo.ConcreteModel, g: int, i: int) -> object:
        if data.requirement[g, i] <= 0:
            return pyo.Constraint.Skip
        return on_phone_expr(m, data, g, i) >= m.requirement[g, i]

    m.cover = pyo.Constraint(m.G, m.I, rule=cover_rule)
    return m


def solve_model(m: pyo.ConcreteModel, data: ShiftData, time_limit_s: float,
                mip_gap: float = 1e-6) -> tuple[Any, np.ndarray | None]:
    """Solve a shift model with HiGHS: the solver's result, and ``agents[g, s]`` (None when
    it found no plan)."""
    result = SolverFactory("highs").solve(m, time_limit=time_limit_s, rel_gap=mip_gap,
                                          raise_exception_on_nonoptimal_result=False,
                                          load_solutions=False)
    if result.solution_status not in (SolutionStatus.optimal, SolutionStatus.feasible):
        return result, None
    result.solution_loader.load_vars()
    agents = np.zeros(data.allowed.shape, dtype=int)
    for g, s in m.GS:
        agents[g, s] = round(pyo.value(m.x[g, s]))
    return result, agents


def solve_shifts(data: ShiftData, time_limit_s: float = 60.0, mip_gap: float = 1e-6) -> ShiftPlan:
    """Solve the shift IP with HiGHS; raise ``ShiftPlanError`` when no plan exists."""
    result, agents = solve_model(build_shift_model(data), data, time_limit_s, mip_gap)
    if result.termination_condition in (TerminationCondition.provenInfeasible,
                                        TerminationCondition.infeasibleOrUnbounded):
        raise ShiftPlanError("optimise.shifts: the templates cannot cover the requirement")
    if agents is None:
        raise RuntimeError(f"the shift IP ended without a plan: {result.termination_condition}")
    cost = float(np.sum(agents * data.cost))
    bound = result.objective_bound if result.objective_bound is not None else cost
    gap = 0.0 if cost <= 0 else max(0.0, (cost - bound) / cost)
    optimal = result.termination_condition == TerminationCondition.convergenceCriteriaSatisfied
    return ShiftPlan(agents, cost, float(bound),
                     "optimal" if optimal else str(result.termination_condition.name),
                     0.0 if math.isclose(gap, 0, abs_tol=1e-9) else gap)
