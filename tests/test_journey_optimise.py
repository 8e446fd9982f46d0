"""The optimiser with journeys (issue 11, item 4): ``max_wait_s`` / ``max_wait_share`` and
``callback.target`` are constraints like the service level, per cell; deflection offers are
self-service options; the Erlang start counts the contacts journeys add."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ccsim.optimise.evaluate import Evaluator, criteria
from ccsim.optimise.plan import optimise_staffing
from ccsim.optimise.requirements import journey_arrivals
from ccsim.optimise.self_service import apply_option
from ccsim.sim.scenario import Scenario, SelfServiceOption


def _transfer_day(max_wait_share: float = 0.02, **optimise: Any) -> Scenario:
    """A (Poisson 300/h, AHT 180 s) transfers 30% to B, which must answer 80% in 20 s and
    leave at most ``max_wait_share`` waiting over 30 s."""
    exponential = {"distribution": "exponential"}
    return Scenario.model_validate({
        "name": "transfers", "seed": 4, "replications": 8,
        "horizon": {"interval_minutes": 60, "intervals": 2},
        "service_level": {"threshold_s": 20, "target": 0.8},
        "contact_types": [
            {"name": "a", "arrivals": {"per_interval": [300, 300]},
             "handle_time": {**exponential, "mean": 180},
             "patience": {**exponential, "mean": 300},
             "transfers": [{"to": "b", "probability": 0.3}]},
            {"name": "b", "arrivals": {"daily": 0}, "handle_time": {**exponential, "mean": 240},
             "patience": {**exponential, "mean": 600},
             "service_level": {"threshold_s": 20, "target": 0.8, "max_wait_s": 30,
                               "max_wait_share": max_wait_share}}],
        "agent_groups": [{"name": "first", "skills": ["a"], "staffing": 0, "cost_per_hour": 20},
                         {"name": "second", "skills": ["b"], "staffing": 0,
                          "cost_per_hour": 30}],
        "optimise": {"level": "interval", "precision": 0.03, **optimise},
    })


def test_the_start_counts_transfers_and_repeats() -> None:
    scenario = _transfer_day()
    arrivals = journey_arrivals(scenario)
    assert np.allclose(arrivals[:, 0], 300) and np.allclose(arrivals[:, 1], 90)
    resolved = scenario.with_changes(contact_types=[
        scenario.contact_types[0].with_changes(
            resolution={"first_contact": 0.8,
                        "repeat_delay": {"distribution": "deterministic", "value": 60}}),
        scenario.contact_types[1]])
    assert np.allclose(journey_arrivals(resolved)[:, 0], 300 / 0.8)
    assert np.allclose(journey_arrivals(resolved)[:, 1], 0.3 * 300 / 0.8)


def test_max_wait_and_callback_targets_are_columns_of_the_evaluation() -> None:
    scenario = _transfer_day()
    names = [c.name for c in criteria(scenario)]
    assert names == ["a", "b", "b (waits ≤ 30 s)"]
    with_callback = scenario.with_changes(contact_types=[
        scenario.contact_types[0].with_changes(callback={
            "offer_after_s": 60, "accept": 0.5, "deadline_s": 900, "target": 0.9}),
        scenario.contact_types[1]])
    kinds = [c.kind for c in criteria(with_callback)]
    assert kinds == ["service_level", "service_level", "callback_on_time", "max_wait"]
    ev = Evaluator(scenario, 2, 1)(np.array([[30, 30], [12, 12]]))
    assert ev.score.shape == (2, 3) and ev.kinds[2] == "max_wait"


@pytest.mark.slow
def test_max_wait_is_honoured_by_the_optimiser_on_a_transfer_scenario() -> None:
    """A ``max_wait_share`` of 5% over 30 s binds harder than 80% in 20 s: the plan needs more
    second-line agents, keeps it in every cell on the days it was searched on, and its
    verification's ``over_max_wait`` is not significantly above the share."""
    loose = optimise_staffing(_transfer_day(max_wait_share=1.0), compare=False,
                              time_limit_s=300)
    tight = optimise_staffing(_transfer_day(max_wait_share=0.05), compare=False,
                              time_limit_s=300)
    assert tight.staffing[1].sum() > loose.staffing[1].sum()
    # the search's own days (common random numbers): the same evaluation the search ended on
    searched = Evaluator(tight.scenario, tight.search_replications, tight.seed)(tight.staffing)
    column = list(searched.kinds).index("max_wait")
    assert searched.met[:, column].all(), searched.score[:, column]
    over = tight.verification.summary.by_contact_type["b"]["over_max_wait"]
    assert over.lo <= 0.05, over


def test_a_deflection_offer_is_a_self_service_option() -> None:
    scenario = _transfer_day()
    option = SelfServiceOption.model_validate({
        "name": "sms", "cost_per_day": 40, "deflection": {"after_s": 15, "accept": 0.25}})
    changed = apply_option(scenario, "a", option)
    assert changed.contact_types[0].deflection is not None
    assert changed.contact_types[0].deflection.accept == 0.25
    assert changed.contact_types[0].self_service == scenario.contact_types[0].self_service
    assert changed.contact_types[1] == scenario.contact_types[1]
