"""Refining a shift plan with simulation-based cutting planes.

Following Atlason, Epelman & Henderson (2004) and Cezik & L'Ecuyer (2008): around the current
plan, the service level of every interval × contact type is linearised from finite
differences on common random numbers (one agent fewer in each group and interval), and those
linear cuts replace the fixed requirement in the shift IP. The IP then looks for a cheaper
mix of shifts whose coverage keeps every linearised service level on target, within a trust
region of a few agents per interval (the linearisation is only local). The candidate is
simulated; it replaces the plan only if it meets the target and costs less. Cuts from every
visited plan are kept, so the IP learns where the service level bends.

The harder a plan is tuned to one sample of days, the more it exploits that sample's luck, and
cutting planes tune hard: a candidate is therefore also checked on a hold-out sample of days
(target within its 95% interval there) before it is kept. The cuts know the service level,
not ``optimise.max_occupancy``: a candidate that would load agents above it ends the refinement.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from ccsim.optimise.evaluate import Evaluation, Evaluator
from ccsim.optimise.requirements import OccupancyCap
from ccsim.optimise.search import skill_matrix
from ccsim.optimise.shifts import ShiftData, ShiftPlan, add_shift_choice, on_phone_expr, solve_model

TRUST_AGENTS = 2
"""How far (agents on the phones, per group and interval) a candidate may move from the plan."""
MISSES_IN_A_ROW = 2
"""The refinement stops after this many candidates in a row miss the target."""
HOLDOUT_SEED_OFFSET = 2_000_003
"""Refinements are kept only if they also hold on days seeded seed + this (never the
optimisation's days, nor the verification's)."""


@dataclass(frozen=True)
class Cut:
    """``score[cell] + sum(slope[g, i] * (y[g, i] - at[g, i])) >= required`` for one cell."""

    required: float
    score: float
    slope: np.ndarray
    at: np.ndarray


def cuts_at(evaluate: Evaluator, ev: Evaluation, skills: np.ndarray) -> list[Cut]:
    """Linearise every cell with callers at ``ev``'s staffing by backward differences: the loss
    of one agent in each group and interval (the interval itself and the one after it, as a
    queue spills over). Slopes are clipped at 0: more agents never hurt.

    Under ``level: interval`` the differences are batched, as the trim's removals are
    (``optimise.search``): one simulation takes one agent of a group off in every other
    interval, and a cell's loss is read against the one interval of its two (its own and the
    one before) that lost an agent. Two simulations per group instead of one per group and
    interval; the cuts are a local model that every candidate is simulated against anyway."""
    staffing = np.asarray(ev.staffing)
    skills = ev.column_skills(skills)
    n_rows = ev.score.shape[0]
    loss: dict[tuple[int, int], Evaluation] = {}
    first = evaluate.scenario.horizon.warmup_intervals  # fixed, not the shifts' to change
    able = [(int(g), int(i)) for g, i in np.argwhere(staffing > 0) if i >= first]
    if n_rows == 1:
        for g, i in able:
            fewer = staffing.copy()
            fewer[g, i] -= 1
            loss[(g, i)] = evaluate(fewer)
    else:
        for g in sorted({g for g, _ in able}):
            for parity in (0, 1):
                batch = [i for gg, i in able if gg == g and i % 2 == parity]
                if batch:
                    fewer = staffing.copy()
                    fewer[g, batch] -= 1
                    trial = evaluate(fewer)
                    loss.update({(g, i): trial for i in batch})
    cuts = []
    for row, k in zip(*np.nonzero(ev.weight > 0), strict=True):
        slope = np.zeros(staffing.shape)
        for (g, i), trial in loss.items():
            if skills[g, k] and (n_rows == 1 or i in (row - 1, row)):
                slope[g, i] = max(0.0, float(np.nan_to_num(ev.score[row, k])
                                             - np.nan_to_num(trial.score[row, k])))
        cuts.append(Cut(float(ev.required[row, k]), float(np.nan_to_num(ev.score[row, k])),
                        slope, staffing.astype(float)))
    return cuts


def solve_with_cuts(data: ShiftData, cuts: list[Cut], centre: np.ndarray,
                    time_limit_s: float) -> np.ndarray | None:
    """The cheapest shift plan meeting every cut within the trust region around ``centre``
    (on-phone staffing); None when the IP finds none."""
    n_g, n_i = data.allowed.shape[0], data.cover.shape[1]
    m = pyo.ConcreteModel(name="shift_cuts")
    add_shift_choice(m, data)
    m.GI = pyo.Set(dimen=2, initialize=[(g, i) for g in range(n_g) for i in range(n_i)])
    m.C = pyo.RangeSet(0, len(cuts) - 1)
    # y: whole agents on the phones; the simulation staffs floor(coverage) >= y, and the cuts
    # have non-negative slopes, so what satisfies them in y satisfies them as simulated
    m.y = pyo.Var(m.GI, domain=pyo.NonNegativeIntegers)

    fixed = data.fixed if data.fixed is not None else np.full(centre.shape, -1)

    def coverage_rule(m: pyo.ConcreteModel, g: int, i: int) -> object:
        if fixed[g, i] >= 0:  # the warm-up: its agents are fixed, whatever the shifts cover
            return m.y[g, i] == int(fixed[g, i])
        return m.y[g, i] <= on_phone_expr(m, data, g, i)

    def trust_rule(m: pyo.ConcreteModel, g: int, i: int) -> object:
        if fixed[g, i] >= 0:
            return pyo.Constraint.Skip
        return m.y[g, i] >= centre[g, i] - TRUST_AGENTS

    def cut_rule(m: pyo.ConcreteModel, c: int) -> object:
        cut = cuts[c]
        terms = [cut.slope[g, i] * (m.y[g, i] - cut.at[g, i])
                 for g, i in zip(*np.nonzero(cut.slope), strict=True)]
        if not terms:
            return pyo.Constraint.Skip
        return cut.score + sum(terms) >= cut.required

    m.coverage = pyo.Constraint(m.GI, rule=coverage_rule)
    m.trust = pyo.Constraint(m.GI, rule=trust_rule)
    m.cuts = pyo.Constraint(m.C, rule=cut_rule)
    return solve_model(m, data, time_limit_s)[1]


def refine(
    evaluate: Evaluator, data: ShiftData, plan: ShiftPlan, ev: Evaluation, deadline: float,
    time_limit_s: float, rounds: int = 4, on_step: Callable[[str], None] | None = None,
) -> tuple[ShiftPlan, Evaluation]:
    """Improve a feasible shift plan by simulation-based cutting planes (module docstring).

    A round (finite differences, IP, one simulation) starts only if the last one would still
    fit before ``deadline``: the refinement uses the time left, never more. It stops after
    ``MISSES_IN_A_ROW`` candidates in a row miss: the linearisation does not hold there (on
    the bundled day, where overflow makes the service level bend hard, every candidate
    missed, and each round costs a simulation per group and parity).
    """
    misses = 0
    skills = skill_matrix(evaluate.scenario)
    cap = OccupancyCap(evaluate.scenario)
    best, best_ev = plan, ev
    cuts: list[Cut] = []
    centre_ev = ev
    last_round = 0.0
    for round_ in range(rounds):
        began = time.monotonic()
        centre = np.asarray(centre_ev.staffing)
        differences = (int(np.count_nonzero(centre > 0)) if centre_ev.score.shape[0] == 1
                       else 2 * centre.shape[0]) + 1
        if began + last_round > deadline or not evaluate.affords(differences):
            break
        cuts += cuts_at(evaluate, centre_ev, skills)
        agents = solve_with_cuts(data, cuts, np.asarray(centre_ev.staffing, dtype=float),
                                 time_limit_s)
        if agents is None:
            break
        cost = float(np.sum(agents * data.cost))
        if cost >= best.cost - 1e-9:
            break
        candidate = best.with_agents(agents, data)
        on_phone = candidate.on_phone_staffing(data)
        if not cap.holds(on_phone):  # the cuts know the service level, not the cap
            if on_step:
                on_step(f"cutting planes, round {round_ + 1}: cost {cost:,.2f} would load "
                        "agents above optimise.max_occupancy; stopped")
            break
        trial = evaluate(on_phone)
        kept = trial.feasible and _holds_out(evaluate, trial)
        if on_step:
            verdict = ("meets the target, kept" if kept else
                       "meets the target but not on hold-out days" if trial.feasible else
                       "misses, cut added")
            on_step(f"cutting planes, round {round_ + 1}: cost {cost:,.2f} {verdict}")
        if kept:
            best, best_ev = candidate, trial
        misses = 0 if trial.feasible else misses + 1
        if misses >= MISSES_IN_A_ROW:
            break
        centre_ev = trial
        last_round = time.monotonic() - began
    return best, best_ev


def _holds_out(evaluate: Evaluator, ev: Evaluation) -> bool:
    """Does the staffing also meet the target (within its 95% interval) on hold-out days?"""
    holdout = evaluate.run(ev.staffing, evaluate.seed + HOLDOUT_SEED_OFFSET)
    return evaluate.judge(ev.staffing, holdout).within_ci
