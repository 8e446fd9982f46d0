"""Correcting a staffing by simulation: add where it helps most per unit cost, then trim.

Both moves are judged on common random numbers (``optimise.evaluate``), so the difference
between two staffings is a finite difference of the service level, not noise:

* **add**: while a cell misses its target, simulate one more agent for each group with the
  missing skill in the interval and in the one before it (a queue left at the end of an
  interval spills into the next, so the cure can come earlier), and give each missing cell the
  candidate with the largest reduction of its shortfall per unit cost (far from the target,
  with more than ``EXPLORE_AT_MOST`` cells missing, each gets an agent of its cheapest group at
  once instead);
* **trim**: try removing one agent at a time, the most expensive and the one with most slack
  first, and keep the removal when the target still holds everywhere.

Intervals wholly inside the warm-up are never changed: nothing in them is judged, and their
agents (the Erlang staffing of their own load, from the start) exist only to give the first
counted interval a realistic queue; the plan does not pay them (``optimise.plan``).

Trimming never breaks ``optimise.max_occupancy`` (``optimise.requirements.OccupancyCap``): a
removal that would leave the offered load above the cap is not simulated at all. The start
already holds the cap and adding agents cannot break it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from ccsim.optimise.evaluate import Evaluation, Evaluator
from ccsim.optimise.requirements import OccupancyCap
from ccsim.sim.scenario import Scenario

DAY_CANDIDATES = 4
"""Under ``level: day``, agents are tried in this many of a type's worst intervals."""
EXPLORE_AT_MOST = 4
"""A round of ``add_until_met`` simulates candidates only when this many cells miss or fewer;
with more, each missing cell gets an agent of its cheapest group in its most promising
interval at once (one simulation for the round, where trying candidates would cost a few per
cell)."""


def unit_costs(scenario: Scenario) -> np.ndarray:
    """Cost of one on-phone agent for one interval, per group (gross of shrinkage)."""
    shrinkage = scenario.optimise.shrinkage if scenario.optimise is not None else 0.0
    hours = scenario.horizon.interval_minutes / 60
    return np.array([g.cost_per_hour * hours / (1 - shrinkage) for g in scenario.agent_groups])


def skill_matrix(scenario: Scenario) -> np.ndarray:
    """[group, type] True where the group has the skill."""
    return np.array([[t.name in g.skill_names for t in scenario.contact_types]
                     for g in scenario.agent_groups])


def _candidates(ev: Evaluation, row: int, k: int, skills: np.ndarray) -> list[tuple[int, int]]:
    """(group, interval) pairs that may help cell (row, k), the most promising interval last.

    Under ``level: interval`` a cell is helped from its own interval or the one before; under
    ``level: day`` from the ``DAY_CANDIDATES`` intervals where the type does worst, worst last.
    """
    first = ev.result.scenario.horizon.warmup_intervals
    span = ev.slots_of(row)
    if len(span) == 1:
        intervals = [j for j in (row - 1, row) if j >= first]
    else:
        tallies = ev.result.tallies
        t = ev.type_of[k] if ev.type_of else k
        in_time = tallies.cell_means("in_time")[:, t]
        offered = tallies.cell_means("sl_denominator")[:, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            level = np.where(offered > 0, in_time / offered, np.inf)
        worst = [int(j) for j in np.argsort(level, kind="stable")
                 if offered[j] > 0 and j >= first and j in span]
        intervals = worst[:DAY_CANDIDATES][::-1]
    return [(int(g), j) for j in intervals
            for g in np.flatnonzero(ev.column_skills(skills)[:, k])]


def _cheapest(ev: Evaluation, row: int, k: int, skills: np.ndarray,
              cost: np.ndarray) -> tuple[int, int]:
    """The cheapest candidate for cell (row, k) in its most promising interval (its own)."""
    candidates = _candidates(ev, row, k, skills)
    last = candidates[-1][1]
    return min((c for c in candidates if c[1] == last), key=lambda c: cost[c[0]])


def add_until_met(
    evaluate: Evaluator, staffing: np.ndarray, max_rounds: int = 60, stall_rounds: int = 3,
    deadline: float = float("inf"), on_step: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, Evaluation]:
    """Add agents until every cell meets its target; return the staffing and its evaluation.

    Stops early (still infeasible) when ``stall_rounds`` rounds in a row do not reduce the
    total shortfall (more agents do not help, the target is out of reach) or at ``deadline``
    (``time.monotonic()``).
    """
    scenario = evaluate.scenario
    cost, skills = unit_costs(scenario), skill_matrix(scenario)
    staffing = staffing.copy()
    ev = evaluate(staffing)
    lowest, stalled = float(ev.shortfall.sum()), 0
    for _ in range(max_rounds):
        if ev.feasible or stalled >= stall_rounds or time.monotonic() > deadline:
            break
        missing = list(zip(*np.nonzero(~ev.met), strict=True))
        tried: dict[tuple[int, int], Evaluation] = {}
        days = evaluate.replications
        picks: set[tuple[int, int]] = set()
        if len(missing) > EXPLORE_AT_MOST:  # far from the target: one simulation this round
            picks = {_cheapest(ev, row, k, skills, cost) for row, k in missing}
            missing = []
        for row, k in missing:
            if time.monotonic() > deadline or not evaluate.affords():
                break
            candidates = _candidates(ev, row, k, skills)
            best, best_value = None, 0.0
            for g, j in candidates:
                if (g, j) not in tried:
                    more = staffing.copy()
                    more[g, j] += 1
                    tried[(g, j)] = evaluate(more)
                while evaluate.replications != days:  # more days: compare on the same ones
                    days, ev = evaluate.replications, evaluate(staffing)
                    tried = {c: evaluate(np.asarray(e.staffing)) for c, e in tried.items()}
                gain = ev.shortfall[row, k] - tried[(g, j)].shortfall[row, k]
                if gain / cost[g] > best_value:
                    best, best_value = (g, j), gain / cost[g]
            if best is None:  # no single agent moves it: the cheapest, most promising candidate
                best = min(reversed(candidates), key=lambda c: cost[c[0]])
            picks.add(best)
        for g, j in picks:
            staffing[g, j] += 1
        before = evaluate.replications
        ev = evaluate(staffing)
        total = float(ev.shortfall.sum())
        if evaluate.replications != days or evaluate.replications != before:
            lowest, stalled = total, 0  # other days: shortfalls are not comparable
        else:
            lowest, stalled = (total, 0) if total < lowest - 1e-12 else (lowest, stalled + 1)
        if on_step:
            on_step(f"added {len(picks)} agent-intervals, {int((~ev.met).sum())} cells missing")
    return staffing, ev


def scale_down(
    evaluate: Evaluator, staffing: np.ndarray, ev: Evaluation, steps: int = 5,
    cap: OccupancyCap | None = None,
) -> tuple[np.ndarray, Evaluation]:
    """The coarse trim: per group (dearest first), the largest share of its agents that can go
    in every interval at once while the target and the occupancy cap hold, by bisection over
    ``steps`` halvings.

    One agent at a time costs a simulation per agent; a group with much slack (a day-level
    target, a generous start) gives most of it back here in a handful of simulations.
    """
    cost = unit_costs(evaluate.scenario)
    cap = OccupancyCap(evaluate.scenario) if cap is None else cap
    first = evaluate.scenario.horizon.warmup_intervals
    for g in sorted(range(staffing.shape[0]), key=lambda gg: -cost[gg]):
        lo, hi = 0.0, 1.0  # share that can go: lo is known to work
        for _ in range(steps):
            mid = (lo + hi) / 2
            fewer = staffing.copy()
            fewer[g, first:] = np.ceil(staffing[g, first:] * (1 - mid) - 1e-9).astype(int)
            trial = evaluate(fewer) if cap.holds(fewer) else None
            if trial is not None and trial.feasible:
                lo, best = mid, (fewer, trial)
            else:
                hi = mid
        if lo > 0:
            staffing, ev = best
    return staffing, ev


def trim(
    evaluate: Evaluator, staffing: np.ndarray, deadline: float = float("inf"),
    max_passes: int = 3, on_step: Callable[[str], None] | None = None, coarse: bool = True,
) -> tuple[np.ndarray, Evaluation]:
    """Remove agents while the target and the occupancy cap still hold everywhere: the coarse
    ``scale_down`` (unless ``coarse`` is False: a staffing already near its optimum only
    wastes its simulations), then one agent per interval at a time (``_trim_group``)."""
    scenario = evaluate.scenario
    cost = unit_costs(scenario)
    cap = OccupancyCap(scenario)
    staffing = staffing.copy()
    ev = evaluate(staffing)
    if not ev.feasible:
        return staffing, ev
    if coarse:
        staffing, ev = scale_down(evaluate, staffing, ev, cap=cap)
    for _ in range(max_passes):
        removed = 0
        for g in sorted(range(staffing.shape[0]), key=lambda gg: -cost[gg]):
            if time.monotonic() > deadline:
                return staffing, ev
            staffing, ev, gone = _trim_group(evaluate, staffing, g, cap, deadline)
            removed += gone
        if on_step:
            on_step(f"removed {removed} agent-intervals")
        if not removed:
            break
    return staffing, ev


def _trim_group(
    evaluate: Evaluator, staffing: np.ndarray, g: int, cap: OccupancyCap, deadline: float,
) -> tuple[np.ndarray, Evaluation, int]:
    """Take one agent of group ``g`` off in every other interval at once (even intervals,
    then odd) where the cap allows; where cells then miss, put back the agents of their
    interval and of the one before (a queue spills into the next interval) and try the rest
    again, until the removals hold. Under ``level: day`` a miss cannot be placed, so half the
    removals are put back instead.

    One simulation per round instead of one per interval: on common random numbers, a removal
    two intervals away from a missing cell is not what made it miss.
    """
    first = evaluate.scenario.horizon.warmup_intervals
    eligible = []
    for i in range(first, staffing.shape[1]):
        fewer = staffing.copy()
        fewer[g, i] -= 1
        if staffing[g, i] > 0 and cap.holds(fewer, [i]):
            eligible.append(i)
    removed = 0
    for parity in (0, 1):
        batch = [i for i in eligible if i % 2 == parity]
        while batch and time.monotonic() <= deadline and evaluate.affords():
            fewer = staffing.copy()
            fewer[g, batch] -= 1
            trial = evaluate.trial(fewer, evaluate(staffing))
            if trial.feasible:
                staffing, removed = fewer, removed + len(batch)
                break
            rows = {int(r) for r in np.flatnonzero((~trial.met).any(axis=1))}
            keep = ([i for i in batch if i not in rows and i + 1 not in rows]
                    if len(trial.slots_of(0)) == 1 else batch)
            batch = keep if len(keep) < len(batch) else batch[: len(batch) // 2]
    return staffing, evaluate(staffing), removed
