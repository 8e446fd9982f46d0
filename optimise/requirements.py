"""The analytic start: agents needed per interval and contact type, then per group.

Per interval and type, the load that reaches agents is the forecast thinned by the IVR
(completion leaves, opt-outs and failures go on); its handle time and patience are the mixes of
opted-out callers (as forecast) and frustrated ones (scaled by the failure factors). The fewest
agents meeting the type's service level are found by Erlang A, using the mean patience as
exponential where it is not (Erlang C when callers never hang up).

Several groups may share a type, so the per-type needs are turned into per-group staffing by a
small LP: the cheapest agents per group such that every type gets its agent-equivalents from
groups with its skill (an agent of a group with ``handle_time_factor`` f counts as 1/f). The LP
ignores the pooling gain of cross-skilled groups, so it errs on the safe side; the simulation
correction removes what is not needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from ccsim.optimise.erlang import min_agents
from ccsim.sim.scenario import ContactType, Scenario
from scipy.optimize import linprog


@dataclass(frozen=True)
class TypeLoad:
    """What reaches the agents from one contact type in one interval."""

    calls_per_s: float
    handle_s: float
    patience_s: float | None


def agent_load(scenario: Scenario, k: int, interval: int) -> TypeLoad:
    """Arrival rate (per second), mean handle time and mean patience (s) reaching agents."""
    t: ContactType = scenario.contact_types[k]
    n = scenario.horizon.intervals
    expected = t.arrivals.expected(n)[interval]
    handle = t.handle_time.build(interval).mean
    patience = t.patience.build(interval).mean if t.patience is not None else None
    ss = t.self_service
    if ss is None:
        return TypeLoad(expected / scenario.horizon.interval_s, handle, patience)
    failed = max(0.0, 1.0 - ss.completion - ss.opt_out)
    reaching = ss.opt_out + failed
    if reaching <= 0:
        return TypeLoad(0.0, handle, patience)
    handle_mix = (ss.opt_out * handle + failed * handle * ss.failed_handle_time_factor) / reaching
    patience_mix = None if patience is None else (
        ss.opt_out * patience + failed * patience * ss.failed_patience_factor) / reaching
    rate = expected * reaching / scenario.horizon.interval_s
    return TypeLoad(rate, handle_mix, patience_mix)


def type_requirements(scenario: Scenario, method: str = "erlang_a") -> np.ndarray:
    """Agents needed, [interval, type], each type served alone by agents of factor 1.

    ``method`` is ``erlang_a`` (with abandonment) or ``erlang_c`` (the classic planner's
    method, ignoring abandonment).
    """
    n_i, n_k = scenario.horizon.intervals, len(scenario.contact_types)
    need = np.zeros((n_i, n_k), dtype=int)
    for k, t in enumerate(scenario.contact_types):
        sl = scenario.service_level_of(t)
        for i in range(n_i):
            load = agent_load(scenario, k, i)
            patience = load.patience_s if method == "erlang_a" else None
            need[i, k] = min_agents(load.calls_per_s, 1 / load.handle_s, patience,
                                    sl.threshold_s, sl.target)
    return need


def split_over_groups(scenario: Scenario, need: np.ndarray) -> np.ndarray:
    """Per-group staffing [group, interval] covering per-type needs [interval, type] at least
    cost (an LP per interval, solved by HiGHS through scipy), rounded up."""
    groups = scenario.agent_groups
    n_g, n_k = len(groups), len(scenario.contact_types)
    names = [t.name for t in scenario.contact_types]
    # variables: s_g (agents of group g), then y_gk (agent-equivalents of g given to type k)
    pairs = [(g, k) for g, grp in enumerate(groups) for k in range(n_k) if names[k] in grp.skills]
    cost = np.concatenate([[grp.cost_per_hour + 1e-6 for grp in groups], np.zeros(len(pairs))])
    a_ub = []
    for k in range(n_k):  # -sum_g y_gk <= -need_k
        row = np.zeros(n_g + len(pairs))
        for p, (_, kk) in enumerate(pairs):
            if kk == k:
                row[n_g + p] = -1.0
        a_ub.append(row)
    for g, grp in enumerate(groups):  # sum_k y_gk * factor_g - s_g <= 0
        row = np.zeros(n_g + len(pairs))
        row[g] = -1.0
        for p, (gg, _) in enumerate(pairs):
            if gg == g:
                row[n_g + p] = grp.handle_time_factor
        a_ub.append(row)
    staffing = np.zeros((n_g, scenario.horizon.intervals), dtype=int)
    for i in range(scenario.horizon.intervals):
        b_ub = np.concatenate([-need[i].astype(float), np.zeros(n_g)])
        res = linprog(cost, A_ub=np.array(a_ub), b_ub=b_ub, bounds=(0, None), method="highs")
        if res.status != 0:
            raise RuntimeError(f"the load-split LP failed in interval {i}: {res.message}")
        staffing[:, i] = [math.ceil(v - 1e-7) for v in res.x[:n_g]]
    return staffing


def erlang_start(scenario: Scenario, method: str = "erlang_a") -> np.ndarray:
    """The analytic staffing [group, interval] from which the simulation search starts."""
    return split_over_groups(scenario, type_requirements(scenario, method))
