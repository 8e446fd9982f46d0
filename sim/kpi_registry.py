"""One registry of the KPIs: each key's human label, unit and kind, and how a planner reads one.

The keys are those written to summary.json and the CSVs (other tools read them, so they never
change); the labels are what the tables show. Kinds: ``share`` (a fraction in [0, 1], shown in
percent, CI on the logit scale), ``ratio`` (a ratio of sums in its own unit, e.g. ASA in
seconds), ``count`` (a mean per replication), ``hours`` and ``money`` (means per day; ``money``
is in the scenario's currency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccsim.sim.stats import Estimate

CURRENCY = "currency"
"""The unit of money KPIs: the scenario's ``costs.currency``, filled in by whoever shows it."""


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    unit: str
    kind: str


REGISTRY: dict[str, Kpi] = {k.key: k for k in (
    Kpi("service_level", "Service level", "%", "share"),
    Kpi("asa_s", "ASA", "s", "ratio"),
    Kpi("abandon_rate", "Abandonment rate", "%", "share"),
    Kpi("occupancy", "Occupancy", "%", "share"),
    Kpi("containment", "Containment", "%", "share"),
    Kpi("offered", "Offered", "contacts", "count"),
    Kpi("answered", "Answered", "contacts", "count"),
    Kpi("abandoned", "Abandoned", "contacts", "count"),
    Kpi("self_served", "Self-served", "contacts", "count"),
    Kpi("redials", "Redials", "contacts", "count"),
    Kpi("transferred_in", "Transferred in", "contacts", "count"),
    Kpi("transferred_out", "Transferred out", "contacts", "count"),
    Kpi("repeats", "Repeats", "contacts", "count"),
    Kpi("callbacks_offered", "Call-backs offered", "contacts", "count"),
    Kpi("callbacks_accepted", "Call-backs accepted", "contacts", "count"),
    Kpi("callbacks_failed", "Call-backs failed", "contacts", "count"),
    Kpi("callback_on_time", "Call-backs on time", "%", "share"),
    Kpi("deflected", "Deflected", "contacts", "count"),
    Kpi("over_max_wait", "Over max wait", "%", "share"),
    Kpi("backlog", "Backlog left", "contacts", "count"),
    Kpi("chat_load", "Chat load", "chats", "ratio"),
    Kpi("staffed_hours", "Staffed hours", "h", "hours"),
    Kpi("agent_cost", "Agent cost", CURRENCY, "money"),
    Kpi("total_cost", "Total cost", CURRENCY, "money"),
)}


def wait_text(seconds: float) -> str:
    """A service-level threshold as a planner says it: "20 s", "10 min", "24 h"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 600 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def label(key: str) -> str:
    """The human name of a KPI ("ASA" for ``asa_s``); an unknown key as it is."""
    kpi = REGISTRY.get(key)
    return key if kpi is None else kpi.label


def format_kpi(e: Estimate, key: str, sep: str = " ", missing: str = "-",
               count_decimals: int = 0) -> str:
    """A KPI as a planner reads it: a share in percent and a ratio in its unit, each with its
    95% CI in brackets after ``sep``; a count (hours, money) as its mean with
    ``count_decimals`` decimals; ``missing`` when undefined (nobody offered)."""
    if e.mean != e.mean:
        return missing
    kind = REGISTRY[key].kind if key in REGISTRY else "count"
    bounds = math.isfinite(e.lo) and math.isfinite(e.hi)
    if kind == "share":
        ci = f"{sep}[{e.lo * 100:.1f}, {e.hi * 100:.1f}]" if bounds else ""
        return f"{e.mean * 100:.1f}%{ci}"
    if kind == "ratio":
        ci = f"{sep}[{e.lo:.1f}, {e.hi:.1f}]" if bounds else ""
        return f"{e.mean:.1f} {REGISTRY[key].unit}{ci}"
    return f"{e.mean:,.{count_decimals}f}"
