"""Invariants of journeys on random small days (Hypothesis): every contact ends once, call-backs
keep their place and never abandon, a feature nobody accepts changes nothing, and more agents
never make more call-backs late on common random numbers."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ccsim.sim.model import simulate_day
from ccsim.sim.records import Records
from ccsim.sim.scenario import Scenario
from tests.test_invariants import FAST, INTERVALS, days, dist

BASE_FIELDS = ("arrival", "ctype", "interval", "ivr", "entry", "answer", "abandon", "end",
               "group", "redial")
seconds = st.sampled_from([0, 5, 20, 45, 90])
shares = st.floats(0, 1)


@st.composite
def journeys(draw: Any, accept: Any = shares) -> dict[str, Any]:
    """Journey keys for one contact type (transfers are added by ``journey_days``)."""
    keys: dict[str, Any] = {}
    if draw(st.booleans()):
        keys["callback"] = {"offer_after_s": draw(seconds), "accept": draw(accept),
                            "deadline_s": draw(st.sampled_from([30, 300, 1200])),
                            "answer": draw(st.floats(0, 1)), "ring_s": draw(seconds)}
    if draw(st.booleans()):
        keys["deflection"] = {"after_s": draw(seconds), "accept": draw(accept)}
    if draw(st.booleans()):
        keys["resolution"] = {"first_contact": draw(st.floats(0.3, 1)), "repeat_delay": draw(dist)}
    return keys


@st.composite
def journey_days(draw: Any) -> Scenario:
    """A random small day (``test_invariants.days``) with random journeys on every type."""
    data = draw(days()).model_dump(exclude_none=True)
    names = [t["name"] for t in data["contact_types"]]
    for t in data["contact_types"]:
        t.update(draw(journeys()))
        others = [n for n in names if n != t["name"]]
        if others and draw(st.booleans()):
            t["transfers"] = [{"to": draw(st.sampled_from(others)),
                               "probability": draw(st.floats(0, 0.5))}]
    first = data["contact_types"][0]
    if not any(k in first for k in ("callback", "deflection", "resolution", "transfers")):
        first["callback"] = {"offer_after_s": 20, "accept": 0.5, "deadline_s": 120}
    return Scenario.model_validate(data)


def outcomes(rec: Records) -> dict[str, np.ndarray]:
    """The six ways a contact ends."""
    j = rec.journey
    assert j is not None
    called_back = j.called_back
    return {
        "answered live": rec.answered & ~called_back,
        "answered by call-back": called_back & rec.answered & ~j.callback_failed,
        "failed call-back": called_back & j.callback_failed,
        "deflected": j.deflected,
        "self-served": rec.self_served,
        "abandoned": rec.abandoned,
    }


@FAST
@given(journey_days(), st.integers(0, 2**32 - 1))
def test_every_contact_ends_once_and_call_backs_keep_their_place(scenario: Scenario,
                                                                 seed: int) -> None:
    rec = simulate_day(scenario, seed, 0)
    j = rec.journey
    assert j is not None
    ends = outcomes(rec)
    assert np.all(sum(v.astype(int) for v in ends.values()) == 1), {
        k: int(v.sum()) for k, v in ends.items()}
    called_back = j.called_back
    # nobody abandons after accepting a call back, nor after taking the deflection
    assert not np.any(rec.abandoned & (called_back | j.deflected))
    # offers happen at their time after entry, to callers who were still waiting
    for k, t in enumerate(scenario.contact_types):
        mine = rec.ctype == k
        if t.callback is not None:
            offered = mine & j.callback_offered
            accepted = mine & called_back
            assert np.all(j.callback_accepted[accepted]
                          == rec.entry[accepted] + t.callback.offer_after_s)
            assert np.all(offered[accepted])
            wait = rec.wait[offered & ~called_back]
            assert np.all(np.nan_to_num(wait, nan=math.inf) >= t.callback.offer_after_s)
            failed = mine & j.callback_failed & rec.answered
            assert np.all(rec.end[failed] - rec.answer[failed] == t.callback.ring_s)
        else:
            assert not np.any(mine & (j.callback_offered | called_back))
        if t.deflection is not None:
            assert np.all(rec.end[mine & j.deflected]
                          == rec.entry[mine & j.deflected] + t.deflection.after_s)
        else:
            assert not np.any(mine & j.deflected)
        # first come, first served by original entry: an agent reaches the contacts of one
        # type (call-backs included) in the order they entered its queue
        taken = np.flatnonzero(mine & rec.answered)
        order = taken[np.argsort(rec.entry[taken], kind="stable")]
        assert np.all(np.diff(rec.answer[order]) >= 0)
    # each transfer out is one transfer in, of a type it may go to, joining the queue at once
    assert j.transferred_out.sum() == j.transferred_in.sum()
    assert np.all(rec.entry[j.transferred_in] == rec.arrival[j.transferred_in])
    assert np.all(rec.ivr[j.transferred_in] == 0)
    assert not np.any(j.transferred_out & ~(rec.answered & ~j.callback_failed))


def _same_records(a: Records, b: Records) -> None:
    for name in BASE_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


@FAST
@given(days(), st.data(), st.integers(0, 2**32 - 1))
def test_accept_zero_is_the_scenario_without_the_feature(scenario: Scenario, data: Any,
                                                         seed: int) -> None:
    """A call-back and a deflection nobody accepts leave every number as it was on the same
    seed, whether the rest of the day has journeys (a transfer) or runs the plain engine."""
    plain = scenario.model_dump(exclude_none=True)
    with_offers = scenario.model_dump(exclude_none=True)
    for t in with_offers["contact_types"]:
        offers = data.draw(journeys(accept=st.just(0.0)))
        offers.pop("resolution", None)  # repeats are a change; only the offers are not
        t.update(offers)
        t["callback"] = t.get("callback") or {"offer_after_s": 0, "accept": 0,
                                              "deadline_s": 60}
    before = simulate_day(Scenario.model_validate(plain), seed, 0)
    after = simulate_day(Scenario.model_validate(with_offers), seed, 0)
    _same_records(before, after)
    assert after.journey is not None
    assert not after.journey.called_back.any() and not after.journey.deflected.any()
    assert before.journey is None or before.journey.repeat.sum() == after.journey.repeat.sum()

    if len(plain["contact_types"]) > 1:  # the journey engine on both sides
        for d in (plain, with_offers):
            d["contact_types"][0]["transfers"] = [
                {"to": plain["contact_types"][1]["name"], "probability": 0.3}]
        _same_records(simulate_day(Scenario.model_validate(plain), seed, 0),
                      simulate_day(Scenario.model_validate(with_offers), seed, 0))


def _late_call_backs(staffing: list[int], rates: list[float], offer: float, deadline: float,
                     seed: int) -> tuple[int, int]:
    """(accepted, late) call-backs of one queue of infinitely patient callers."""
    scenario = Scenario.model_validate({
        "name": "cb", "horizon": {"interval_minutes": 30, "intervals": INTERVALS},
        "contact_types": [{"name": "a", "arrivals": {"per_interval": rates},
                           "handle_time": {"distribution": "lognormal", "mean": 240, "cv": 1},
                           "callback": {"offer_after_s": offer, "accept": 0.6,
                                        "deadline_s": deadline}}],
        "agent_groups": [{"name": "g", "skills": ["a"], "staffing": staffing}],
    })
    rec = simulate_day(scenario, seed, 0)
    j = rec.journey
    assert j is not None
    accepted = j.called_back
    on_time = rec.answer - j.callback_accepted <= deadline
    return int(accepted.sum()), int(np.sum(accepted & ~on_time))


@FAST
@given(st.lists(st.floats(0, 60), min_size=INTERVALS, max_size=INTERVALS),
       st.lists(st.integers(0, 8), min_size=INTERVALS, max_size=INTERVALS),
       st.integers(0, INTERVALS - 1), seconds, st.sampled_from([30, 120, 600]),
       st.integers(0, 2**32 - 1))
def test_more_agents_never_make_more_call_backs_late(rates, staffing, where, offer, deadline,
                                                     seed) -> None:
    """On common random numbers, one more agent in any interval never adds an accepted
    call-back nor a late one. Callers are infinitely patient and every call-back is
    answered, so each caller's handle time is fixed whatever the staffing, and an FCFS queue
    with more agents answers everyone no later: whoever accepts with more agents (still
    waiting at the offer) accepts with fewer, and is called back no later.

    The on-time *share* can fall on a single sample path (a caller on time with fewer agents
    may be answered before the offer with more, leaving only a late one), so the sample-path
    property is stated on the counts; the share's rise is a property in expectation."""
    more = list(staffing)
    more[where] += 1
    accepted, late = _late_call_backs(staffing, rates, offer, deadline, seed)
    accepted_more, late_more = _late_call_backs(more, rates, offer, deadline, seed)
    assert accepted_more <= accepted
    assert late_more <= late
