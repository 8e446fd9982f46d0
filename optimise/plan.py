"""The optimiser's driver: the cheapest staffing on shifts that meets the service level.

Stages (each reported through ``on_stage``):

1. **start**: Erlang A per interval and type on the load after the IVR, split over groups by
   an LP (``optimise.requirements``);
2. **correct**: simulate on common random numbers, add agents where the shortfall falls most
   per unit cost, then remove the ones not needed (``optimise.search``): the requirement;
3. **shifts**: the shift IP covers the requirement net of shrinkage (``optimise.shifts``);
4. **close the loop**: simulate the shift plan's coverage; where it misses, raise the
   requirement there and solve again; then take agents off shifts one at a time while the
   simulated target still holds (the IP covers the requirement, but lumpy shifts leave slack
   that the queue dynamics may not need); then refine the shift mix by simulation-based
   cutting planes within the time left (``optimise.cuts``), keeping a cheaper plan only if it
   also holds on hold-out days;
5. **verify**: simulate the final plan on fresh seeds (``seed + VERIFY_SEED_OFFSET``).

Without shift templates the plan is the corrected per-interval staffing.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from ccsim.optimise.cuts import refine
from ccsim.optimise.evaluate import Evaluation, Evaluator, TargetError, as_staffing, with_staffing
from ccsim.optimise.requirements import OccupancyCap, erlang_start
from ccsim.optimise.search import add_until_met, skill_matrix, trim, unit_costs
from ccsim.optimise.shifts import (
    ShiftData,
    ShiftPlan,
    ShiftPlanError,
    shift_data,
    solve_shifts,
    uncovered,
)
from ccsim.sim.kpis import cost_per_replication
from ccsim.sim.runner import RunResult, worker_pool
from ccsim.sim.scenario import Scenario

VERIFY_SEED_OFFSET = 1_000_003
"""The verifying simulation uses seed + this: days the optimiser has never seen."""

Stage = Callable[[str, str], None]


@dataclass(frozen=True)
class Plan:
    """An optimised plan and how it was found (arrays are [group, interval])."""

    scenario: Scenario
    start: np.ndarray
    requirement: np.ndarray
    staffing: np.ndarray
    shifts: ShiftPlan | None
    """The final shift plan (after trimming and refinement)."""
    ip: ShiftPlan | None
    """The requirement IP's solution as solved (its status, objective, bound and gap)."""
    shift_data: ShiftData | None
    cost: dict[str, float]
    verification: RunResult
    verified: Evaluation
    seed: int
    replications: int
    simulations: int
    contacts: int
    seconds: float
    comparisons: dict[str, dict[str, float | bool]] = field(default_factory=dict)

    @property
    def paid_agents(self) -> np.ndarray:
        """Paid agents present per interval (on shift, breaks included), [group, interval]."""
        if self.shifts is None or self.shift_data is None:
            shrink = self.scenario.optimise.shrinkage if self.scenario.optimise else 0.0
            return self.staffing / (1 - shrink)
        present = (self.shift_data.cover > 0).astype(float)
        return self.shifts.agents @ present


def _quiet(stage: str, detail: str) -> None:
    """The default ``on_stage``: report nothing."""


def agent_cost(staffing: np.ndarray, shifts: ShiftPlan | None, scenario: Scenario) -> float:
    """Paid agent cost per day: the shifts' cost, or on-phone hours grossed up by shrinkage."""
    if shifts is not None:
        return shifts.cost
    return float(np.sum(staffing * unit_costs(scenario)[:, None]))


def cover_requirement(
    scenario: Scenario, requirement: np.ndarray, time_limit_s: float
) -> tuple[ShiftData, ShiftPlan]:
    """Solve the shift IP for a requirement, or explain why it cannot be covered."""
    data = shift_data(scenario, requirement)
    problems = uncovered(data, scenario)
    if problems:
        raise ShiftPlanError("\n".join(problems))
    return data, solve_shifts(data, time_limit_s)


def _close_loop(
    evaluate: Evaluator, requirement: np.ndarray, time_limit_s: float, on_stage: Stage,
    max_rounds: int = 12,
) -> tuple[np.ndarray, ShiftData, ShiftPlan, Evaluation]:
    """Shifts for the requirement; raise it where the simulated coverage misses."""
    scenario = evaluate.scenario
    cost, skills = unit_costs(scenario), skill_matrix(scenario)
    requirement = requirement.copy()
    for round_ in range(max_rounds):
        data, plan = cover_requirement(scenario, requirement, time_limit_s)
        staffing = plan.on_phone_staffing(data)
        ev = evaluate(staffing)
        on_stage("shifts", f"round {round_ + 1}: cost {plan.cost:,.2f}, "
                           f"{int((~ev.met).sum())} cells missing")
        if ev.feasible:
            return requirement, data, plan, ev
        for row, k in zip(*np.nonzero(~ev.met), strict=True):
            g = min(np.flatnonzero(skills[:, k]), key=lambda gg: cost[gg])
            intervals = [row] if ev.score.shape[0] > 1 else range(requirement.shape[1])
            for i in intervals:
                requirement[g, i] = max(requirement[g, i], staffing[g, i]) + 1
    raise TargetError(f"optimise.shifts: the shift plan still misses the target after "
                      f"{max_rounds} rounds: {ev.describe_missing(scenario)}")


def _trim_shifts(
    evaluate: Evaluator, data: ShiftData, plan: ShiftPlan, deadline: float, on_stage: Stage,
) -> tuple[ShiftPlan, Evaluation]:
    """Take agents off shifts, the dearest first, while the simulated target and the occupancy
    cap hold (a removal that breaks the cap is not simulated)."""
    cap = OccupancyCap(evaluate.scenario)
    agents = plan.agents.copy()
    ev = evaluate(plan.on_phone_staffing(data))
    removed = True
    while removed and time.monotonic() < deadline:
        removed = False
        for g, s in sorted(((int(g), int(s)) for g, s in np.argwhere(agents > 0)),
                           key=lambda gs: -data.cost[gs[0], gs[1]]):
            fewer = agents.copy()
            fewer[g, s] -= 1
            on_phone = plan.with_agents(fewer, data).on_phone_staffing(data)
            if not cap.holds(on_phone):
                continue
            trial = evaluate(on_phone)
            if trial.feasible:
                agents, ev, removed = fewer, trial, True
                on_stage("shifts", f"took one agent off {data.shifts[s]} ({data.groups[g]})")
    return plan.with_agents(agents, data), ev


def optimise_staffing(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    time_limit_s: float = 90.0,
    compare: bool = True,
    on_stage: Stage = _quiet,
) -> Plan:
    """Optimise the staffing of ``scenario`` (which must have an ``optimise:`` block).

    ``time_limit_s`` bounds the improving searches (trimming, cutting planes) and each IP
    solve; the start, the correction to feasibility and the verification always run.
    """
    if scenario.optimise is None:
        raise ValueError("the scenario has no optimise: block")
    reps = scenario.replications if replications is None else replications
    run_seed = scenario.seed if seed is None else seed
    with worker_pool(workers, executor) as pool:
        return _optimise(scenario, reps, run_seed, pool, time_limit_s, compare, on_stage)


def _optimise(
    scenario: Scenario, reps: int, seed: int, pool: Executor | None, time_limit_s: float,
    compare: bool, on_stage: Stage,
) -> Plan:
    began = time.monotonic()
    deadline = began + time_limit_s
    on_stage("start", "Erlang A per interval and contact type")
    start = erlang_start(scenario)
    evaluate = Evaluator(scenario, reps, seed, pool)

    on_stage("correct", "simulating the Erlang A staffing")
    staffing, ev = add_until_met(evaluate, start, on_step=lambda s: on_stage("correct", s))
    if not ev.feasible:
        raise TargetError(
            "service_level: the target cannot be met by adding agents (is it reachable with "
            f"callers who hang up?); still missing: {ev.describe_missing(scenario)}")
    staffing, ev = trim(evaluate, staffing, deadline, on_step=lambda s: on_stage("correct", s))
    requirement = staffing

    shifts = ip = data = None
    if scenario.optimise and scenario.optimise.shifts:
        requirement, data, ip, ev = _close_loop(evaluate, requirement, time_limit_s, on_stage)
        shifts, ev = _trim_shifts(evaluate, data, ip, deadline, on_stage)
        shifts, ev = refine(evaluate, data, shifts, ev, deadline, time_limit_s,
                            on_step=lambda s: on_stage("shifts", s))
        staffing = shifts.on_phone_staffing(data)

    on_stage("verify", f"{reps} fresh simulated days")
    final = as_staffing(staffing)
    verification = evaluate.run(final, seed + VERIFY_SEED_OFFSET)
    verified = evaluate.judge(final, verification)
    planned = with_staffing(scenario, staffing)
    cost = plan_cost(planned, staffing, shifts, verification)
    seconds = time.monotonic() - began  # finding the plan; the comparisons are extra
    comparisons = (compare_methods(scenario, reps, seed, pool, time_limit_s, cost["agents"],
                                   on_stage) if compare else {})
    return Plan(planned, start, requirement, staffing, shifts, ip, data, cost, verification,
                verified, seed, reps, evaluate.simulations, evaluate.contacts, seconds,
                comparisons)


def plan_cost(scenario: Scenario, staffing: np.ndarray, shifts: ShiftPlan | None,
              verification: RunResult) -> dict[str, float]:
    """The plan's cost split per day: paid agents (gross of shrinkage), self-service and
    abandonment (means of the verifying simulation), self-service options, total."""
    simulated = cost_per_replication(verification.tallies, scenario)
    cost = {
        "agents": agent_cost(staffing, shifts, scenario),
        "self_service": float(simulated["self_service"].mean()),
        "abandonment": float(simulated["abandonment"].mean()),
        "self_service_options": 0.0,
    }
    cost["total"] = sum(cost.values())
    return cost


def specialists(scenario: Scenario) -> Scenario:
    """The same centre with each contact type answered by its own single-skill group, paid as
    the cheapest group that has the skill."""
    groups = []
    for t in scenario.contact_types:
        able = [g for g in scenario.agent_groups if t.name in g.skills]
        cheapest = min(able, key=lambda g: g.cost_per_hour)
        groups.append(cheapest.with_changes(
            name=f"{t.name}_specialists", skills=[t.name], staffing=0))
    opt = scenario.optimise
    shifts = [s.with_changes(groups=None) for s in opt.shifts] if opt else []
    return scenario.with_changes(
        agent_groups=groups,
        optimise=opt.with_changes(shifts=shifts) if opt else None,
    )


def compare_methods(
    scenario: Scenario, reps: int, seed: int, pool: Executor | None, time_limit_s: float,
    plan_agents: float, on_stage: Stage,
) -> dict[str, dict[str, float | bool]]:
    """Agent cost of the plan beside the planners' two-step method (Erlang C, then shifts),
    the Erlang A per-interval staffing (no shift lumpiness, no simulation) and, for a
    multi-skill centre, separate specialists optimised the same way.

    Each is simulated on the verification days: ``meets_target`` by the point estimates (the
    criterion the optimiser plans to), ``meets_within_ci`` by the 95% upper bounds."""
    out: dict[str, dict[str, float | bool]] = {}
    evaluate = Evaluator(scenario, reps, seed + VERIFY_SEED_OFFSET, pool)
    has_shifts = bool(scenario.optimise and scenario.optimise.shifts)
    for method in ("erlang_c", "erlang_a"):
        on_stage("compare", f"{method} staffing")
        start = erlang_start(scenario, method)
        if method == "erlang_c" and has_shifts:
            try:
                data, shifts = cover_requirement(scenario, start, time_limit_s)
            except ShiftPlanError:
                continue
            staffing, cost = shifts.on_phone_staffing(data), shifts.cost
            name = "erlang_c_then_shifts"
        else:
            staffing, cost = start, agent_cost(start, None, scenario)
            name = f"{method}_per_interval"
        ev = evaluate(staffing)
        out[name] = {"agent_cost": cost, "meets_target": ev.feasible,
                     "meets_within_ci": ev.within_ci, "worst_margin": _worst_margin(ev)}
    if any(len(g.skills) > 1 for g in scenario.agent_groups):
        on_stage("compare", "separate specialists")
        alone = optimise_staffing(specialists(scenario), replications=reps, seed=seed,
                                  executor=pool, time_limit_s=time_limit_s, compare=False)
        out["specialists"] = {"agent_cost": alone.cost["agents"],
                              "meets_target": alone.verified.feasible,
                              "meets_within_ci": alone.verified.within_ci,
                              "worst_margin": _worst_margin(alone.verified),
                              "saving_of_plan": alone.cost["agents"] - plan_agents}
    return out


def _worst_margin(ev: Evaluation) -> float:
    """The smallest achieved-minus-target over cells with callers (negative: a miss)."""
    margins = np.where(ev.weight > 0, ev.score - ev.required, np.nan)
    return float(np.nanmin(margins)) if np.isfinite(margins).any() else math.nan
