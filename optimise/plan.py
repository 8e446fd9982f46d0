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
from typing import TypeVar

import numpy as np

from ccsim.optimise import week
from ccsim.optimise.cuts import refine
from ccsim.optimise.evaluate import (
    Evaluation,
    Evaluator,
    TargetError,
    Verification,
    with_staffing,
)
from ccsim.optimise.requirements import OccupancyCap, erlang_start
from ccsim.optimise.roster import RosterData, RosterError, RosterPlan
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
from ccsim.sim.verdict import Judgement

VERIFY_SEED_OFFSET = 1_000_003
"""The verifying simulation uses seed + this: days the optimiser has never seen."""
SEARCH_SHARE = 0.6
"""Share of ``--time-limit`` the search may use when comparisons follow (0.85 without); the
verification may run to 0.8 (1.0 without) and the comparisons use the rest."""

Stage = Callable[[str, str], None]
Days = Callable[[int], None]


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
    checked: Verification
    """The verdict of DESIGN.md on the verification days, and what stopped adding days."""
    seed: int
    replications: int
    """Simulated days asked for."""
    search_replications: int
    """Simulated days the search ended deciding on (grown from ``replications`` where cells
    decided)."""
    simulations: int
    contacts: int
    seconds: float
    """Wall time of the whole optimisation, comparisons included, seconds."""
    comparisons: dict[str, dict[str, object]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    """What stopped the search short, as a planner reads it (the time limit, say)."""
    roster: RosterPlan | None = None
    """The weekly roster (with ``optimise.roster``): agents per pattern, day and template."""
    roster_data: RosterData | None = None

    @property
    def judgement(self) -> Judgement:
        """The verdict over the verification's cells."""
        return self.checked.judgement

    @property
    def meets_target(self) -> bool:
        """The plan meets the target by the verdict of DESIGN.md on fresh days."""
        return self.checked.meets_target

    @property
    def paid_agents(self) -> np.ndarray:
        """Paid people present per interval, [group, interval]: whole people on shift (breaks
        included), or without shifts the on-phone agents grossed up by shrinkage and rounded up
        to whole people; 0 in the warm-up, which the plan does not pay."""
        if self.roster is not None and self.roster_data is not None:
            return week.paid_people(self.scenario, self.roster_data, self.roster)
        return paid_people(self.scenario, self.staffing, self.shifts, self.shift_data)


def paid_people(scenario: Scenario, staffing: np.ndarray, shifts: ShiftPlan | None,
                data: ShiftData | None) -> np.ndarray:
    """Whole paid people present per interval, [group, interval] (``Plan.paid_agents``)."""
    if shifts is None or data is None:
        shrink = scenario.optimise.shrinkage if scenario.optimise else 0.0
        people = np.ceil(np.asarray(staffing, dtype=float) / (1 - shrink) - 1e-9)
    else:
        people = shifts.agents @ (data.cover > 0).astype(float)
    people[:, :scenario.horizon.warmup_intervals] = 0
    return people.astype(int)


def _quiet(stage: str, detail: str) -> None:
    """The default ``on_stage``: report nothing."""


def agent_cost(staffing: np.ndarray, shifts: ShiftPlan | RosterPlan | None,
               scenario: Scenario) -> float:
    """Paid agent cost per horizon (a day, or a week): the shifts' or the roster's cost, or
    whole paid people per interval (on-phone agents grossed up by shrinkage, rounded up) times
    their hours; the warm-up is not paid."""
    if shifts is not None:
        return shifts.cost
    h = scenario.horizon
    people = paid_people(scenario, staffing, None, None)
    hours = np.array([h.counted_share(i % h.intervals) for i in range(h.slots)]) \
        * h.interval_minutes / 60
    rates = np.array([g.cost_per_hour for g in scenario.agent_groups])
    return float(rates @ people @ hours)


def cover_requirement(
    scenario: Scenario, requirement: np.ndarray, time_limit_s: float,
    warmup_staffing: np.ndarray | None = None,
) -> tuple[ShiftData, ShiftPlan]:
    """Solve the shift IP for a requirement, or explain why it cannot be covered."""
    data = shift_data(scenario, requirement, warmup_staffing)
    problems = uncovered(data, scenario)
    if problems:
        raise ShiftPlanError("\n".join(problems))
    return data, solve_shifts(data, max(1.0, time_limit_s))


Data = TypeVar("Data")
Solution = TypeVar("Solution")
Cover = Callable[[np.ndarray, float], tuple[Data, Solution, np.ndarray, str]]


def _cover_loop(
    evaluate: Evaluator, requirement: np.ndarray, cover: Cover[Data, Solution],
    time_limit_s: float, on_stage: Stage, stage: str, max_rounds: int = 12,
) -> tuple[np.ndarray, Data, Solution, Evaluation]:
    """Cover the requirement (``cover(requirement, seconds)``: the instance, its solution,
    the agents it puts on the phones and a line to report), simulate the cover, and where it
    misses raise the requirement there and cover again."""
    scenario = evaluate.scenario
    requirement = requirement.copy()
    for round_ in range(max_rounds):
        data, plan, staffing, line = cover(requirement, _left(evaluate, time_limit_s))
        ev = evaluate(staffing)
        on_stage(stage, f"round {round_ + 1}: {line}, {int((~ev.met).sum())} cells missing")
        if ev.feasible or time.monotonic() > evaluate.deadline:
            return requirement, data, plan, ev
        _raise_where_missed(requirement, staffing, ev, scenario)
    what = "the shift plan" if stage == "shifts" else "the roster"
    raise TargetError(f"optimise.{stage}: {what} still misses the target after "
                      f"{max_rounds} rounds: {ev.describe_missing(scenario)}")


def _close_loop(
    evaluate: Evaluator, requirement: np.ndarray, warmup: np.ndarray, time_limit_s: float,
    on_stage: Stage,
) -> tuple[np.ndarray, ShiftData, ShiftPlan, Evaluation]:
    """Shifts for the requirement; raise it where the simulated coverage misses."""
    def cover(needed: np.ndarray, seconds: float
              ) -> tuple[ShiftData, ShiftPlan, np.ndarray, str]:
        data, plan = cover_requirement(evaluate.scenario, needed, seconds, warmup)
        return data, plan, plan.on_phone_staffing(data), f"cost {plan.cost:,.2f}"

    return _cover_loop(evaluate, requirement, cover, time_limit_s, on_stage, "shifts")


def _raise_where_missed(requirement: np.ndarray, staffing: np.ndarray, ev: Evaluation,
                        scenario: Scenario) -> None:
    """Raise ``requirement`` [group, slot] in place where ``ev`` misses: for each missed cell,
    the cheapest group serving it gets one agent more than ``staffing`` had in the cell's
    slots (after the warm-up)."""
    cost, skills = unit_costs(scenario), skill_matrix(scenario)
    first = scenario.horizon.warmup_intervals
    for row, k in zip(*np.nonzero(~ev.met), strict=True):
        g = min(np.flatnonzero(ev.column_skills(skills)[:, k]), key=lambda gg: cost[gg])
        for i in ev.slots_of(row):
            if i >= first:
                requirement[g, i] = max(requirement[g, i], staffing[g, i]) + 1


def _roster_loop(
    evaluate: Evaluator, requirement: np.ndarray, time_limit_s: float, on_stage: Stage,
) -> tuple[np.ndarray, RosterData, RosterPlan, Evaluation]:
    """A roster for the requirement; raise the requirement where the simulated coverage
    misses and roster again (``_close_loop`` with weekly tours)."""
    def cover(needed: np.ndarray, seconds: float
              ) -> tuple[RosterData, RosterPlan, np.ndarray, str]:
        data, plan = week.cover_week(evaluate.scenario, needed, seconds)
        return (data, plan, week.on_phone(evaluate.scenario, data, plan),
                f"{len(plan.rows)} agents, cost {plan.cost:,.2f} a week")

    return _cover_loop(evaluate, requirement, cover, time_limit_s, on_stage, "roster")


def _trim_roster(
    evaluate: Evaluator, data: RosterData, plan: RosterPlan, requirement: np.ndarray,
    deadline: float, on_stage: Stage,
) -> tuple[RosterPlan, Evaluation]:
    """Take agents off the roster one whole week at a time (all their working days), the
    dearest first, while the simulated target and the occupancy cap hold: tours are lumpier
    than shifts, so the roster IP leaves agents the queues may not need."""
    scenario = evaluate.scenario
    cap = OccupancyCap(scenario)

    def trial(fewer: RosterPlan) -> bool:
        on_phone = week.on_phone(scenario, data, fewer)
        base = evaluate(week.on_phone(scenario, data, plan))  # cached: the plan as it stands
        return cap.holds(on_phone) and evaluate.trial(on_phone, base).feasible

    # batches first: one agent off each of a group's tours at once, halving on a miss (one
    # simulation for several agents while there is much to spare)
    for group in range(len(data.groups)):
        batch = [key for key in week.removable(plan, data) if key[0] == group]
        while len(batch) > 1 and time.monotonic() < deadline and evaluate.affords():
            fewer = plan
            for g, p, s in batch:
                fewer = week.without_agent(scenario, data, fewer, requirement, g, p, s)
            if trial(fewer):
                plan = fewer
                on_stage("roster", f"took {len(batch)} {data.groups[group]} agents off: "
                                   f"{len(plan.rows)} agents, {plan.cost:,.2f} a week")
                batch = [key for key in batch if (plan.per_pattern[key[0], key[1]]
                         if key[2] is None else plan.per_pattern[key]) > 0]
            else:
                batch = batch[:len(batch) // 2]
    removed = True
    failed: set[tuple[int, int, int | None]] = set()  # with fewer agents they fail again
    while removed and time.monotonic() < deadline:
        removed = False
        for g, p, s in week.removable(plan, data):
            if time.monotonic() > deadline or not evaluate.affords():
                break
            if ((plan.per_pattern[g, p] if s is None else plan.per_pattern[g, p, s]) <= 0
                    or (g, p, s) in failed):
                continue
            fewer = week.without_agent(scenario, data, plan, requirement, g, p, s)
            if not trial(fewer):
                failed.add((g, p, s))
            else:
                plan, removed = fewer, True
                on_stage("roster", f"took one {data.groups[g]} agent off: {len(plan.rows)} "
                                   f"agents, {plan.cost:,.2f} a week")
    return plan, evaluate(week.on_phone(scenario, data, plan))


def _left(evaluate: Evaluator, time_limit_s: float) -> float:
    """Seconds an IP solve may take: the time limit, or less if the search's deadline is
    nearer."""
    return min(time_limit_s, evaluate.deadline - time.monotonic())


def _repair_shifts(
    evaluate: Evaluator, data: ShiftData, plan: ShiftPlan, ev: Evaluation, deadline: float,
    on_stage: Stage, max_rounds: int = 6,
) -> tuple[ShiftPlan, Evaluation]:
    """Add agents to shifts where cells miss, keeping the rest of the plan: each round covers
    every missing cell with the agents that cost least per missing cell they put an agent on
    the phones for (a greedy set cover, one simulation per round). More days showing a cell
    or two short need an agent there, not a new plan from a raised requirement (which would
    also undo what the trims took off)."""
    skills = ev.column_skills(skill_matrix(evaluate.scenario))
    pairs = [(int(g), int(s)) for g, s in np.argwhere(data.allowed)]
    for _ in range(max_rounds):
        if ev.feasible or time.monotonic() > deadline or not evaluate.affords():
            break
        agents = plan.agents.copy()
        missing = {(int(r), int(k)) for r, k in zip(*np.nonzero(~ev.met), strict=True)}
        while missing:
            now = plan.with_agents(agents, data).on_phone_staffing(data)
            best: tuple[float, np.ndarray, set[tuple[int, int]]] | None = None
            for g, s in pairs:
                for extra in (1, 2):  # 0.7 of a person more may not be a whole agent more
                    more = agents.copy()
                    more[g, s] += extra
                    gained = plan.with_agents(more, data).on_phone_staffing(data)[g] > now[g]
                    cured = {(r, k) for r, k in missing
                             if skills[g, k] and gained[list(ev.slots_of(r))].any()}
                    if cured:
                        value = extra * data.cost[g, s] / len(cured)
                        if best is None or value < best[0]:
                            best = (value, more, cured)
                        break
            if best is None:
                break
            agents, missing = best[1], missing - best[2]
        if np.array_equal(agents, plan.agents):
            break
        plan = plan.with_agents(agents, data)
        ev = evaluate(plan.on_phone_staffing(data))
        on_stage("shifts", f"added agents where cells missed: cost {plan.cost:,.2f}, "
                           f"{int((~ev.met).sum())} cells missing")
    return plan, ev


def _trim_shifts(
    evaluate: Evaluator, data: ShiftData, plan: ShiftPlan, deadline: float, on_stage: Stage,
) -> tuple[ShiftPlan, Evaluation]:
    """Take agents off shifts, the dearest first, while the simulated target and the occupancy
    cap hold (a removal that breaks the cap is not simulated). A shift whose removal failed
    is not tried again: with fewer agents elsewhere it can only fail again."""
    cap = OccupancyCap(evaluate.scenario)
    agents = plan.agents.copy()
    current = evaluate(plan.on_phone_staffing(data))
    failed: set[tuple[int, int]] = set()
    removed = True
    while removed and time.monotonic() < deadline:
        removed = False
        for g, s in sorted(((int(g), int(s)) for g, s in np.argwhere(agents > 0)),
                           key=lambda gs: -data.cost[gs[0], gs[1]]):
            if (g, s) in failed:
                continue
            if time.monotonic() > deadline or not evaluate.affords():
                break
            fewer = agents.copy()
            fewer[g, s] -= 1
            on_phone = plan.with_agents(fewer, data).on_phone_staffing(data)
            if not cap.holds(on_phone):
                continue
            trial = evaluate.trial(on_phone, current)
            if not trial.feasible:
                failed.add((g, s))
                continue
            agents, removed, current = fewer, True, trial
            on_stage("shifts", f"took one agent off {data.shifts[s]} ({data.groups[g]})")
    return plan.with_agents(agents, data), evaluate(plan.with_agents(agents, data)
                                                    .on_phone_staffing(data))


def optimise_staffing(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    time_limit_s: float = 300.0,
    max_replications: int | None = None,
    compare: bool = True,
    on_stage: Stage = _quiet,
    on_days: Days | None = None,
    precise: bool = True,
) -> Plan:
    """Optimise the staffing of ``scenario`` (which must have an ``optimise:`` block).

    ``time_limit_s`` bounds the whole optimisation, comparisons included: the search stops
    improving, the verification stops adding days and comparisons are skipped when it runs out
    (each says so; a search the time limit stopped short goes on to the verification with the
    staffing it has, and ``Plan.notes`` says so). Simulated days
    per decision and verification grow from ``replications`` up to ``max_replications``
    (``optimise.evaluate.GROWTH_CAP`` times as many by default) where cells decide.
    ``on_days(n)`` is told of every ``n`` days simulated. ``precise=False`` stops after the
    search on the days asked for and verifies on as many (a comparison's quick plan, judged
    afterwards on the plan's own verification days).
    """
    if scenario.optimise is None:
        raise ValueError("the scenario has no optimise: block")
    reps = scenario.replications if replications is None else replications
    run_seed = scenario.seed if seed is None else seed
    rostered = scenario.optimise.roster is not None
    budget = Budget(time.monotonic(), time_limit_s, compare, 0.7 if rostered else 0.5)
    with worker_pool(workers, executor) as pool:
        return _optimise(scenario, reps, run_seed, pool, budget, max_replications, compare,
                         on_stage, on_days, precise)


@dataclass(frozen=True)
class Budget:
    """How ``time_limit_s`` (seconds from ``began``, ``time.monotonic()``) is shared: the
    search, then the verification, then the comparisons (``SEARCH_SHARE``)."""

    began: float
    time_limit_s: float
    compare: bool
    coarse_share: float = 0.5
    """Share of the search's time spent on the days asked for (0.7 for a roster, whose trim
    costs a simulated week per agent tried)."""

    @property
    def coarse(self) -> float:
        """The end of the search on the days asked for: ``coarse_share`` of the search's time
        (the rest is for the precise days)."""
        return self.began + self.coarse_share * (self.search - self.began)

    @property
    def search(self) -> float:
        return self.began + self.time_limit_s * (SEARCH_SHARE if self.compare else 0.85)

    @property
    def verify(self) -> float:
        return self.began + self.time_limit_s * (0.8 if self.compare else 1.0)

    @property
    def end(self) -> float:
        return self.began + self.time_limit_s


def _optimise(
    scenario: Scenario, reps: int, seed: int, pool: Executor | None, budget: Budget,
    max_replications: int | None, compare: bool, on_stage: Stage, on_days: Days | None,
    precise: bool = True,
) -> Plan:
    on_stage("start", "Erlang A per interval and contact type")
    start = erlang_start(scenario)
    evaluate = Evaluator(scenario, reps, seed, pool, max_replications=max_replications,
                         deadline=budget.search, on_days=on_days)

    on_stage("correct", f"simulating the Erlang A staffing on {reps} days")
    # Coarse, then precise: on the days asked for, the search gets near the optimum cheaply;
    # then days are added where cells decide, and the search corrects what they show (noise
    # on few days buys agents; on precise days the trim gives them back).
    evaluate.growing = False
    evaluate.deadline = budget.coarse
    staffing, ev = _feasible(evaluate, start, budget, on_stage)
    # the bisection of ``scale_down`` pays where the start is generous, not where agents had
    # to be added to it (there the staffing is at the edge already)
    staffing, ev = trim(evaluate, staffing, budget.coarse, coarse=not (staffing > start).any(),
                        on_step=lambda s: on_stage("correct", s))
    requirement = staffing
    shifts = ip = data = None
    roster: RosterPlan | None = None
    rdata: RosterData | None = None
    has_roster = bool(scenario.optimise and scenario.optimise.roster)
    has_shifts = bool(scenario.optimise and scenario.optimise.shifts) and not has_roster
    limit = budget.time_limit_s
    if has_roster:
        on_stage("roster", f"weekly tours of {scenario.optimise.roster.days_on} days "
                 if scenario.optimise and scenario.optimise.roster else "")
        requirement, rdata, roster, ev = _roster_loop(evaluate, requirement, limit, on_stage)
        roster, ev = _trim_roster(evaluate, rdata, roster, requirement, budget.coarse, on_stage)
        staffing = week.on_phone(scenario, rdata, roster)
    if has_shifts:
        requirement, data, ip, ev = _close_loop(evaluate, requirement, start, limit, on_stage)
        shifts, ev = _trim_shifts(evaluate, data, ip, budget.coarse, on_stage)
        if precise:  # a comparison's quick plan goes without the cutting planes
            shifts, ev = refine(evaluate, data, shifts, ev, budget.coarse,
                                _left(evaluate, limit), on_step=lambda s: on_stage("shifts", s))
        staffing = shifts.on_phone_staffing(data)

    if not precise:
        evaluate.max_replications = evaluate.verify_cap = reps
    evaluate.growing = precise
    evaluate.deadline = budget.search
    ev = evaluate(staffing)
    if evaluate.replications > reps:
        on_stage("precise", f"{evaluate.replications} days, for ±"
                            f"{evaluate.precision * 100:g} points where cells decide")
    if not precise:
        pass  # a comparison's quick plan: the search on the days asked for is all it gets
    elif roster is not None and rdata is not None:
        for _ in range(2):  # more days may show the roster short, or with agents to spare
            if not ev.feasible:
                requirement, rdata, roster, ev = _roster_loop(
                    evaluate, np.maximum(requirement, staffing), limit, on_stage)
            roster, ev = _trim_roster(evaluate, rdata, roster, requirement, budget.search,
                                      on_stage)
            staffing = week.on_phone(scenario, rdata, roster)
            if ev.feasible:
                break
    elif shifts is not None and data is not None:
        for _ in range(2):  # more days may show the plan short, or with agents to spare
            if not ev.feasible:  # the requirement says what the precise days showed missing
                _raise_where_missed(requirement, staffing, ev, scenario)
                shifts, ev = _repair_shifts(evaluate, data, shifts, ev, budget.search,
                                            on_stage)
            if not ev.feasible:
                requirement, data, ip, ev = _close_loop(
                    evaluate, np.maximum(requirement, staffing), start, limit, on_stage)
                shifts = ip
            shifts, ev = _trim_shifts(evaluate, data, shifts, budget.search, on_stage)
            staffing = shifts.on_phone_staffing(data)
            if ev.feasible:
                break
    else:
        for _ in range(2):  # more days may show the staffing short, or with agents to spare
            if not ev.feasible:
                staffing, ev = _feasible(evaluate, staffing, budget, on_stage)
            staffing, ev = trim(evaluate, staffing, budget.search, coarse=False,
                                on_step=lambda s: on_stage("precise", s))
            ev = evaluate(staffing)
            if ev.feasible:
                break
        if not ev.feasible:
            staffing, ev = _feasible(evaluate, staffing, budget, on_stage)
        requirement = staffing

    notes = []
    if not ev.feasible:
        notes.append(f"the search ended (time limit {budget.time_limit_s:g} s) before every "
                     f"cell met its target on its {ev.replications} days: "
                     f"{ev.describe_missing(scenario)}")
        on_stage("correct", notes[-1])
    on_stage("verify", f"fresh simulated days, from {evaluate.replications}, until every cell "
                       f"is within ±{scenario.optimise.precision * 100:g} points"
             if scenario.optimise else "fresh simulated days")
    evaluate.deadline = budget.verify
    checked = evaluate.verify(staffing, seed + VERIFY_SEED_OFFSET)
    on_stage("verify", _verify_line(checked, evaluate.verify_cap))
    planned = with_staffing(scenario, staffing)
    cost = plan_cost(planned, staffing, roster if roster is not None else shifts,
                     checked.evaluation.result)
    comparisons = (compare_methods(scenario, checked.evaluation.replications, seed, pool,
                                   budget.end, cost["agents"], on_stage, on_days, asked=reps,
                                   max_replications=max_replications, requirement=requirement)
                   if compare else {})
    return Plan(planned, start, requirement, staffing, shifts, ip, data, cost,
                checked.evaluation.result, checked.evaluation, checked, seed, reps,
                evaluate.replications, evaluate.simulations, evaluate.contacts,
                time.monotonic() - budget.began, comparisons, tuple(notes), roster, rdata)


def _feasible(evaluate: Evaluator, staffing: np.ndarray, budget: Budget,
              on_stage: Stage) -> tuple[np.ndarray, Evaluation]:
    """``add_until_met`` until the search's deadline; the target out of reach is an error a
    planner can act on, the time limit running out is not (the verification then judges what
    there is)."""
    deadline, evaluate.deadline = evaluate.deadline, budget.search
    try:
        staffing, ev = add_until_met(evaluate, staffing, deadline=budget.search,
                                     on_step=lambda s: on_stage("correct", s))
        out_of_time = time.monotonic() > budget.search or not evaluate.affords()
    finally:
        evaluate.deadline = deadline
    if ev.feasible or out_of_time:
        return staffing, ev
    raise TargetError(
        "service_level: the target cannot be met by adding agents (is it reachable with "
        f"callers who hang up?); still missing: {ev.describe_missing(evaluate.scenario)}")


def _verify_line(checked: Verification, cap: int) -> str:
    """The verification's outcome in one line."""
    j, days = checked.judgement, checked.evaluation.replications
    counts = ", ".join(f"{n} {name}" for name, n in j.counts.items())
    stop = {"cap": f"; stopped at the cap of {cap} days before every cell was precise",
            "time": "; the time limit stopped it before every cell was precise",
            None: ""}[checked.stopped_by]
    return f"{days} days: {counts}{stop}"


def plan_cost(scenario: Scenario, staffing: np.ndarray, shifts: ShiftPlan | RosterPlan | None,
              verification: RunResult) -> dict[str, float]:
    """The plan's cost split per horizon (a day, or a week): paid agents (gross of
    shrinkage), self-service and abandonment (means of the verifying simulation),
    self-service options, total."""
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
        able = [g for g in scenario.agent_groups if t.name in g.skill_names]
        cheapest = min(able, key=lambda g: g.cost_per_hour)
        chat = t.channel == "chat"  # a voice specialist holds no chats
        groups.append(cheapest.with_changes(
            name=f"{t.name}_specialists", skills=[t.name], staffing=0,
            handle_time_factor=cheapest.handle_factor(t.name),
            max_chats=cheapest.max_chats if chat else 1,
            chat_slowdown=cheapest.chat_slowdown if chat else None))
    opt = scenario.optimise
    shifts = [s.with_changes(groups=None) for s in opt.shifts] if opt else []
    return scenario.with_changes(
        agent_groups=groups,
        optimise=opt.with_changes(shifts=shifts) if opt else None,
    )


def compare_methods(
    scenario: Scenario, replications: int, seed: int, pool: Executor | None, deadline: float,
    plan_agents: float, on_stage: Stage = _quiet, on_days: Days | None = None, *,
    asked: int | None = None, max_replications: int | None = None,
    requirement: np.ndarray | None = None,
) -> dict[str, dict[str, object]]:
    """Agent cost of the plan beside the planners' two-step method (Erlang C, then shifts),
    the Erlang A per-interval staffing (no shift lumpiness, no simulation) and, for a
    multi-skill centre, separate specialists optimised the same way.

    Each is judged like the plan, by the verdict of DESIGN.md with the same precision, on the
    plan's verification days (``replications`` days of ``seed + VERIFY_SEED_OFFSET``). A
    comparison that would start after ``deadline`` is skipped and says so. The specialists
    are optimised like the plan, from the ``asked`` days up to ``max_replications``.
    """
    asked = replications if asked is None else asked
    out: dict[str, dict[str, object]] = {}
    evaluate = Evaluator(scenario, replications, seed + VERIFY_SEED_OFFSET, pool,
                         max_replications=replications, on_days=on_days)
    precision = evaluate.precision
    has_roster = bool(scenario.optimise and scenario.optimise.roster)
    has_shifts = bool(scenario.optimise and scenario.optimise.shifts) and not has_roster
    methods = ["erlang_c", "erlang_a"]
    if has_roster and requirement is not None:
        methods.insert(0, "day_by_day")
    if any(len(g.skills) > 1 for g in scenario.agent_groups):
        methods.append("specialists")
    for method in methods:
        name = {"erlang_c": "erlang_c_then_shifts" if has_shifts
                else "erlang_c_then_roster" if has_roster else "erlang_c_per_interval",
                "erlang_a": "erlang_a_per_interval", "specialists": "specialists",
                "day_by_day": "day_by_day_then_tours"}[method]
        left = deadline - time.monotonic()
        if left <= 0:
            out[name] = {"skipped": "the time limit ran out first"}
            on_stage("compare", f"{name}: skipped, the time limit ran out")
            continue
        on_stage("compare", name.replace("_", " "))
        if method == "specialists":
            apart = specialists(scenario)
            # optimised like the plan on the days asked for (not the precise phase: a
            # comparison, it may not take the time of a second plan)
            alone = optimise_staffing(apart, replications=asked, seed=seed, executor=pool,
                                      time_limit_s=left, max_replications=max_replications,
                                      compare=False, on_days=on_days, precise=False)
            # judged like the others: on the plan's verification days
            on_days_apart = Evaluator(apart, replications, seed + VERIFY_SEED_OFFSET, pool,
                                      max_replications=replications, on_days=on_days)
            judged = on_days_apart(alone.staffing).judgement(precision)
            out[name] = {"agent_cost": alone.cost["agents"], **verdict_row(judged, replications),
                         "saving_of_plan": alone.cost["agents"] - plan_agents}
            continue
        if method == "day_by_day":
            assert requirement is not None
            staffing, cost = week.day_by_day_then_tours(scenario, requirement, left)
            ev = evaluate(staffing)
            out[name] = {"agent_cost": cost, **verdict_row(ev.judgement(precision), replications),
                         "saving_of_plan": cost - plan_agents}
            continue
        start = erlang_start(scenario, method)
        if method == "erlang_c" and has_roster:
            try:
                data_week, tours = week.cover_week(scenario, start, left)
            except RosterError:
                continue
            staffing, cost = week.on_phone(scenario, data_week, tours), tours.cost
        elif method == "erlang_c" and has_shifts:
            try:
                data, shifts = cover_requirement(scenario, start, left, start)
            except ShiftPlanError:
                continue
            staffing, cost = shifts.on_phone_staffing(data), shifts.cost
        else:
            staffing, cost = start, agent_cost(start, None, scenario)
        ev = evaluate(staffing)
        out[name] = {"agent_cost": cost, **verdict_row(ev.judgement(precision), replications)}
    return out


def verdict_row(j: Judgement, replications: int) -> dict[str, object]:
    """A verdict block, as ``summary.json``'s: whether the target is met, the precision, cells
    per verdict ("met", "within noise", "missed"), cells wider than the precision, the worst
    margin (a fraction), and the days judged."""
    return {"meets_target": j.meets_target, "precision": j.precision,
            "cells": dict(j.counts),
            "cells_wider_than_precision": j.too_wide,
            "worst_margin": j.worst_margin if j.worst_margin is not None else math.nan,
            "replications": replications}
