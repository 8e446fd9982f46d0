"""The engine on hand-made callers: each test is a tiny day and one assertion on its log."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ccsim.sim import ivr
from ccsim.sim.callers import Callers, compile_types
from ccsim.sim.model import DayModel
from ccsim.sim.records import Records
from ccsim.sim.scenario import Scenario

INF = math.inf


def scenario(groups: list[dict[str, Any]], routing: dict[str, Any] | None = None,
             types: tuple[str, ...] = ("a",), intervals: int = 2) -> Scenario:
    return Scenario.model_validate({
        "name": "hand", "horizon": {"interval_minutes": 1, "intervals": intervals},
        "contact_types": [{"name": t, "arrivals": {"per_interval": [0] * intervals},
                           "handle_time": {"distribution": "deterministic", "value": 1},
                           "redial": {"probability": 0.0,
                                      "delay": {"distribution": "deterministic", "value": 1}}}
                          for t in types],
        "agent_groups": groups,
        "routing": routing or {"policy": "longest_idle"},
    })


def callers(rows: list[tuple[float, int, float, float]], redial_after: float = math.nan) -> Callers:
    """(arrival s, type, patience s, handle s) per caller, no IVR."""
    arr = np.array(rows, dtype=float)
    n = len(rows)
    return Callers(arrival=arr[:, 0], ctype=arr[:, 1].astype(np.int16),
                   interval=(arr[:, 0] // 60).astype(np.int32),
                   ivr=np.full(n, ivr.NO_IVR, dtype=np.int8), ivr_time=np.zeros(n),
                   patience=arr[:, 2], handle=arr[:, 3], redial_after=np.full(n, redial_after))


def day(spec: Scenario, rows: list[tuple[float, int, float, float]], **kw: Any) -> Records:
    return DayModel(spec, callers(rows, **kw), compile_types(spec), seed=0, replication=0).run()


def log(rec: Records) -> list[tuple]:
    """(arrival, answered at, group, abandoned at) per contact, NaN as None."""
    def v(x: float) -> float | None:
        return None if math.isnan(x) else float(x)
    return [(v(a), v(s), int(g), v(b))
            for a, s, g, b in zip(rec.arrival, rec.answer, rec.group, rec.abandon, strict=True)]


def test_fcfs_single_agent_with_abandonment() -> None:
    spec = scenario([{"name": "g", "skills": ["a"], "staffing": 1}])
    rec = day(spec, [(0, 0, INF, 10), (1, 0, 5, 10), (2, 0, 20, 10)])
    assert log(rec) == [(0, 0, 0, None), (1, None, -1, 6), (2, 10, 0, None)]


def test_agent_finishes_the_call_in_hand_then_leaves() -> None:
    spec = scenario([{"name": "g", "skills": ["a"], "staffing": [1, 0]}])
    rec = day(spec, [(50, 0, INF, 30), (70, 0, 100, 5)])
    # the first call ends at 80, after the interval; the agent leaves; the second abandons
    assert log(rec) == [(50, 50, 0, None), (70, None, -1, 170)]
    assert rec.end[0] == 80


def test_new_agents_take_waiting_callers_at_the_interval_start() -> None:
    spec = scenario([{"name": "g", "skills": ["a"], "staffing": [0, 1]}])
    rec = day(spec, [(10, 0, INF, 5), (20, 0, INF, 5)])
    assert log(rec) == [(10, 60, 0, None), (20, 65, 0, None)]


def test_infinitely_patient_caller_with_no_agent_is_lost_at_the_close() -> None:
    spec = scenario([{"name": "g", "skills": ["a"], "staffing": 0}])
    rec = day(spec, [(10, 0, INF, 5)])
    assert log(rec) == [(10, None, -1, 120)]


def test_longest_idle_agent_over_groups_takes_the_caller() -> None:
    spec = scenario([{"name": "g1", "skills": ["a"], "staffing": 1},
                     {"name": "g2", "skills": ["a"], "staffing": 1}])
    # g1 is busy 0-5, so at 10 it has been idle 5 s, g2 since 0: g2 takes the caller at 10
    rec = day(spec, [(0, 0, INF, 5), (10, 0, INF, 5)])
    assert [int(g) for g in rec.group] == [0, 1]


def test_freed_agent_takes_the_longest_waiting_caller_among_its_skills() -> None:
    spec = scenario([{"name": "g", "skills": ["a", "b"], "staffing": 1}], types=("a", "b"))
    rec = day(spec, [(0, 0, INF, 10), (2, 1, INF, 1), (3, 0, INF, 1)])
    assert log(rec) == [(0, 0, 0, None), (2, 10, 0, None), (3, 11, 0, None)]


def test_priority_overflow_waits_before_a_later_skill() -> None:
    groups = [{"name": "first", "skills": ["a"], "staffing": 1},
              {"name": "helpers", "skills": ["b", "a"], "staffing": 1}]
    spec = scenario(groups, {"policy": "priority", "overflow_after_s": 30}, types=("a", "b"))
    # 'first' is busy until 100; the second a-caller goes to the idle helper only at 5 + 30
    rec = day(spec, [(0, 0, INF, 100), (5, 0, INF, 10)])
    assert log(rec) == [(0, 0, 0, None), (5, 35, 1, None)]


def test_priority_freed_agent_prefers_its_first_skill() -> None:
    spec = scenario([{"name": "g", "skills": ["b", "a"], "staffing": 1}],
                    {"policy": "priority", "overflow_after_s": 0}, types=("a", "b"))
    rec = day(spec, [(0, 0, INF, 10), (1, 0, INF, 1), (2, 1, INF, 1)])
    assert log(rec) == [(0, 0, 0, None), (1, 11, 0, None), (2, 10, 0, None)]


def test_abandoned_caller_redials_as_a_new_contact() -> None:
    spec = scenario([{"name": "g", "skills": ["a"], "staffing": [1, 1]}])
    rec = day(spec, [(0, 0, INF, 50), (1, 0, 4, 1)], redial_after=10)
    # the second caller gives up at 5 and calls again at 15; the first call ends at 50
    assert log(rec) == [(0, 0, 0, None), (1, None, -1, 5), (15, 50, 0, None)]
    assert rec.redial.tolist() == [False, False, True]
