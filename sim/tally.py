"""Per-replication tallies: the sums every KPI is built from, by interval and contact type.

A day's records (one entry per contact) are reduced to small arrays in the process that
simulated the day, so only a few kilobytes travel back from a worker. Intervals are by arrival
time; contacts that arrive during the warm-up are not counted. Agent time is measured from the
end of the warm-up to the end of the last interval (the close is not counted). An agent who
stays on after a staffing drop to finish a contact is at work while they do: occupancy divides
busy time by time at work (``present_s``), so it never exceeds 1; the cost pays the staffing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ccsim.sim import ivr
from ccsim.sim.records import Records
from ccsim.sim.scenario import DAY_S, Scenario

TYPE_FIELDS = (
    "arrivals",          # counted arrivals: forecast, redials, repeats and transfers
    "offered",           # entered an agent queue
    "answered",          # answered on the line (a call-back is not)
    "abandoned",
    "in_time",           # answered on the line within the type's threshold
    "sl_denominator",    # offered minus abandons sooner than short_abandon_s, accepted
                         # call-backs and deflected contacts
    "wait_answered_s",   # sum of the waits of answered contacts, seconds
    "ivr_entered",
    "self_served",
    "redials",
    "transferred_in",    # contacts that joined this queue by transfer
    "transferred_out",   # contacts transferred on from this queue after their service
    "repeats",           # repeats of unresolved contacts
    "callbacks_offered",
    "callbacks_accepted",
    "callbacks_failed",  # nobody answered the call-back, or it was never made
    "callbacks_on_time", # call-backs that started within deadline_s of accepting
    "deflected",
    "waited_over_max",   # in the SL denominator and waited longer than max_wait_s
    "max_wait_denominator",  # the SL denominator of types that have a max_wait_s
    "backlog",           # e-mails still waiting at the end of the horizon
)
GROUP_FIELDS = (
    "answered",          # on the line, as for the types
    "wait_answered_s",
    "busy_s",            # agent-seconds handling contacts, within each interval
    "staffed_s",         # agent-seconds on the phones, within each interval
    "chat_s",            # chat-seconds: chats held, summed over the group's agents
    "chat_busy_s",       # agent-seconds holding at least one chat
    "present_s",         # agent-seconds at work: staffed, or more where agents stayed on
                         # after a staffing drop to finish a contact (at least busy_s)
)


@dataclass(frozen=True)
class DayTally:
    """Sums of one replication: ``by_type[field, interval, type]``, ``by_group[field, interval,
    group]`` with fields in the order of ``TYPE_FIELDS`` / ``GROUP_FIELDS``."""

    by_type: np.ndarray
    by_group: np.ndarray


def interval_bounds(scenario: Scenario) -> np.ndarray:
    """Counted time of each interval: edges clipped to [end of warm-up, end of day], seconds
    from the day's opening."""
    h = scenario.horizon
    edges = np.arange(h.intervals + 1) * h.interval_s
    return np.clip(edges, h.warmup_minutes * 60.0, h.length_s)


def _slot_edges(scenario: Scenario) -> np.ndarray:
    """``interval_bounds`` of every day on the horizon's clock, ``[day, intervals + 1]``."""
    h = scenario.horizon
    days = np.arange(h.days)[:, None] * DAY_S
    return days + interval_bounds(scenario)[None, :]


def _busy_until(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Total busy time before each edge: sum over contacts of min(edge, end) - min(edge, start).

    ``sum_c min(b, x_c)`` for sorted x is ``sum(x_c < b) + b·count(x_c >= b)``: a cumulative sum
    and a binary search, O(N log N) instead of contacts × intervals.
    """
    def sum_min(x: np.ndarray) -> np.ndarray:
        x = np.sort(x)
        cum = np.concatenate([[0.0], np.cumsum(x)])
        below = np.searchsorted(x, edges, side="left")
        return cum[below] + edges * (x.size - below)

    return sum_min(ends) - sum_min(starts)


def tally(records: Records, scenario: Scenario) -> DayTally:
    """Reduce one day's records to its sums."""
    h = scenario.horizon
    n_i, n_k, n_g = h.slots, len(scenario.contact_types), len(scenario.agent_groups)
    day_of = records.interval // h.intervals
    opened = day_of * DAY_S if h.days > 1 else 0.0
    counted = records.arrival - opened >= h.warmup_minutes * 60.0
    cell = records.interval.astype(np.int64) * n_k + records.ctype

    levels = [scenario.service_level_of(t) for t in scenario.contact_types]
    thresholds = np.array([sl.threshold_s for sl in levels])
    shorts = np.array([sl.short_abandon_s for sl in levels])
    max_waits = np.array([np.inf if sl.max_wait_s is None else sl.max_wait_s for sl in levels])
    ctype = records.ctype.astype(np.int64)
    offered, answered, abandoned = records.offered, records.answered, records.abandoned
    journey = _journey_columns(records, scenario, ctype)
    live = answered & ~journey["callbacks_accepted"]
    wait = np.nan_to_num(records.wait)
    short = abandoned & (wait < shorts[ctype])
    backlog = records.backlog
    # an e-mail still waiting at the end is a sure miss once older than its threshold; one
    # younger might yet be answered in time, so it is left out of the service level
    horizon_end = (h.days - (0 if scenario.carries_over else 1)) * DAY_S + h.length_s
    undecided = backlog & (horizon_end - records.entry <= thresholds[ctype])
    sl_denominator = (offered & ~short & ~journey["callbacks_accepted"] & ~journey["deflected"]
                      & ~undecided)
    has_max_wait = np.isfinite(max_waits)[ctype]
    columns = {
        "arrivals": np.ones(records.size, dtype=bool),
        "offered": offered,
        "answered": live,
        "abandoned": abandoned,
        "in_time": live & (wait <= thresholds[ctype]),
        "sl_denominator": sl_denominator,
        "wait_answered_s": np.where(live, wait, 0.0),
        "ivr_entered": records.ivr != ivr.NO_IVR,
        "self_served": records.self_served,
        "redials": records.redial,
        **journey,
        "waited_over_max": sl_denominator & (wait > max_waits[ctype]),
        "max_wait_denominator": sl_denominator & has_max_wait,
        "backlog": backlog,
    }
    by_type = np.zeros((len(TYPE_FIELDS), n_i, n_k))
    cells = cell[counted]
    for f, name in enumerate(TYPE_FIELDS):
        weights = columns[name][counted].astype(float)
        by_type[f] = np.bincount(cells, weights, minlength=n_i * n_k).reshape(n_i, n_k)

    field = {name: f for f, name in enumerate(GROUP_FIELDS)}
    day_edges = _slot_edges(scenario)
    edges = day_edges.ravel()
    within = np.ones(edges.size, dtype=bool)  # differences of edges within one day
    within[::h.intervals + 1] = False
    staffing = np.asarray(scenario.staffing_matrix(), dtype=float)
    by_group = np.zeros((len(GROUP_FIELDS), n_i, n_g))
    group = records.group.astype(np.int64)
    chat = records.chat
    is_chat = np.array([t.channel == "chat" for t in scenario.contact_types])[ctype]
    for g in range(n_g):
        mine = answered & (group == g)
        if chat is None:
            busy = _busy_until(records.answer[mine], records.end[mine], edges)
        else:  # calls, and the spells holding chats (however many)
            calls = mine & ~is_chat
            chats = mine & is_chat
            spells = chat.group == g
            held = np.diff(_busy_until(records.answer[chats], records.end[chats], edges))
            spell = np.diff(_busy_until(chat.start[spells], chat.end[spells], edges))
            by_group[field["chat_s"], :, g] = held[within[1:]]
            by_group[field["chat_busy_s"], :, g] = spell[within[1:]]
            busy = _busy_until(records.answer[calls], records.end[calls], edges)
            busy[1:] += np.cumsum(spell)
        by_group[field["busy_s"], :, g] = np.diff(busy)[within[1:]]
        by_group[field["staffed_s"], :, g] = staffing[g] * np.diff(edges)[within[1:]]
        by_group[field["present_s"], :, g] = np.maximum(by_group[field["staffed_s"], :, g],
                                                        by_group[field["busy_s"], :, g])
        mine_counted = mine & counted & live
        intervals = records.interval[mine_counted]
        by_group[field["answered"], :, g] = np.bincount(intervals, minlength=n_i)
        by_group[field["wait_answered_s"], :, g] = np.bincount(
            intervals, wait[mine_counted], minlength=n_i
        )
    return DayTally(by_type, by_group)


def _journey_columns(records: Records, scenario: Scenario,
                     ctype: np.ndarray) -> dict[str, np.ndarray]:
    """The per-contact flags of the journey fields (all False without journeys)."""
    j = records.journey
    if j is None:
        none = np.zeros(records.size, dtype=bool)
        return {name: none for name in ("transferred_in", "transferred_out", "repeats",
                                        "callbacks_offered", "callbacks_accepted",
                                        "callbacks_failed", "callbacks_on_time", "deflected")}
    deadlines = np.array([t.callback.deadline_s if t.callback is not None else np.inf
                          for t in scenario.contact_types])
    called_back = j.called_back
    with np.errstate(invalid="ignore"):  # never called back: NaN, not on time
        on_time = called_back & (records.answer - j.callback_accepted <= deadlines[ctype])
    return {
        "transferred_in": j.transferred_in,
        "transferred_out": j.transferred_out,
        "repeats": j.repeat,
        "callbacks_offered": j.callback_offered,
        "callbacks_accepted": called_back,
        "callbacks_failed": j.callback_failed,
        "callbacks_on_time": on_time,
        "deflected": j.deflected,
    }
