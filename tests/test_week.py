"""The multi-day horizon (DESIGN.md, "The week"): a week of identical days is seven one-day
replications number for number, ``days: 1`` is today's engine, repeats due after the close
arrive on a later day and never after the last, runs do not depend on the workers, and random
small weeks with calls, chats, e-mails and journeys keep every invariant of the engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ccsim.optimise.erlang import queue_kpis
from ccsim.sim.horizon import simulate_horizon
from ccsim.sim.loader import ScenarioError, load_scenario
from ccsim.sim.records import Records
from ccsim.sim.runner import run_replication, simulate
from ccsim.sim.scenario import DAY_S, Scenario
from ccsim.sim.tally import TYPE_FIELDS, tally
from ccsim.sim.timebase import on_ticks
from tests.conftest import stationary
from tests.test_engine_vs_theory import assert_close
from tests.test_invariants import FAST, dist

ROOT = Path(__file__).resolve().parent.parent


def bundled(name: str, **horizon: Any) -> Scenario:
    """A bundled scenario with ``horizon`` keys written into its file."""
    data = yaml.safe_load((ROOT / "scenarios" / f"{name}.yaml").read_text())
    data["horizon"].update(horizon)
    return Scenario.model_validate(data)


# --- a week of identical days ------------------------------------------------------------

def test_a_week_of_identical_days_is_seven_one_day_replications() -> None:
    """Day d of replication r of a 7-day horizon draws from simulated day 7r + d: with voice
    only (nothing carries over the night) its sums, slot by slot, are exactly those of
    replication 7r + d of the one-day scenario (IVR, redials and priority routing included)."""
    one, week = bundled("default"), bundled("default", days=7)
    n = one.horizon.intervals
    assert week.horizon.slots == 7 * n
    for r in range(2):
        days = run_replication(week, 5, r)
        assert days.by_type.shape[1] == 7 * n
        for d in range(7):
            alone = run_replication(one, 5, 7 * r + d)
            np.testing.assert_array_equal(days.by_type[:, d * n:(d + 1) * n], alone.by_type,
                                          err_msg=f"replication {r}, day {d}")
            np.testing.assert_array_equal(days.by_group[:, d * n:(d + 1) * n], alone.by_group,
                                          err_msg=f"replication {r}, day {d}")


def test_each_day_of_a_week_of_identical_days_matches_erlang_a() -> None:
    """Seven identical Erlang A days (M/M/10+M, 9 Erlangs): each day's KPIs (``Summary.days``)
    agree with the exact values within their confidence intervals. Each day opens empty and
    its first hour is warm-up (were the warm-up applied to the first day only, later days
    would count their empty opening and look better than Erlang A). Over the whole week the
    ratio KPIs are those of the one-day scenario over the same 42 simulated days, exactly."""
    one = stationary(10, 180, 180, 120, hours=8)
    data = one.model_dump(exclude_none=True)
    data["horizon"]["days"] = 7
    week = Scenario.model_validate(data)
    exact = queue_kpis(10, 180 / 3600, 1 / 180, 120, 20)
    summary = simulate(week, replications=6, seed=1).summary
    rows = [row for row in summary.days if row.contact_type == "all"]
    assert [(row.day, row.name) for row in rows][:2] == [(0, "monday"), (1, "tuesday")]
    assert len(rows) == 7
    for row in rows:
        for key in ("service_level", "abandon_rate", "occupancy", "asa_s"):
            assert_close(row.kpis[key], getattr(exact, key), f"day {row.day} {key}")
    alone = simulate(one, replications=42, seed=1).summary
    assert not alone.days
    for key in ("service_level", "abandon_rate", "occupancy", "asa_s"):
        assert summary.kpis[key].mean == pytest.approx(alone.kpis[key].mean, rel=1e-12), key
    assert summary.kpis["offered"].mean == pytest.approx(7 * alone.kpis["offered"].mean)


PINNED = {  # tests/test_chat.py: two seeded days as ccsim gave them before chat (2afbfec)
    "default": {"offered": [2390, 2345], "answered": [2221, 2222], "abandoned": [169, 123],
                "in_time": [1981, 1997], "busy_ms": [705091519, 696888262]},
    "helpline": {"offered": [3369, 3272], "answered": [3159, 3044],
                 "abandoned": [202, 203], "in_time": [2714, 2569],
                 "busy_ms": [1419974140, 1340995329]},
}


@pytest.mark.parametrize("name", sorted(PINNED))
def test_days_1_written_out_gives_todays_numbers(name: str) -> None:
    """``horizon.days: 1`` written explicitly is the default: the pinned counts and busy
    milliseconds of ``test_a_scenario_without_chat_gives_todays_numbers``."""
    scenario = bundled(name, days=1, first_day="friday")
    assert "days" in scenario.horizon.model_fields_set
    tallies = simulate(scenario, replications=2, seed=5).tallies
    types = list(range(len(scenario.contact_types)))
    groups = list(range(len(scenario.agent_groups)))
    now: dict[str, list[int]] = {k: tallies.type_sum(k, slice(None), types).astype(int).tolist()
                                 for k in PINNED[name] if k != "busy_ms"}
    now["busy_ms"] = [round(x * 1000) for x in tallies.group_sum("busy_s", slice(None), groups)]
    assert now == PINNED[name]


# --- what carries over the night ---------------------------------------------------------

def two_days(repeat_after_s: float) -> Scenario:
    """Two 2-hour days of one queue in which (all but surely) every service leaves a repeat
    due ``repeat_after_s`` after it."""
    return Scenario.model_validate({
        "name": "repeats",
        "horizon": {"days": 2, "interval_minutes": 30, "intervals": 4},
        "contact_types": [{
            "name": "calls", "arrivals": {"per_interval": [20, 20, 20, 20]},
            "handle_time": {"distribution": "exponential", "mean": 240},
            "resolution": {"first_contact": 1e-12,
                           "repeat_delay": {"distribution": "deterministic",
                                            "value": repeat_after_s}}}],
        "agent_groups": [{"name": "g", "skills": ["calls"], "staffing": 3}],
    })


@pytest.mark.parametrize("delay", [10_800.0, DAY_S])
def test_repeats_due_after_the_close_arrive_on_the_next_day_and_never_after_the_last(
        delay: float) -> None:
    """A repeat due in the night arrives the next day, the night mapped onto the opening
    hours in proportion; one due during tomorrow's opening hours arrives then; one due after
    the last day is not in the records. The first day receives the repeats of the day
    simulated before the horizon. Repeats count in the slot of the day they arrive."""
    scenario = two_days(delay)
    h = scenario.horizon
    length = h.length_s
    rec = simulate_horizon(scenario, 4, 0)
    j = rec.journey
    assert j is not None
    today = rec.arrival < DAY_S
    first = rec.arrival[j.repeat & today]  # from the day before the horizon
    assert first.size > 20 and np.all((first >= 0) & (first < length))
    ends = rec.end[today & rec.answered]  # every service of day 0 leaves a repeat
    ahead, local = np.divmod(ends + delay, DAY_S)
    night = local >= length
    ahead = np.where(night, ahead + 1, ahead)
    local = np.where(night, on_ticks((local - length) / (DAY_S - length) * length), local)
    expected = (ahead * DAY_S + local)[ahead == 1]
    got = rec.arrival[j.repeat & ~today]
    assert np.all(np.isin(expected, got))
    # the rest: services of the day before the horizon that ended in its close, due a day
    # later in the night before day 1, so early on day 1
    rest = got[~np.isin(got, expected)]
    assert rest.size == got.size - expected.size
    assert (delay < DAY_S and rest.size == 0) or np.all(rest < DAY_S + h.interval_s)
    assert got.size > 20
    assert np.unique(got).size == got.size  # spread out, not all at the opening
    assert np.all(rec.arrival < (h.days - 1) * DAY_S + length)  # nothing after the last day
    counts = tally(rec, scenario).by_type[TYPE_FIELDS.index("repeats")]
    slots = (rec.arrival[j.repeat] // DAY_S * h.intervals
             + np.minimum(rec.arrival[j.repeat] % DAY_S // h.interval_s, h.intervals - 1))
    np.testing.assert_array_equal(np.bincount(slots.astype(int), minlength=h.slots),
                                  counts[:, 0])


# --- determinism -------------------------------------------------------------------------

def test_the_week_is_the_same_with_one_or_two_workers() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "week.yaml")
    serial = simulate(scenario, replications=2, seed=3, workers=1).tallies
    parallel = simulate(scenario, replications=2, seed=3, workers=2).tallies
    np.testing.assert_array_equal(serial.by_type, parallel.by_type)
    np.testing.assert_array_equal(serial.by_group, parallel.by_group)
    again = simulate(scenario, replications=1, seed=3, first=1).tallies
    np.testing.assert_array_equal(again.by_type[0], serial.by_type[1])
    assert serial.by_type.shape[2] == 7 * scenario.horizon.intervals


# --- invariants of random small weeks ----------------------------------------------------

INTERVALS = 4
counts = st.lists(st.floats(0, 25), min_size=INTERVALS, max_size=INTERVALS)
heads = st.lists(st.integers(0, 5), min_size=INTERVALS, max_size=INTERVALS)


def per_day(draw: Any, values: Any, days: int) -> Any:
    """One list for every day, or one list per day."""
    if draw(st.booleans()):
        return draw(values)
    return [draw(values) for _ in range(days)]


@st.composite
def weeks(draw: Any) -> Scenario:
    """A random horizon of 2-3 short days with e-mail and, at random, calls and chats (with
    journeys), agent groups holding any mix of them, and any routing."""
    days = draw(st.integers(2, 3))
    types: list[dict[str, Any]] = []
    for name, channel in (("v", "voice"), ("c", "chat"), ("m", "email")):
        if channel != "email" and not draw(st.booleans()):
            continue
        t: dict[str, Any] = {"name": name, "channel": channel,
                             "arrivals": {"per_interval": per_day(draw, counts, days)},
                             "handle_time": draw(dist)}
        if channel != "email":
            if draw(st.booleans()):
                t["patience"] = draw(dist)
            if draw(st.booleans()):
                t["callback"] = {"offer_after_s": 30, "accept": draw(st.floats(0, 1)),
                                 "deadline_s": 300, "answer": draw(st.floats(0, 1))}
            if draw(st.booleans()):
                t["deflection"] = {"after_s": 20, "accept": draw(st.floats(0, 1))}
        if draw(st.booleans()):
            t["resolution"] = {"first_contact": draw(st.floats(0.3, 1)),
                               "repeat_delay": draw(st.sampled_from([
                                   {"distribution": "exponential", "mean": 3600},
                                   {"distribution": "deterministic", "value": 20_000},
                                   {"distribution": "uniform", "low": 600, "high": 90_000}]))}
        types.append(t)
    names = [t["name"] for t in types]
    groups: list[dict[str, Any]] = []
    for g in range(draw(st.integers(1, 3))):
        skills = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        group: dict[str, Any] = {"name": f"g{g}", "skills": skills}
        group["staffing"] = (draw(st.integers(0, 5)) if draw(st.booleans())
                             else per_day(draw, heads, days))
        if "c" in skills:
            group["max_chats"] = draw(st.integers(1, 3))
        groups.append(group)
    for name in names:
        if not any(name in g["skills"] for g in groups):
            groups[0]["skills"].append(name)
    routing = draw(st.sampled_from([
        {"policy": "longest_idle"}, {"policy": "priority", "overflow_after_s": 0},
        {"policy": "priority", "overflow_after_s": 30}]))
    return Scenario.model_validate({
        "name": "week",
        "horizon": {"days": days, "interval_minutes": 15, "intervals": INTERVALS,
                    "warmup_minutes": draw(st.sampled_from([0, 10]))},
        "contact_types": types, "agent_groups": groups, "routing": routing,
    })


def check_week(rec: Records, scenario: Scenario) -> None:
    """Every invariant a simulated horizon keeps (see ``test_random_weeks_keep_every_rule``)."""
    h = scenario.horizon
    email = np.array([t.channel == "email" for t in scenario.contact_types])[rec.ctype]
    chat = np.array([t.channel == "chat" for t in scenario.contact_types])[rec.ctype]
    j = rec.journey
    none = np.zeros(rec.size, dtype=bool)
    deflected = none if j is None else j.deflected
    called_back = none if j is None else j.called_back
    failed = none if j is None else j.callback_failed
    never_called = called_back & failed & ~rec.answered
    backlog = rec.backlog
    ends = [rec.self_served, rec.answered, rec.abandoned, deflected, never_called, backlog]
    assert np.all(sum(e.astype(int) for e in ends) == 1)  # one outcome each
    assert not np.any(backlog & ~email)
    assert not np.any(rec.abandoned & email)
    offered = rec.offered
    assert np.all(rec.entry[offered] >= rec.arrival[offered])
    assert np.all(rec.answer[rec.answered] >= rec.entry[rec.answered])
    assert np.all(rec.end[rec.answered] >= rec.answer[rec.answered])
    # arrivals fall in some day's opening hours, counted in that day's slot
    day, local = np.divmod(rec.arrival, DAY_S)
    assert np.all((day < h.days) & (local < h.length_s))
    slot = day * h.intervals + np.minimum(local // h.interval_s, h.intervals - 1)
    np.testing.assert_array_equal(rec.interval, slot)
    # e-mails are taken only while the centre is open; their wait is calendar time
    mails = email & rec.answered
    assert np.all(np.mod(rec.answer[mails], DAY_S) < h.length_s)
    assert np.all(rec.wait[mails] == rec.answer[mails] - rec.entry[mails])
    # first come, first served within an e-mail type, across the nights
    for k in np.unique(rec.ctype[email]):
        done = np.flatnonzero((rec.ctype == k) & rec.answered)
        order = done[np.argsort(rec.entry[done], kind="stable")]
        assert np.all(np.diff(rec.answer[order]) >= 0)
        left = rec.entry[(rec.ctype == k) & backlog]
        if left.size and done.size:
            assert left.min() >= rec.entry[done].max()
    # blending: an e-mail is taken only when no call or chat the group may take waits
    gone = np.where(rec.answered, rec.answer, np.where(rec.abandoned, rec.abandon, rec.end))
    overflow = getattr(scenario.routing, "overflow_after_s", 0.0)
    for g, group in enumerate(scenario.agent_groups):
        skills = [scenario.type_index(s) for s in group.skill_names
                  if scenario.contact_types[scenario.type_index(s)].channel != "email"]
        if not skills:
            continue
        late = overflow if scenario.routing.policy == "priority" else 0.0
        mine = np.isin(rec.ctype, skills) & offered
        first = rec.ctype == skills[0]
        for t in rec.answer[mails & (rec.group == g)]:
            waiting = mine & (rec.entry < t) & (gone > t) & (first | (t - rec.entry > late))
            assert not waiting.any(), (g, t)
    # agents: never more things in hand than agents on shift, nor chats over max_chats
    staffing = scenario.staffing_matrix()
    spells = rec.chat
    for g, group in enumerate(scenario.agent_groups):
        single = rec.answered & (rec.group == g) & ~chat
        chats = rec.answered & (rec.group == g) & chat
        for s in range(h.slots):
            d, i = divmod(s, h.intervals)
            start = d * DAY_S + i * h.interval_s
            stop = start + h.interval_s
            began = single & (rec.answer >= start) & (rec.answer < stop)
            times = rec.answer[began]
            mine_spells = np.zeros(0, dtype=bool)
            if spells is not None:
                mine_spells = ((spells.group == g) & (spells.start >= start)
                               & (spells.start < stop))
                times = np.concatenate([times, spells.start[mine_spells]])
            for t in times:
                held = np.sum(began & (rec.answer <= t) & (rec.end > t))
                if spells is not None:
                    held += np.sum(mine_spells & (spells.start <= t) & (spells.end > t))
                assert held <= staffing[g][s], (g, s, t)
        if spells is not None:
            for t in rec.answer[chats]:
                open_chats = np.sum(chats & (rec.answer <= t) & (rec.end > t))
                open_spells = np.sum((spells.group == g) & (spells.start <= t)
                                     & (spells.end > t))
                assert open_chats <= group.max_chats * open_spells, (g, t)


@FAST
@given(weeks(), st.integers(0, 2**32 - 1))
def test_random_weeks_keep_every_rule(scenario: Scenario, seed: int) -> None:
    """Random small weeks with e-mail, calls, chats and journeys: every contact has exactly
    one outcome (e-mails: answered or backlog, never abandoned), times are ordered, arrivals
    fall in opening hours and their slot, e-mails are taken first come first served, only
    while open and only when nothing the agent may take instead waits, and no group holds
    more than its agents (or chats beyond max_chats). The tally agrees: e-mails offered =
    answered + backlog."""
    rec = simulate_horizon(scenario, seed, 0)
    check_week(rec, scenario)
    sums = tally(rec, scenario).by_type
    f = {name: i for i, name in enumerate(TYPE_FIELDS)}
    for k, t in enumerate(scenario.contact_types):
        if t.channel == "email":
            offered = sums[f["offered"], :, k].sum()
            assert offered == sums[f["answered"], :, k].sum() + sums[f["backlog"], :, k].sum()
            assert sums[f["abandoned"], :, k].sum() == 0


def test_distribution_parameters_may_be_given_per_day() -> None:
    """A handle time given as one list per day: the second day's calls take three times as
    long, and the Erlang start sees it."""
    from ccsim.optimise.requirements import agent_load

    scenario = Scenario.model_validate({
        "name": "per-day", "horizon": {"days": 2, "interval_minutes": 60, "intervals": 2},
        "contact_types": [{
            "name": "calls", "arrivals": {"per_interval": [400, 400]},
            "handle_time": {"distribution": "deterministic", "value": [[100, 100], [300, 300]]}}],
        "agent_groups": [{"name": "g", "skills": ["calls"], "staffing": 60}],
    })
    rec = simulate_horizon(scenario, 2, 0)
    handled = rec.end - rec.answer
    first = rec.answered & (rec.arrival < DAY_S)
    second = rec.answered & (rec.arrival >= DAY_S)
    assert first.sum() > 500 and second.sum() > 500
    assert np.all(handled[first] == 100) and np.all(handled[second] == 300)
    assert [agent_load(scenario, 0, slot).handle_s for slot in range(4)] == [100, 100, 300, 300]


def test_a_per_day_distribution_list_of_the_wrong_days_names_its_path(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: s\n"
        "horizon: {days: 3, interval_minutes: 60, intervals: 2}\n"
        "contact_types:\n"
        "  - name: calls\n"
        "    arrivals: {per_interval: [4, 4]}\n"
        "    handle_time: {distribution: exponential, mean: [[100, 100], [300, 300]]}\n"
        "agent_groups:\n"
        "  - {name: g, skills: [calls], staffing: 6}\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).splitlines() == [
        f"{path}: contact_types[0].handle_time.mean (line 6): has 2 lists (one per day) but "
        "horizon.days is 3; give one list per day, or one list of 2 values for every day"]
