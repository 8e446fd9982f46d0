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

Chat: the per-type need of a chat type is in servers (chats held at once), found by the same
Erlang formulas, and an agent of a group with ``max_chats`` k counts as k servers of a chat
skill (``seats``): a single chat group of n agents × k chats is n·k servers, which is exact
for exponential times without ``chat_slowdown`` (tests/test_chat.py). The slowdown is left to
the simulation correction, so for a chat group the start is a lower bound.

``optimise.max_occupancy`` (a share, 1 = no limit) is the planner's rule "never plan agents
above X% occupancy", as in pyworkforce: per interval and type the requirement is at least
``ceil(offered load / max_occupancy)`` agents (``optimise.staffing.occupancy_floor``), so the
start carries every type's offered load at no more than the cap. ``OccupancyCap`` states the
same rule for any staffing of the groups: some split of each type's offered load over the groups
with its skill loads no group above the cap. The search (``optimise.search``) never trims below
it. The rule is on the offered load, not on the simulated occupancy: abandoned calls take no
agent time, so a single-skill group's simulated occupancy is at most about the cap, and how
the router spreads calls over cross-skilled groups is left to the simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ccsim.optimise.erlang import min_agents
from ccsim.optimise.staffing import occupancy_floor
from ccsim.sim.scenario import ContactType, Scenario


@dataclass(frozen=True)
class TypeLoad:
    """What reaches the agents from one contact type in one interval."""

    calls_per_s: float
    handle_s: float
    patience_s: float | None


def reaching_share(t: ContactType) -> float:
    """Share of a type's arrivals that reach agents after its IVR (1 without one)."""
    ss = t.self_service
    if ss is None:
        return 1.0
    return ss.opt_out + max(0.0, 1.0 - ss.completion - ss.opt_out)


def journey_flows(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Expected contacts per slot (day × intervals + interval) and type [slot, type]: the
    type's own arrivals
    (before its IVR) with the repeats of unresolved contacts (a type resolved first time with
    probability f is contacted 1/f times per forecast contact), and the transfers joining its
    queue from others (a share p of the contacts reaching the other type's agents, in the
    same interval; they skip the IVR). A steady-state account for the analytic start only:
    the simulation corrects what it leaves out (delays, abandonment before a transfer,
    repeats dropped at the close)."""
    types = scenario.contact_types
    index = {t.name: k for k, t in enumerate(types)}
    own = np.array([t.arrivals.expected_slots(scenario.horizon) for t in types], dtype=float).T
    for k, t in enumerate(types):
        if t.resolution is not None:
            own[:, k] /= t.resolution.first_contact
    reach = np.array([reaching_share(t) for t in types])
    inflow = np.zeros_like(own)
    for _ in range(len(types) * 4):  # transfer chains (cycles end: checked at validation)
        updated = np.zeros_like(own)
        for k, t in enumerate(types):
            for transfer in t.transfers or []:
                updated[:, index[transfer.to]] += (own[:, k] * reach[k] + inflow[:, k]) \
                    * transfer.probability
        if np.allclose(updated, inflow):
            break
        inflow = updated
    return own, inflow


def journey_arrivals(scenario: Scenario) -> np.ndarray:
    """Own arrivals (before the IVR, repeats included) plus transfers in, [interval, type]
    (``journey_flows``)."""
    own, inflow = journey_flows(scenario)
    return own + inflow


def agent_load(scenario: Scenario, k: int, interval: int,
               flows: tuple[np.ndarray, np.ndarray] | None = None) -> TypeLoad:
    """Arrival rate (per second), mean handle time and mean patience (s) reaching agents:
    the type's own callers after its IVR (opt-outs and frustrated failures, with their factors)
    and, with journeys, repeats and the transfers joining its queue. ``flows`` is
    ``journey_flows(scenario)``, computed once by callers that ask for every cell."""
    t: ContactType = scenario.contact_types[k]
    own_all, inflow_all = journey_flows(scenario) if flows is None else flows
    expected, inflow = own_all[interval, k], inflow_all[interval, k]
    day, of_day = divmod(interval, scenario.horizon.intervals)
    handle = t.handle_time.build(of_day, day).mean
    patience = t.patience.build(of_day, day).mean if t.patience is not None else None
    interval_s = scenario.horizon.interval_s
    ss = t.self_service
    if ss is None:
        return TypeLoad((expected + inflow) / interval_s, handle, patience)
    failed = max(0.0, 1.0 - ss.completion - ss.opt_out)
    reaching = expected * (ss.opt_out + failed)
    if reaching + inflow <= 0:
        return TypeLoad(0.0, handle, patience)
    weights = (expected * ss.opt_out + inflow, expected * failed)
    total = weights[0] + weights[1]
    handle_mix = (weights[0] * handle + weights[1] * handle * ss.failed_handle_time_factor) / total
    patience_mix = None if patience is None else (
        weights[0] * patience + weights[1] * patience * ss.failed_patience_factor) / total
    return TypeLoad(total / interval_s, handle_mix, patience_mix)


def max_occupancy(scenario: Scenario) -> float:
    """The scenario's occupancy cap, a share (1 = no limit, also without an optimise: block)."""
    return scenario.optimise.max_occupancy if scenario.optimise is not None else 1.0


def offered_loads(scenario: Scenario) -> np.ndarray:
    """Offered load reaching agents in Erlangs (calls per second × handle time in seconds),
    [interval, type], at handle-time factor 1."""
    n_i, n_k = scenario.horizon.slots, len(scenario.contact_types)
    loads = np.zeros((n_i, n_k))
    flows = journey_flows(scenario)
    for k in range(n_k):
        for i in range(n_i):
            load = agent_load(scenario, k, i, flows)
            loads[i, k] = load.calls_per_s * load.handle_s
    return loads


def type_requirements(scenario: Scenario, method: str = "erlang_a") -> np.ndarray:
    """Agents needed, [interval, type], each type served alone by agents of factor 1: the
    fewest meeting the type's service level and ``optimise.max_occupancy``.

    ``method`` is ``erlang_a`` (with abandonment) or ``erlang_c`` (the classic planner's
    method, ignoring abandonment).
    """
    n_i, n_k = scenario.horizon.slots, len(scenario.contact_types)
    cap = max_occupancy(scenario)
    need = np.zeros((n_i, n_k), dtype=int)
    flows = journey_flows(scenario)
    for k, t in enumerate(scenario.contact_types):
        sl = scenario.service_level_of(t)
        if t.channel == "email":
            need[:, k] = _email_need(scenario, k, flows, cap)
            continue
        for i in range(n_i):
            load = agent_load(scenario, k, i, flows)
            patience = load.patience_s if method == "erlang_a" else None
            need[i, k] = max(
                min_agents(load.calls_per_s, 1 / load.handle_s, patience, sl.threshold_s,
                           sl.target),
                occupancy_floor(load.calls_per_s * load.handle_s, cap))
    return need


def _email_need(scenario: Scenario, k: int, flows: tuple[np.ndarray, np.ndarray],
                cap: float) -> np.ndarray:
    """Agents an e-mail type needs per slot, by workload: an e-mail may wait hours, so the
    agents spread each day's e-mail work (Erlangs) evenly over the day, within the occupancy
    cap; the simulation corrects the rest (the blending, the threshold, the night)."""
    h = scenario.horizon
    work = np.array([load.calls_per_s * load.handle_s
                     for load in (agent_load(scenario, k, i, flows) for i in range(h.slots))])
    per_day = np.ceil(work.reshape(h.days, h.intervals).mean(axis=1) / cap - 1e-9)
    return np.repeat(per_day.astype(int), h.intervals)


def seats(scenario: Scenario, group: int, contact_type: int) -> int:
    """Servers one agent of ``group`` is for ``contact_type``: its ``max_chats`` for a chat
    type, else 1."""
    chat = scenario.contact_types[contact_type].channel == "chat"
    return scenario.agent_groups[group].max_chats if chat else 1


def split_over_groups(scenario: Scenario, need: np.ndarray) -> np.ndarray:
    """Per-group staffing [group, interval] covering per-type needs [interval, type] at least
    cost (an LP per interval, solved by HiGHS through scipy), rounded up."""
    from scipy.optimize import linprog  # here: scipy.optimize takes 0.3-0.5 s to import

    groups = scenario.agent_groups
    n_g, n_k = len(groups), len(scenario.contact_types)
    names = [t.name for t in scenario.contact_types]
    # variables: s_g (agents of group g), then y_gk (agent-equivalents of g given to type k)
    pairs = [(g, k) for g, grp in enumerate(groups) for k in range(n_k)
             if names[k] in grp.skill_names]
    cost = np.concatenate([[grp.cost_per_hour + 1e-6 for grp in groups], np.zeros(len(pairs))])
    a_ub = []
    for k in range(n_k):  # -sum_g y_gk <= -need_k
        row = np.zeros(n_g + len(pairs))
        for p, (_, kk) in enumerate(pairs):
            if kk == k:
                row[n_g + p] = -1.0
        a_ub.append(row)
    for g, grp in enumerate(groups):  # sum_k y_gk * factor_g / seats_gk - s_g <= 0
        row = np.zeros(n_g + len(pairs))
        row[g] = -1.0
        for p, (gg, kk) in enumerate(pairs):
            if gg == g:
                row[n_g + p] = grp.handle_factor(names[kk]) / seats(scenario, g, kk)
        a_ub.append(row)
    staffing = np.zeros((n_g, scenario.horizon.slots), dtype=int)
    for i in range(scenario.horizon.slots):
        b_ub = np.concatenate([-need[i].astype(float), np.zeros(n_g)])
        res = linprog(cost, A_ub=np.array(a_ub), b_ub=b_ub, bounds=(0, None), method="highs")
        if res.status != 0:
            raise RuntimeError(f"the load-split LP failed in interval {i}: {res.message}")
        staffing[:, i] = [math.ceil(v - 1e-7) for v in res.x[:n_g]]
    return staffing


def erlang_start(scenario: Scenario, method: str = "erlang_a") -> np.ndarray:
    """The analytic staffing [group, interval] from which the simulation search starts."""
    return split_over_groups(scenario, type_requirements(scenario, method))


class OccupancyCap:
    """``optimise.max_occupancy`` for a staffing [group, interval] of a scenario.

    A staffing holds the cap in an interval when the offered loads ``a_k`` (Erlangs) can be
    split as ``x_gk >= 0`` over groups with the skill, ``sum_g x_gk = a_k``, with no group
    loaded above the cap: ``sum_k f_g x_gk <= max_occupancy · s_g`` (``f_g`` the group's
    ``handle_time_factor``). For single-skill groups this is ``s_g >= f_g · a_k /
    max_occupancy``. A chat agent is ``seats`` servers, so for a chat skill ``f_g`` is divided
    by its ``max_chats``. A feasibility LP per interval (HiGHS through scipy).
    """

    def __init__(self, scenario: Scenario) -> None:
        self.cap = max_occupancy(scenario)
        self.loads = offered_loads(scenario) if self.cap < 1 else None
        names = [t.name for t in scenario.contact_types]
        groups = scenario.agent_groups
        self.pairs = [(g, k) for g, grp in enumerate(groups) for k in range(len(names))
                      if names[k] in grp.skill_names]
        self.a_eq = np.array([[1.0 if kk == k else 0.0 for _, kk in self.pairs]
                              for k in range(len(names))])
        self.a_ub = np.array([[grp.handle_factor(names[kk]) / seats(scenario, g, kk)
                               if gg == g else 0.0
                               for gg, kk in self.pairs]
                              for g, grp in enumerate(groups)])

    def holds(self, staffing: np.ndarray, intervals: list[int] | None = None) -> bool:
        """Whether ``staffing`` carries the offered load within the cap in ``intervals`` (all
        by default). Always true without a cap."""
        if self.loads is None:
            return True
        from scipy.optimize import linprog  # only with a cap: scipy.optimize is slow to import

        for i in range(self.loads.shape[0]) if intervals is None else intervals:
            if not self.loads[i].any():
                continue
            b_ub = self.cap * np.asarray(staffing, dtype=float)[:, i] * (1 + 1e-9)
            res = linprog(np.zeros(len(self.pairs)), A_ub=self.a_ub, b_ub=b_ub, A_eq=self.a_eq,
                          b_eq=self.loads[i], bounds=(0, None), method="highs")
            if res.status != 0:
                return False
        return True
