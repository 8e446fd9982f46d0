"""The chat channel: n agents × k chats against Erlang with n·k servers, the slowdown, the
engine's bookkeeping against the plain engine, chat_load, the schema's errors, the Erlang start,
and a scenario without chat giving exactly its former numbers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ccsim.optimise.erlang import min_agents, queue_kpis
from ccsim.optimise.requirements import erlang_start
from ccsim.sim.loader import ScenarioError, load_scenario, parse_scenario
from ccsim.sim.model import simulate_day
from ccsim.sim.runner import simulate
from ccsim.sim.scenario import Scenario
from tests.conftest import stationary
from tests.test_engine_vs_theory import assert_close

ROOT = Path(__file__).resolve().parent.parent


def with_changes(scenario: Scenario, types: dict[str, Any] | None = None,
                 groups: dict[str, Any] | None = None) -> Scenario:
    """``scenario`` with ``types`` set on every contact type and ``groups`` on every group."""
    data = scenario.model_dump(exclude_none=True)
    for t in data["contact_types"]:
        t.update(types or {})
    for g in data["agent_groups"]:
        g.update(groups or {})
    return Scenario.model_validate(data)


def chat_queue(agents: int, chats: int, per_hour: float, aht: float, patience: float | None,
               slowdown: list[float] | None = None) -> Scenario:
    group: dict[str, Any] = {"max_chats": chats}
    if slowdown is not None:
        group["chat_slowdown"] = slowdown
    return with_changes(stationary(agents, per_hour, aht, patience), {"channel": "chat"}, group)


@pytest.mark.parametrize("agents,chats,per_hour,aht,patience", [
    (11, 3, 600, 180, None),   # Erlang C: 30 Erlangs on 11 agents × 3 chats = 33 servers
    (6, 2, 220, 180, 120),     # Erlang A: 11 Erlangs on 6 × 2 = 12 servers, with abandonment
])
def test_k_chats_per_agent_are_n_times_k_servers(agents, chats, per_hour, aht, patience) -> None:
    """Without slowdown and with exponential times, n agents holding k chats each are an
    M/M/(n·k)(+M) queue: service level and ASA as Erlang C (A) with n·k servers."""
    result = simulate(chat_queue(agents, chats, per_hour, aht, patience))
    kpis = result.summary.kpis
    exact = queue_kpis(agents * chats, per_hour / 3600, 1 / aht, patience, 20)
    assert_close(kpis["service_level"], exact.service_level, "service level")
    assert_close(kpis["asa_s"], exact.asa_s, "ASA")
    assert_close(kpis["abandon_rate"], exact.abandon_rate, "abandonment")
    # chats held per agent on average = occupancy × chat_load = the carried load per agent
    group = result.summary.by_group["agents"]
    carried = exact.occupancy * agents * chats / agents
    held = group["occupancy"].mean * group["chat_load"].mean
    assert held == pytest.approx(carried, rel=0.02)
    assert 1 <= group["chat_load"].mean <= chats


def test_the_first_chat_factor_scales_the_handle_time() -> None:
    """``chat_slowdown: [2]`` with one chat per agent doubles every handle time: Erlang C with
    the doubled mean."""
    kpis = simulate(chat_queue(22, 1, 300, 120, None, slowdown=[2.0])).summary.kpis
    exact = queue_kpis(22, 300 / 3600, 1 / 240, None, 20)
    assert_close(kpis["service_level"], exact.service_level, "service level")
    assert_close(kpis["asa_s"], exact.asa_s, "ASA")


def test_a_slowdown_lengthens_chats_started_beside_others() -> None:
    """Deterministic 100 s chats: each lasts 100 s times the factor of the number held once it
    starts, so only 100 s and 150 s occur, and both do in a busy day."""
    scenario = with_changes(chat_queue(4, 2, 200, 100, None, slowdown=[1.0, 1.5]),
                            {"handle_time": {"distribution": "deterministic", "value": 100}})
    records = simulate_day(scenario, seed=3, replication=0)
    held = np.round(records.end - records.answer, 3)[records.answered]
    assert set(held.tolist()) == {100.0, 150.0}


def test_chat_with_one_per_agent_is_the_plain_engine_number_for_number() -> None:
    """The chat engine's agent bookkeeping with ``max_chats: 1`` reproduces the plain engines
    exactly, with priority routing (multiskill) and with journeys (helpline)."""
    for name in ("multiskill", "helpline"):
        voice = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        chat = with_changes(voice, {"channel": "chat"})
        a = simulate(voice, replications=2, seed=9).tallies
        b = simulate(chat, replications=2, seed=9).tallies
        assert np.array_equal(a.by_type, b.by_type), name
        groups = list(range(len(voice.agent_groups)))
        assert np.allclose(a.group_sum("busy_s", slice(None), groups),
                           b.group_sum("busy_s", slice(None), groups), rtol=1e-12), name


def test_staffing_changes_and_blending_keep_one_outcome_per_contact() -> None:
    """Calls and chats on one blended group whose staffing swings: every contact is answered
    or abandons once, no group ever holds more chats than its agents can, and the busy time of
    a group never exceeds its chats' time."""
    text = """\
name: blend
horizon: {interval_minutes: 30, intervals: 6}
routing: {policy: priority, overflow_after_s: 30}
contact_types:
  - {name: calls, arrivals: {per_interval: [60, 80, 40, 90, 30, 70]},
     handle_time: {distribution: exponential, mean: 200},
     patience: {distribution: exponential, mean: 120}}
  - {name: web, channel: chat, arrivals: {per_interval: [90, 40, 120, 60, 100, 30]},
     handle_time: {distribution: exponential, mean: 400},
     patience: {distribution: exponential, mean: 300}}
agent_groups:
  - {name: digital, skills: [web, calls], max_chats: 3, chat_slowdown: [1, 1.2, 1.4],
     staffing: [9, 3, 12, 2, 8, 5]}
  - {name: phones, skills: [calls, web], staffing: [4, 6, 2, 7, 1, 3]}
"""
    scenario = parse_scenario(text, "blend.yaml")
    for replication in range(3):
        records = simulate_day(scenario, seed=11, replication=replication)
        outcomes = records.answered.astype(int) + records.abandoned.astype(int)
        assert (outcomes[records.offered] == 1).all()
        assert records.chat is not None
        for g, group in enumerate(scenario.agent_groups):
            chats = records.answered & (records.group == g) & (records.ctype == 1)
            starts, ends = records.answer[chats], records.end[chats]
            spells = records.chat.group == g
            times = np.concatenate([starts, ends])
            steps = np.concatenate([np.ones(starts.size), -np.ones(ends.size)])
            order = np.lexsort((steps, times))  # ends before starts at the same moment
            open_chats = np.cumsum(steps[order])
            spell_times = np.concatenate([records.chat.start[spells], records.chat.end[spells]])
            spell_steps = np.concatenate([np.ones(spells.sum()), -np.ones(spells.sum())])
            open_spells = np.cumsum(spell_steps[np.lexsort((spell_steps, spell_times))])
            assert open_chats.max(initial=0) <= group.max_chats * open_spells.max(initial=0)
            held = (ends - starts).sum()
            spell_time = (records.chat.end[spells] - records.chat.start[spells]).sum()
            assert spell_time <= held + 1e-6
            assert held <= group.max_chats * spell_time + 1e-6


def test_the_erlang_start_counts_a_chat_agent_as_max_chats_servers() -> None:
    scenario = chat_queue(1, 3, 600, 180, None)
    servers = min_agents(600 / 3600, 1 / 180, None, 20, 0.8)
    start = erlang_start(scenario, "erlang_c")
    assert start.shape == (1, 20)
    assert (start == math.ceil(servers / 3)).all()
    voice = erlang_start(stationary(1, 600, 180, None), "erlang_c")
    assert (voice == servers).all()


def test_a_scenario_without_chat_gives_todays_numbers() -> None:
    """Counts and busy milliseconds of two seeded days of bundled scenarios (priority routing;
    journeys), as ccsim gave them before chat (commit 2afbfec)."""
    before = {
        "default": {"offered": [2390, 2345], "answered": [2221, 2222], "abandoned": [169, 123],
                    "in_time": [1981, 1997], "busy_ms": [705091519, 696888262]},
        "helpline": {"offered": [3369, 3272], "answered": [3159, 3044],
                     "abandoned": [202, 203], "in_time": [2714, 2569],
                     "busy_ms": [1419974140, 1340995329]},
    }
    for name, counts in before.items():
        scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        assert not scenario.has_chat
        tallies = simulate(scenario, replications=2, seed=5).tallies
        types = list(range(len(scenario.contact_types)))
        groups = list(range(len(scenario.agent_groups)))
        now: dict[str, list[int]] = {
            k: tallies.type_sum(k, slice(None), types).astype(int).tolist()
            for k in counts if k != "busy_ms"}
        now["busy_ms"] = [round(x * 1000) for x in
                          tallies.group_sum("busy_s", slice(None), groups)]
        assert now == counts, name


BASE = """\
name: c
horizon: {interval_minutes: 30, intervals: 2}
contact_types:
  - name: calls
    arrivals: {per_interval: [10, 10]}
    handle_time: {distribution: exponential, mean: 300}
  - name: web
    channel: chat
    arrivals: {per_interval: [10, 10]}
    handle_time: {distribution: exponential, mean: 300}
agent_groups:
  - name: digital
    skills: [web]
    max_chats: 3
    chat_slowdown: [1.0, 1.15, 1.35]
    staffing: 3
  - name: phones
    skills: [calls]
    staffing: 3
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.yaml")
    return str(caught.value).splitlines()


def test_the_chat_keys_parse() -> None:
    scenario = parse_scenario(BASE, "s.yaml")
    assert [t.channel for t in scenario.contact_types] == ["voice", "chat"]
    digital, phones = scenario.agent_groups
    assert (digital.max_chats, digital.slowdown(2)) == (3, 1.15)
    assert (phones.max_chats, phones.slowdown(1)) == (1, 1.0)


@pytest.mark.parametrize("old,new,line", [
    ("chat_slowdown: [1.0, 1.15, 1.35]", "chat_slowdown: [1.0, 1.15]",
     "s.yaml: agent_groups[0].chat_slowdown (line 15): has 2 factors but max_chats is 3: give "
     "one per chat held at once"),
    ("chat_slowdown: [1.0, 1.15, 1.35]", "chat_slowdown: [1.0, 0.9, 1.35]",
     "s.yaml: agent_groups[0].chat_slowdown[1] (line 15): input should be greater than or "
     "equal to 1 (got 0.9)"),
    ("max_chats: 3", "max_chats: 0",
     "s.yaml: agent_groups[0].max_chats (line 14): input should be greater than or equal to 1 "
     "(got 0)"),
    ("channel: chat", "channel: fax",
     "s.yaml: contact_types[1].channel (line 8): input should be 'voice', 'chat' or 'email'"),
])
def test_bad_chat_keys_give_one_line(old, new, line) -> None:
    assert problems(BASE.replace(old, new)) == [line]


def test_several_chats_need_a_chat_skill() -> None:
    text = BASE.replace("    skills: [calls]\n", "    skills: [calls]\n    max_chats: 2\n")
    assert problems(text) == [
        "s.yaml: agent_groups[1].max_chats (line 19): is 2 but none of the group's skills is a "
        "chat type (channel: chat); chat types: ['web']"]


def test_specialists_of_a_blended_chat_group_hold_chats_only_for_chat() -> None:
    """The optimiser's specialists comparison copies the cheapest group: a voice specialist
    taken from a chat group holds no chats (else the copy would be refused)."""
    from ccsim.optimise.plan import specialists

    text = BASE.replace("    skills: [web]\n", "    skills: [web, calls]\n").replace(
        "    staffing: 3\n  - name: phones", "    staffing: 3\n    cost_per_hour: 1\n"
                                             "  - name: phones")
    groups = specialists(parse_scenario(text, "s.yaml")).agent_groups
    assert [(g.name, g.max_chats, g.chat_slowdown) for g in groups] == [
        ("calls_specialists", 1, None), ("web_specialists", 3, [1.0, 1.15, 1.35])]
