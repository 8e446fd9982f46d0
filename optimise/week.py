"""The week in the optimiser: a requirement per slot covered by weekly tours.

With ``optimise.roster`` and a seven-day horizon the shift step of the plan is the roster IP
(``optimise.roster``): agents per days-on pattern and per day and template, covering the
requirement of every day. This module maps between the horizon's slots (day × intervals +
interval, day 0 = ``horizon.first_day``) and the roster's Monday-first week, gives the agents
a roster puts on the phones, and prices the planners' usual method beside it: each day's
shifts planned alone, then rounded up to tours of ``days_on`` days.
"""

from __future__ import annotations

import math

import numpy as np

from ccsim.optimise.roster import (
    DAYS,
    RosterData,
    RosterPlan,
    day_patterns,
    roster_data,
    roster_rows,
    solve_roster,
)
from ccsim.optimise.shifts import shift_data, solve_shifts
from ccsim.sim.scenario import WEEKDAYS, Scenario


def week_problems(scenario: Scenario) -> list[str]:
    """Why ``ccsim optimise`` cannot plan this horizon (one line each; empty if it can).
    Not validation errors: ``ccsim run`` ignores the ``optimise`` block, so a week of the
    default scenario's one-day shifts runs."""
    opt, h = scenario.optimise, scenario.horizon
    if opt is None or h.days == 1:
        return []
    problems = []
    if opt.roster is None and opt.shifts:
        problems.append(f"optimise.shifts: over {h.days} days, shifts are worked as weekly "
                        "tours: add optimise.roster (with horizon.days: 7), or remove the "
                        "shifts to plan agents per interval")
    if h.warmup_minutes > 0:
        problems.append("horizon.warmup_minutes: ccsim optimise plans a horizon of several "
                        "days without a warm-up; set it to 0")
    return problems


def weekday_order(scenario: Scenario) -> np.ndarray:
    """For each roster day (Monday first), the horizon day that is that weekday."""
    first = WEEKDAYS.index(scenario.horizon.first_day)
    return np.array([(w - first) % len(DAYS) for w in range(len(DAYS))])


def by_weekday(scenario: Scenario, per_slot: np.ndarray) -> np.ndarray:
    """A [group, slot] array as the roster's [weekday (Monday first), group, interval]."""
    h = scenario.horizon
    days = np.asarray(per_slot).reshape(per_slot.shape[0], h.days, h.intervals)
    return days.transpose(1, 0, 2)[weekday_order(scenario)]


def cover_week(scenario: Scenario, requirement: np.ndarray,
               time_limit_s: float) -> tuple[RosterData, RosterPlan]:
    """The cheapest roster covering a requirement [group, slot] (``RosterError`` if none)."""
    data = roster_data(scenario, by_weekday(scenario, requirement))
    return data, solve_roster(data, max(1.0, time_limit_s))


def on_phone(scenario: Scenario, data: RosterData, plan: RosterPlan) -> np.ndarray:
    """Agents a roster puts on the phones, [group, slot], rounded down to whole agents."""
    weekly = np.floor(data.on_phone * np.einsum("gds,si->dgi", plan.per_day, data.cover)
                      + 1e-9).astype(int)
    return from_weekday(scenario, weekly)


def from_weekday(scenario: Scenario, weekly: np.ndarray) -> np.ndarray:
    """A roster's [weekday (Monday first), group, interval] array as the horizon's [group,
    slot] (``by_weekday`` undone)."""
    per_day = np.empty_like(weekly)
    per_day[weekday_order(scenario)] = weekly
    return per_day.transpose(1, 0, 2).reshape(weekly.shape[1], scenario.horizon.slots)


def without_agent(scenario: Scenario, data: RosterData, plan: RosterPlan,
                  requirement: np.ndarray, g: int, p: int, s: int | None = None) -> RosterPlan:
    """The roster with one agent of group ``g`` on days-on pattern ``p`` taken off (with one
    template all week, the one on template ``s``). On each of their working days the agent
    leaves the template whose loss leaves most agents above the requirement [group, slot]
    (the dearer one on a tie), so the coverage falls where there is most to spare."""
    per_pattern, per_day = plan.per_pattern.copy(), plan.per_day.copy()
    week = by_weekday(scenario, requirement)[:, g]  # [weekday, interval]
    if s is None:
        per_pattern[g, p] -= 1
    else:
        per_pattern[g, p, s] -= 1
    for w, working in enumerate(data.patterns[p]):
        if not working:
            continue
        if s is not None:
            per_day[g, w, s] -= 1
            continue
        best, best_key = -1, (-math.inf, -math.inf)
        for t in np.flatnonzero(per_day[g, w] > 0):
            left = per_day[g, w].copy()
            left[t] -= 1
            covered = np.floor(data.on_phone * left @ data.cover + 1e-9)
            needed = week[w] > 0
            spare = float((covered - week[w])[needed].min()) if needed.any() else math.inf
            key = (spare, float(data.cost[g, t]))
            if key > best_key:
                best, best_key = int(t), key
        per_day[g, w, best] -= 1
    cost = float(np.einsum("gds,gs->", per_day, data.cost))
    return RosterPlan(per_pattern, per_day, cost, plan.bound, plan.status, plan.gap,
                      roster_rows(data, per_pattern, per_day))


def removable(plan: RosterPlan, data: RosterData) -> list[tuple[int, int, int | None]]:
    """The (group, pattern, template or None) of every kind of agent the roster has, the
    dearest week first: the candidates for taking one agent off."""
    if data.rules.same_start_all_week:
        keys = [(int(g), int(p), int(s)) for g, p, s in np.argwhere(plan.per_pattern > 0)]
        keys.sort(key=lambda k: -float(data.cost[k[0], k[2]]) * sum(data.patterns[k[1]]))
        return list(keys)
    pairs = [(int(g), int(p), None) for g, p in np.argwhere(plan.per_pattern > 0)]
    mean_day = {g: float(np.mean(data.cost[g][data.allowed[g]])) for g, _, _ in pairs}
    return sorted(pairs, key=lambda k: -mean_day[k[0]])


def paid_people(scenario: Scenario, data: RosterData, plan: RosterPlan) -> np.ndarray:
    """Whole people at work per slot (on shift, breaks included), [group, slot]."""
    return from_weekday(scenario, np.einsum("gds,si->dgi", plan.per_day,
                                            (data.cover > 0).astype(int)))


def per_day_table(scenario: Scenario, data: RosterData,
                  plan: RosterPlan) -> dict[str, dict[str, dict[str, int]]]:
    """Agents working each template on each day, per group: group -> "Mon".."Sun" ->
    template -> agents (templates nobody works that day left out)."""
    labels = [d.capitalize() for d in DAYS]
    return {group: {labels[w]: {name: int(plan.per_day[g, w, s])
                                for s, name in enumerate(data.shifts) if plan.per_day[g, w, s]}
                    for w in range(len(DAYS))}
            for g, group in enumerate(data.groups)}


def day_by_day_then_tours(scenario: Scenario, requirement: np.ndarray,
                          time_limit_s: float) -> tuple[np.ndarray, float]:
    """The planners' two-step week: each day's shifts planned alone for its requirement
    (the one-day shift IP), then agents hired on tours of ``days_on`` days with the days-off
    rule, enough to staff every day's plan; a tour's extra days (a day with more agents on
    tour than its plan needs) are worked on that day's cheapest template.

    Returns the on-phone staffing [group, slot] and the week's agent cost. The tours are
    counted with the same days-off patterns as the roster, by a small IP on agents per
    pattern (scipy's HiGHS).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp  # scipy.optimize loads slowly

    opt = scenario.optimise
    assert opt is not None and opt.roster is not None
    h = scenario.horizon
    week = by_weekday(scenario, requirement)
    plans = []
    share = max(1.0, time_limit_s / len(DAYS))
    for w in range(len(DAYS)):
        data = shift_data(scenario, week[w])
        plans.append((data, solve_shifts(data, share)))
    first = plans[0][0]
    patterns = np.array(day_patterns(opt.roster.days_on, opt.roster.consecutive_days_off),
                        dtype=float)  # [pattern, weekday]
    cost = 0.0
    weekly = np.zeros((len(DAYS), len(first.groups), h.intervals), dtype=int)
    for g in range(len(first.groups)):
        needed = np.array([p.agents[g].sum() for _, p in plans], dtype=float)
        tours = milp(np.ones(patterns.shape[0]), integrality=np.ones(patterns.shape[0]),
                     bounds=Bounds(0, np.inf),
                     constraints=LinearConstraint(patterns.T, needed, np.inf))
        if tours.x is None:
            raise RuntimeError(f"the tours IP failed: {tours.message}")
        working = patterns.T @ np.round(tours.x)
        allowed = np.flatnonzero(first.allowed[g])
        cheapest = allowed[np.argmin(first.cost[g, allowed])]
        for w, (data, plan) in enumerate(plans):
            agents = plan.agents[g].astype(float).copy()
            agents[cheapest] += working[w] - needed[w]
            cost += float(agents @ data.cost[g])
            weekly[w, g] = np.floor(data.on_phone * agents @ data.cover + 1e-9).astype(int)
    return from_weekday(scenario, weekly), cost if math.isfinite(cost) else math.nan
