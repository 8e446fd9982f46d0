"""The e-mail channel (DESIGN.md, "Channels"): blended into the agents' idle time, never
abandoned, waiting over the night in calendar time, left as backlog at the end of the horizon;
routed by the scenario's policy; worked only by agents with no chat open. And the loader's
one-line errors for the channel and the week's keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ccsim.sim.horizon import simulate_horizon
from ccsim.sim.loader import ScenarioError, load_scenario, parse_scenario
from ccsim.sim.records import contact_log
from ccsim.sim.runner import simulate
from ccsim.sim.scenario import DAY_S, Scenario
from ccsim.sim.tally import TYPE_FIELDS, tally
from tests.conftest import stationary

ROOT = Path(__file__).resolve().parent.parent
F = {name: i for i, name in enumerate(TYPE_FIELDS)}


def mail(per_interval: Any, mean: float = 300, threshold_s: float = 14_400,
         name: str = "mail") -> dict[str, Any]:
    return {"name": name, "channel": "email", "arrivals": {"per_interval": per_interval},
            "handle_time": {"distribution": "exponential", "mean": mean},
            "service_level": {"threshold_s": threshold_s}}


def with_mail(scenario: Scenario, per_hour: float) -> Scenario:
    """``scenario`` (one queue, hourly intervals) with e-mails answered by the same agents."""
    data = scenario.model_dump(exclude_none=True)
    hours = scenario.horizon.intervals
    data["contact_types"].append(mail([per_hour] * hours))
    data["agent_groups"][0]["skills"].append("mail")
    return Scenario.model_validate(data)


# --- blending ----------------------------------------------------------------------------

def test_e_mails_in_idle_time_leave_the_calls_as_they_were_and_are_all_answered() -> None:
    """30 agents with 15 Erlangs of calls (half idle) also answer 40 e-mails an hour of 300 s
    (3.3 Erlangs): an agent takes an e-mail only when idle and no call waits, so the calls'
    service level stays within a point of the voice-only run on the same callers, and
    occupancy rises by the e-mails' load. Every e-mail is answered or left as backlog, none
    abandoned."""
    voice = stationary(30, 300, 180, 120, hours=10)
    blended = with_mail(voice, 40)
    alone = simulate(voice).summary
    both = simulate(blended).summary
    calls, mails = both.by_contact_type["calls"], both.by_contact_type["mail"]
    for key, tolerance in (("service_level", 0.01), ("abandon_rate", 0.005), ("asa_s", 1.0)):
        assert abs(calls[key].mean - alone.kpis[key].mean) <= tolerance, key
    rise = both.by_group["agents"]["occupancy"].mean - alone.kpis["occupancy"].mean
    assert rise == pytest.approx(40 * 300 / 3600 / 30, abs=0.01)
    assert mails["abandoned"].mean == 0
    assert mails["offered"].mean == pytest.approx(mails["answered"].mean + mails["backlog"].mean)
    assert mails["offered"].mean > 300
    assert mails["service_level"].mean == 1.0  # 4 h threshold, answered within minutes


def test_a_busy_centre_leaves_e_mails_as_backlog_counted_by_age() -> None:
    """Nobody answers e-mails in a two-hour day: each is backlog at the end, which is the close
    of the day simulated after the horizon (the horizon repeats: e-mails wait into it). One
    older than its threshold (25 h) then is a sure miss, in the service level's denominator;
    a younger one might still be answered in time and is left out."""
    threshold = 90_000.0
    scenario = Scenario.model_validate({
        "name": "backlog", "horizon": {"interval_minutes": 30, "intervals": 4},
        "contact_types": [mail([10, 10, 10, 10], threshold_s=threshold)],
        "agent_groups": [{"name": "g", "skills": ["mail"], "staffing": 0}],
    })
    rec = simulate_horizon(scenario, 1, 0)
    assert rec.size > 20
    assert rec.backlog.all() and not rec.abandoned.any() and not rec.answered.any()
    sums = tally(rec, scenario).by_type[:, :, 0].sum(axis=1)
    assert sums[F["backlog"]] == sums[F["offered"]] == rec.size
    end = DAY_S + 7200  # the close of the day after
    older = np.sum(end - rec.entry > threshold)
    assert sums[F["sl_denominator"]] == older and 0 < older < rec.size
    assert sums[F["in_time"]] == 0
    assert contact_log(rec).size == 0  # still waiting: not yet in any export


# --- over the night ----------------------------------------------------------------------

def night_mail(threshold_s: float) -> Scenario:
    """E-mails arrive on day 0 of two, when nobody answers them; two agents start day 1."""
    return Scenario.model_validate({
        "name": "night", "horizon": {"days": 2, "interval_minutes": 30, "intervals": 4},
        "contact_types": [mail([[8, 8, 8, 8], [0, 0, 0, 0]], mean=120,
                               threshold_s=threshold_s)],
        "agent_groups": [{"name": "g", "skills": ["mail"],
                          "staffing": [[0, 0, 0, 0], [2, 2, 2, 2]]}],
    })


@pytest.mark.parametrize("threshold_s", [DAY_S, 3_600.0])
def test_e_mails_wait_over_the_night_in_calendar_time(threshold_s: float) -> None:
    """Day 0's e-mails are answered from day 1's opening, oldest first, two at once at the
    opening; their wait runs through the closed night, and they count in day 0's slots."""
    scenario = night_mail(threshold_s)
    rec = simulate_horizon(scenario, 2, 0)
    assert rec.size > 10 and np.all(rec.arrival < 7200)
    assert rec.answered.all() and not rec.abandoned.any()
    assert np.sum(rec.answer == DAY_S) == 2  # both agents at the opening
    assert np.all(rec.answer >= DAY_S)
    np.testing.assert_array_equal(rec.wait, rec.answer - rec.entry)
    assert np.all(rec.wait > DAY_S - 7200)
    order = np.argsort(rec.entry, kind="stable")
    assert np.all(np.diff(rec.answer[order]) >= 0)
    sums = tally(rec, scenario).by_type[:, :, 0]
    assert sums[F["offered"], :4].sum() == sums[F["answered"], :4].sum() == rec.size
    assert sums[F["offered"], 4:].sum() == 0
    assert sums[F["in_time"]].sum() == np.sum(rec.wait <= threshold_s)
    assert (sums[F["in_time"]].sum() == rec.size) == (threshold_s == DAY_S)


def test_the_last_day_leaves_what_is_still_waiting_as_backlog() -> None:
    """The same e-mails in a one-day horizon are never answered: backlog, not carried."""
    data = night_mail(DAY_S).model_dump(exclude_none=True)
    data["horizon"]["days"] = 1
    data["contact_types"][0]["arrivals"]["per_interval"] = [8, 8, 8, 8]
    data["agent_groups"][0]["staffing"] = 0
    rec = simulate_horizon(Scenario.model_validate(data), 2, 0)
    assert rec.size > 10 and rec.backlog.all()


def test_deflected_callers_and_unmade_call_backs_are_not_backlog() -> None:
    """Backlog is e-mails still waiting; a deflected caller or a call-back still owed at the
    close also left the queue unanswered, but finished (in self-service, or as a failed
    call-back), and stays in the contact export."""
    scenario = load_scenario(ROOT / "scenarios" / "helpline.yaml")
    rec = simulate_horizon(scenario, 5, 0)
    assert rec.journey is not None and rec.journey.deflected.any()
    assert not rec.backlog.any()
    assert contact_log(rec).size == rec.size
    assert tally(rec, scenario).by_type[F["backlog"]].sum() == 0


# --- routing -----------------------------------------------------------------------------

def two_groups(policy: dict[str, Any]) -> Scenario:
    """Rare e-mails, two groups with the skill, the first always with an idle agent."""
    return Scenario.model_validate({
        "name": "order", "horizon": {"interval_minutes": 60, "intervals": 8},
        "contact_types": [mail([6] * 8, mean=60)],
        "agent_groups": [{"name": "first", "skills": ["mail"], "staffing": 4},
                         {"name": "second", "skills": ["mail"], "staffing": 4}],
        "routing": policy,
    })


def test_priority_routing_gives_e_mails_to_the_first_listed_group() -> None:
    """Under ``priority`` an e-mail goes to the first listed group with an idle agent, as a
    call does (a group answering only e-mails once crashed the priority router);
    ``longest_idle`` shares them between the groups."""
    first = simulate_horizon(two_groups({"policy": "priority"}), 3, 0)
    assert first.size > 20 and np.all(first.group == 0)
    shared = simulate_horizon(two_groups({"policy": "longest_idle"}), 3, 0)
    assert set(shared.group.tolist()) == {0, 1}


@pytest.mark.parametrize("policy", ["priority", "longest_idle"])
def test_a_freed_agent_takes_e_mail_skills_by_the_routing_policy(policy: str) -> None:
    """One agent, two e-mail types it lists as [urgent, later], both queueing: under
    ``priority`` it never takes a ``later`` e-mail while an ``urgent`` one waits; under
    ``longest_idle`` it takes the oldest e-mail of either, so it sometimes does."""
    scenario = Scenario.model_validate({
        "name": "skills", "horizon": {"interval_minutes": 60, "intervals": 4},
        "contact_types": [mail([10] * 4, mean=240, name="later"),
                          mail([6] * 4, mean=240, name="urgent")],
        "agent_groups": [{"name": "g", "skills": ["urgent", "later"], "staffing": 1}],
        "routing": {"policy": policy},
    })
    rec = simulate_horizon(scenario, 4, 0)
    urgent = rec.ctype == 1
    passed_over = [np.any(urgent & (rec.entry < t) & ~(rec.answer <= t))
                   for t in rec.answer[~urgent & rec.answered]]
    assert len(passed_over) > 5
    assert any(passed_over) == (policy == "longest_idle")


def test_an_e_mail_needs_an_agent_with_no_chat_open() -> None:
    """One agent holding up to two chats, chats and e-mails arriving: no e-mail starts while a
    spell of chats is open, and none starts while a chat waits."""
    scenario = Scenario.model_validate({
        "name": "chat-mail", "horizon": {"interval_minutes": 60, "intervals": 4},
        "contact_types": [
            {"name": "web", "channel": "chat", "arrivals": {"per_interval": [10] * 4},
             "handle_time": {"distribution": "exponential", "mean": 300}},
            mail([6] * 4, mean=200)],
        "agent_groups": [{"name": "g", "skills": ["web", "mail"], "staffing": 1,
                          "max_chats": 2}],
    })
    rec = simulate_horizon(scenario, 6, 0)
    spells = rec.chat
    assert spells is not None and spells.start.size > 5
    starts = rec.answer[(rec.ctype == 1) & rec.answered]
    assert starts.size > 5
    for t in starts:
        assert not np.any((spells.start <= t) & (spells.end > t)), t
        chats = rec.ctype == 0
        assert not np.any(chats & (rec.entry < t) & ~(rec.answer <= t)), t


# --- the loader --------------------------------------------------------------------------

BASE = """\
name: w
horizon: {days: 2, interval_minutes: 30, intervals: 2}
contact_types:
  - name: calls
    arrivals: {daily: [20, 10]}
    handle_time: {distribution: exponential, mean: 300}
    patience: {distribution: exponential, mean: 100}
  - name: web
    channel: chat
    arrivals: {per_interval: [10, 10]}
    handle_time: {distribution: exponential, mean: 300}
  - name: mail
    channel: email
    arrivals: {per_interval: [[5, 5], [3, 3]]}
    handle_time: {distribution: exponential, mean: 300}
agent_groups:
  - name: digital
    skills: [web, mail]
    max_chats: 2
    staffing: [[1, 2], [2, 2]]
  - name: phones
    skills: [calls, mail]
    staffing: 3
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.yaml")
    return str(caught.value).splitlines()


def test_the_week_keys_parse_and_a_chat_needs_no_patience() -> None:
    scenario = parse_scenario(BASE, "s.yaml")
    assert scenario.horizon.days == 2 and scenario.has_email
    assert scenario.contact_types[1].patience is None
    assert scenario.staffing_matrix() == [[1, 2, 2, 2], [3, 3, 3, 3]]
    assert scenario.contact_types[0].arrivals.expected(2, 1) == [5.0, 5.0]


@pytest.mark.parametrize("old,new,line", [
    ("    handle_time: {distribution: exponential, mean: 300}\nagent_groups",
     "    handle_time: {distribution: exponential, mean: 300}\n"
     "    patience: {distribution: exponential, mean: 100}\nagent_groups",
     "s.yaml: contact_types[2].patience (line 16): an e-mail never hangs up, so it has no "
     "patience; remove the key (channel: email)"),
    ("staffing: [[1, 2], [2, 2]]", "staffing: [[1, 2], [2, 2], [3, 3]]",
     "s.yaml: agent_groups[0].staffing (line 20): has 3 lists (one per day) but horizon.days "
     "is 2; give one list per day, or one list of 2 values for every day"),
    ("staffing: [[1, 2], [2, 2]]", "staffing: [[1, 2], [2, 2, 2]]",
     "s.yaml: agent_groups[0].staffing[1] (line 20): has 3 values but horizon.intervals is 2"),
    ("daily: [20, 10]", "daily: [20, 10, 5]",
     "s.yaml: contact_types[0].arrivals.daily (line 5): has 3 values but horizon.days is 2; "
     "give one per day, or one number for every day"),
])
def test_bad_week_and_e_mail_keys_give_one_line(old: str, new: str, line: str) -> None:
    assert old in BASE
    assert problems(BASE.replace(old, new)) == [line]
