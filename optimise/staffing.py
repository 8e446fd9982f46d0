"""How many agents one queue needs, in a planner's units: Erlang C and Erlang A.

A planner thinks in calls offered per interval, average handle time (AHT) in seconds, an
interval in minutes, a service level "X% answered within T seconds", shrinkage and a maximum
occupancy. This module turns those into the exact formulas of ``optimise.erlang`` (rates per
second) and back into whole agents:

* ``agents``: agents on the phones, the least ``n`` whose service level is at least the target
  and whose occupancy is at most ``max_occupancy``;
* ``paid``: paid heads, ``ceil(agents / (1 - shrinkage))``.

The occupancy cap is the planner's rule "never plan agents above X% occupancy" (pyworkforce's
``max_occupancy``): the offered load per agent on the phones, ``load / n``, may not exceed it,
so ``n >= ceil(load / max_occupancy)``. Under Erlang C that is the occupancy; under Erlang A
abandoned calls take no agent time, so the occupancy reported (carried load / n) is a little
lower. ``max_occupancy = 1`` means no limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from numbers import Integral, Real

from ccsim.optimise.erlang import min_agents, queue_kpis

EPS = 1e-9
"""Tolerance when rounding a ratio up to whole agents: 14 / 0.7 gives 20, not 21."""


@dataclass(frozen=True)
class Staffing:
    """Whole agents for one queue and its KPIs at that staffing (times in seconds, shares as
    fractions). ``abandon_rate`` is 0 under Erlang C; ``patience_s`` is None there."""

    agents: int
    """Agents on the phones."""
    paid: int
    """Paid heads: agents grossed up by shrinkage, rounded up."""
    service_level: float
    """Share of offered calls answered within ``threshold_s`` (an abandon is a miss)."""
    asa_s: float
    """Average speed of answer (mean wait of answered calls)."""
    abandon_rate: float
    occupancy: float
    """Busy time / time on the phones."""
    p_wait: float
    """Probability that a call has to wait."""
    load_erlangs: float
    """Offered load: calls × AHT / interval length."""
    calls: float
    aht_s: float
    patience_s: float | None
    interval_minutes: float
    threshold_s: float
    target: float
    shrinkage: float
    max_occupancy: float

    @property
    def meets_target(self) -> bool:
        """The service level reaches the target and the occupancy cap holds."""
        return (self.service_level >= self.target
                and self.agents >= occupancy_floor(self.load_erlangs, self.max_occupancy))


def occupancy_floor(load_erlangs: float, max_occupancy: float) -> int:
    """The fewest agents carrying ``load_erlangs`` at no more than ``max_occupancy`` (a share;
    1 = no limit, gives 0)."""
    if max_occupancy >= 1 or load_erlangs <= 0:
        return 0
    return math.ceil(load_erlangs / max_occupancy - EPS)


def paid_heads(agents: int, shrinkage: float) -> int:
    """Paid heads for ``agents`` on the phones when a share ``shrinkage`` of paid time is off
    the phones."""
    return math.ceil(agents / (1 - shrinkage) - EPS)


def erlang_c(
    calls: float,
    aht_s: float,
    *,
    interval_minutes: float = 30,
    threshold_s: float = 20,
    target: float = 0.8,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    agents: int | None = None,
) -> Staffing:
    """Erlang C (M/M/n, callers never hang up): agents for ``calls`` offered per interval of
    ``interval_minutes`` minutes, AHT ``aht_s`` seconds, ``target`` (a share) answered within
    ``threshold_s`` seconds, ``shrinkage`` (share of paid time off the phones) and
    ``max_occupancy`` (share). With ``agents`` given, that staffing is evaluated instead.

    The least ``n`` always exceeds the load: at ``n <= load`` the queue grows without end.
    """
    return _staffing(calls, aht_s, None, interval_minutes, threshold_s, target, shrinkage,
                     max_occupancy, agents)


def erlang_a(
    calls: float,
    aht_s: float,
    patience_s: float,
    *,
    interval_minutes: float = 30,
    threshold_s: float = 20,
    target: float = 0.8,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
    agents: int | None = None,
) -> Staffing:
    """Erlang A (M/M/n+M): as ``erlang_c``, with callers hanging up after an exponential
    patience of mean ``patience_s`` seconds (``math.inf``: never, which is Erlang C).

    Abandons count as misses in the service level, so a target of 1 is out of reach here too.
    """
    return _staffing(calls, aht_s, patience_s, interval_minutes, threshold_s, target,
                     shrinkage, max_occupancy, agents)


def _check(name: str, value: float, rule: str, ok: Callable[[float], bool],
           finite: bool = True) -> None:
    """Raise ``ValueError`` naming the argument unless ``value`` is a number obeying ``rule``."""
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(value) or (
            finite and math.isinf(value)):
        raise ValueError(f'"{name}" must be a finite number.' if finite
                         else f'"{name}" must be a number.')
    if not ok(value):
        raise ValueError(f'"{name}" must be {rule}.')


def _staffing(
    calls: float, aht_s: float, patience_s: float | None, interval_minutes: float,
    threshold_s: float, target: float, shrinkage: float, max_occupancy: float,
    agents: int | None,
) -> Staffing:
    """Validate, convert to the rates of ``optimise.erlang``, find or evaluate ``n``, and
    report."""
    _check("calls", calls, ">= 0", lambda v: v >= 0)
    _check("aht_s", aht_s, "> 0", lambda v: v > 0)
    if patience_s is not None:
        _check("patience_s", patience_s, "> 0", lambda v: v > 0, finite=False)
    _check("interval_minutes", interval_minutes, "> 0", lambda v: v > 0)
    _check("threshold_s", threshold_s, ">= 0", lambda v: v >= 0)
    _check("target", target, "> 0 and < 1", lambda v: 0 < v < 1)
    _check("shrinkage", shrinkage, ">= 0 and < 1", lambda v: 0 <= v < 1)
    _check("max_occupancy", max_occupancy, "> 0 and <= 1", lambda v: 0 < v <= 1)
    if agents is not None:
        if isinstance(agents, bool) or not isinstance(agents, Integral) or agents < 0:
            raise ValueError('"agents" must be an int >= 0.')
        agents = int(agents)
    # time in units of the AHT (mu = 1), so the load is exact: 100 calls × 180 s / 1800 s is
    # 10.0, where 100/1800 per second over 1/180 is 9.999999999999998 (stable, not at the edge)
    load = calls * aht_s / (interval_minutes * 60)
    patience = None if patience_s is None else patience_s / aht_s
    threshold = threshold_s / aht_s
    if agents is None:
        agents = max(min_agents(load, 1.0, patience, threshold, target),
                     occupancy_floor(load, max_occupancy))
    if load > 0 and agents == 0:  # nobody answers: every call waits (or abandons)
        sl, asa, abandon, occupancy, p_wait = (0.0, math.inf, float(patience_s is not None
                                                                  and math.isfinite(patience_s)),
                                               math.nan, 1.0)
    elif load > 0:
        kpis = queue_kpis(agents, load, 1.0, patience, threshold)
        sl, asa, abandon, occupancy, p_wait = (kpis.service_level, kpis.asa_s * aht_s,
                                               kpis.abandon_rate, kpis.occupancy, kpis.p_wait)
    else:  # nobody calls: nobody waits; agents on the phones are 0% occupied
        sl, asa, abandon, occupancy, p_wait = 1.0, 0.0, 0.0, 0.0 if agents else math.nan, 0.0
    return Staffing(agents, paid_heads(agents, shrinkage), sl, asa, abandon, occupancy, p_wait,
                    load, calls, aht_s, patience_s, interval_minutes, threshold_s, target,
                    shrinkage, max_occupancy)
