"""KPIs over replications, exactly as the README's definitions say.

Input: the stacked tallies of all replications (``sim.tally``). Output: plain data (``Summary``)
with, for the whole day, each contact type, each agent group and each interval × type, every
KPI as an ``Estimate`` (mean and 95% CI). Ratio KPIs are ratios of sums over replications
(delta-method CI; for the shares in ``SHARES`` on the logit scale, so within [0, 1]), counts
are means per replication (Student-t CI, cut at 0); see ``sim.stats``.

Occupancy of a contact type is that of the agent groups that have its skill: the planner's
"how busy are the agents who can take billing".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ccsim.sim.kpi_registry import REGISTRY
from ccsim.sim.scenario import Scenario
from ccsim.sim.stats import (
    Estimate,
    mean_estimate,
    per_replication_ratio,
    ratio_estimate,
    share_estimate,
)
from ccsim.sim.tally import GROUP_FIELDS, TYPE_FIELDS, DayTally

KPI_KEYS = (
    "service_level", "asa_s", "abandon_rate", "occupancy", "containment",
    "offered", "answered", "abandoned", "self_served", "redials",
)
"""The KPIs of every run."""
JOURNEY_KEYS = (
    "transferred_in", "transferred_out", "repeats", "callbacks_offered", "callbacks_accepted",
    "callbacks_failed", "callback_on_time", "deflected", "over_max_wait",
)
"""The KPIs of journeys, reported only where the scenario has the feature (``kpi_keys``)."""
RATIOS = {  # KPI: (numerator, denominator) among the type fields; occupancy is by group
    "service_level": ("in_time", "sl_denominator"),
    "asa_s": ("wait_answered_s", "answered"),
    "abandon_rate": ("abandoned", "offered"),
    "containment": ("self_served", "ivr_entered"),
    "callback_on_time": ("callbacks_on_time", "callbacks_accepted"),
    "over_max_wait": ("waited_over_max", "max_wait_denominator"),
}
SHARES = frozenset(k for k, kpi in REGISTRY.items() if kpi.kind == "share")
"""Ratio KPIs that are a part of their denominator (fractions in [0, 1]; kind "share" in
``sim.kpi_registry``): their CI is built on the logit scale (``share_estimate``); ASA, in
seconds, keeps the linear one."""

_T = {name: i for i, name in enumerate(TYPE_FIELDS)}
_G = {name: i for i, name in enumerate(GROUP_FIELDS)}

KPIs = dict[str, Estimate]


@dataclass(frozen=True)
class Tallies:
    """All replications' sums: ``by_type[rep, field, interval, type]``,
    ``by_group[rep, field, interval, group]`` (fields as in ``sim.tally``)."""

    by_type: np.ndarray
    by_group: np.ndarray

    @classmethod
    def stack(cls, days: list[DayTally]) -> Tallies:
        return cls(np.stack([d.by_type for d in days]), np.stack([d.by_group for d in days]))

    @classmethod
    def concat(cls, first: Tallies, then: Tallies) -> Tallies:
        """The replications of ``first`` followed by those of ``then``."""
        return cls(np.concatenate([first.by_type, then.by_type]),
                   np.concatenate([first.by_group, then.by_group]))

    @property
    def replications(self) -> int:
        return int(self.by_type.shape[0])

    def type_sum(self, field: str, intervals: slice | int, types: list[int]) -> np.ndarray:
        """Per-replication sum of a type field over the given intervals and types."""
        x = self.by_type[:, _T[field], intervals]
        x = x[..., types] if x.ndim == 3 else x[:, types]
        return x.reshape(x.shape[0], -1).sum(axis=1)

    def cell_means(self, field: str) -> np.ndarray:
        """Mean per replication of a type field, [interval, type]."""
        return self.by_type[:, _T[field]].mean(axis=0)

    def group_sum(self, field: str, intervals: slice | int, groups: list[int]) -> np.ndarray:
        """Per-replication sum of a group field over the given intervals and groups."""
        x = self.by_group[:, _G[field], intervals]
        x = x[..., groups] if x.ndim == 3 else x[:, groups]
        return x.reshape(x.shape[0], -1).sum(axis=1)


@dataclass(frozen=True)
class IntervalRow:
    """KPIs of one interval of one day for one contact type (``contact_type`` is "all" for
    the total); ``day`` is 0 in a one-day horizon."""

    interval: int
    start: str
    contact_type: str
    staffed_agents: int
    kpis: KPIs
    day: int = 0


@dataclass(frozen=True)
class DayRow:
    """KPIs of one day of the horizon for one contact type ("all" for the total), with the
    agent hours and costs of that day (the "all" row; shares of the groups with the skill
    otherwise)."""

    day: int
    name: str
    contact_type: str
    kpis: KPIs


@dataclass(frozen=True)
class Summary:
    """Every KPI of a run, as plain data."""

    kpis: KPIs
    by_contact_type: dict[str, KPIs]
    by_group: dict[str, KPIs]
    cost: KPIs
    intervals: list[IntervalRow]
    days: list[DayRow] = field(default_factory=list)
    """Per-day KPIs of a multi-day horizon (empty for one day)."""


def skilled_groups(scenario: Scenario, types: list[int]) -> list[int]:
    """Groups having at least one of the skills ``types``."""
    names = {scenario.contact_types[k].name for k in types}
    return [g for g, grp in enumerate(scenario.agent_groups) if names & set(grp.skill_names)]


def kpi_keys(scenario: Scenario) -> tuple[str, ...]:
    """The KPIs of a run of ``scenario``: those of every run, then the journey KPIs of the
    features it has (transfers, resolution, call-backs, deflection, a ``max_wait_s``), in
    the order of ``JOURNEY_KEYS``."""
    types = scenario.contact_types
    has: set[str] = set()
    if any(t.transfers for t in types):
        has |= {"transferred_in", "transferred_out"}
    if any(t.resolution is not None for t in types):
        has.add("repeats")
    if any(t.callback is not None for t in types):
        has |= {"callbacks_offered", "callbacks_accepted", "callbacks_failed",
                "callback_on_time"}
    if any(t.deflection is not None for t in types):
        has.add("deflected")
    if any(scenario.service_level_of(t).max_wait_s is not None for t in types):
        has.add("over_max_wait")
    channel = ("backlog",) if scenario.has_email else ()
    return KPI_KEYS + tuple(k for k in JOURNEY_KEYS if k in has) + channel


def slice_kpis(
    tallies: Tallies, intervals: slice | int, types: list[int], groups: list[int],
    keys: tuple[str, ...] = KPI_KEYS,
) -> KPIs:
    """The KPIs ``keys`` of the contacts of ``types`` in ``intervals`` (occupancy over
    ``groups``)."""
    out: KPIs = {}
    for key in keys:
        if key in RATIOS:
            num, den = RATIOS[key]
            estimate = share_estimate if key in SHARES else ratio_estimate
            out[key] = estimate(tallies.type_sum(num, intervals, types),
                                tallies.type_sum(den, intervals, types))
        elif key == "occupancy":
            out[key] = share_estimate(tallies.group_sum("busy_s", intervals, groups),
                                      tallies.group_sum("present_s", intervals, groups))
        else:
            out[key] = mean_estimate(tallies.type_sum(key, intervals, types), nonnegative=True)
    return out


def per_replication(
    tallies: Tallies, key: str, intervals: slice | int = slice(None),
    types: list[int] | None = None, groups: list[int] | None = None,
) -> np.ndarray:
    """Each replication's own value of a KPI (ratio or count) for a slice of the day
    (occupancy over ``groups``, all groups by default)."""
    types = list(range(tallies.by_type.shape[-1])) if types is None else types
    if key in RATIOS:
        num, den = RATIOS[key]
        return per_replication_ratio(tallies.type_sum(num, intervals, types),
                                     tallies.type_sum(den, intervals, types))
    if key == "occupancy":
        groups = list(range(tallies.by_group.shape[-1])) if groups is None else groups
        return per_replication_ratio(tallies.group_sum("busy_s", intervals, groups),
                                     tallies.group_sum("present_s", intervals, groups))
    return tallies.type_sum(key, intervals, types)


def cost_per_replication(tallies: Tallies, scenario: Scenario,
                         slots: slice = slice(None)) -> dict[str, np.ndarray]:
    """The cost split of each replication, currency per simulated horizon (per day with a
    one-day horizon; ``slots`` narrows it, to one day of a week for instance).

    Agents are paid for the counted part of the day (after the warm-up), at each group's
    ``cost_per_hour``; self-served and deflected contacts (both finish in self-service) and
    abandons cost ``costs``' unit prices.
    """
    all_types = list(range(len(scenario.contact_types)))
    rate = np.array([g.cost_per_hour for g in scenario.agent_groups])
    staffed_h = tallies.by_group[:, _G["staffed_s"], slots].sum(axis=1) / 3600.0
    agents = staffed_h @ rate
    self_service = ((tallies.type_sum("self_served", slots, all_types)
                     + tallies.type_sum("deflected", slots, all_types))
                    * scenario.costs.self_service_per_contact)
    abandonment = (tallies.type_sum("abandoned", slots, all_types)
                   * scenario.costs.abandonment_penalty)
    parts = {"agents": agents, "self_service": self_service, "abandonment": abandonment}
    parts["total"] = agents + self_service + abandonment
    return parts


def summarise(tallies: Tallies, scenario: Scenario) -> Summary:
    """The full set of KPIs of a run."""
    types = list(range(len(scenario.contact_types)))
    groups = list(range(len(scenario.agent_groups)))
    day = slice(None)
    keys = kpi_keys(scenario)
    overall = slice_kpis(tallies, day, types, groups, keys)
    by_type = {
        t.name: slice_kpis(tallies, day, [k], skilled_groups(scenario, [k]), keys)
        for k, t in enumerate(scenario.contact_types)
    }
    by_group: dict[str, KPIs] = {}
    chat_types = {t.name for t in scenario.contact_types if t.channel == "chat"}
    for g, grp in enumerate(scenario.agent_groups):
        staffed = tallies.group_sum("staffed_s", day, [g])
        answered = tallies.group_sum("answered", day, [g])
        by_group[grp.name] = {
            "answered": mean_estimate(answered, nonnegative=True),
            "asa_s": ratio_estimate(tallies.group_sum("wait_answered_s", day, [g]), answered),
            "occupancy": share_estimate(tallies.group_sum("busy_s", day, [g]),
                                        tallies.group_sum("present_s", day, [g])),
            "staffed_hours": mean_estimate(staffed / 3600.0),
            "agent_cost": mean_estimate(staffed / 3600.0 * grp.cost_per_hour),
        }
        if any(skill in chat_types for skill in grp.skill_names):
            by_group[grp.name]["chat_load"] = ratio_estimate(
                tallies.group_sum("chat_s", day, [g]), tallies.group_sum("chat_busy_s", day, [g]))
    cost = {k: mean_estimate(v) for k, v in cost_per_replication(tallies, scenario).items()}
    staffing = np.asarray(scenario.staffing_matrix())
    h = scenario.horizon
    rows = []
    for slot in range(h.slots):
        d, i = divmod(slot, h.intervals)
        start = h.clock(i)
        rows.append(IntervalRow(i, start, "all", int(staffing[:, slot].sum()),
                                slice_kpis(tallies, slot, types, groups, keys), d))
        for k, t in enumerate(scenario.contact_types):
            skilled = skilled_groups(scenario, [k])
            rows.append(IntervalRow(i, start, t.name, int(staffing[skilled, slot].sum()),
                                    slice_kpis(tallies, slot, [k], skilled, keys), d))
    return Summary(overall, by_type, by_group, cost, rows, _day_rows(tallies, scenario, keys))


def _day_rows(tallies: Tallies, scenario: Scenario, keys: tuple[str, ...]) -> list[DayRow]:
    """The KPIs of each day of a multi-day horizon, overall (with the day's agent hours and
    cost) and per type; none for one day."""
    h = scenario.horizon
    if h.days == 1:
        return []
    types = list(range(len(scenario.contact_types)))
    groups = list(range(len(scenario.agent_groups)))
    rows = []
    for d in range(h.days):
        slots = slice(d * h.intervals, (d + 1) * h.intervals)
        overall = slice_kpis(tallies, slots, types, groups, keys)
        staffed = tallies.group_sum("staffed_s", slots, groups)
        overall["staffed_hours"] = mean_estimate(staffed / 3600.0)
        costs = cost_per_replication(tallies, scenario, slots)
        overall["agent_cost"] = mean_estimate(costs["agents"])
        overall["total_cost"] = mean_estimate(costs["total"])
        rows.append(DayRow(d, h.day_name(d), "all", overall))
        for k, t in enumerate(scenario.contact_types):
            rows.append(DayRow(d, h.day_name(d), t.name, slice_kpis(
                tallies, slots, [k], skilled_groups(scenario, [k]), keys)))
    return rows
