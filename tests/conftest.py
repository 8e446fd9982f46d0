"""Shared helpers: scenarios built in code for the statistical and invariant tests."""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import settings

from ccsim.sim.scenario import Scenario

# CI explores the same examples every run, so a red build is reproducible; locally Hypothesis
# keeps searching new ones.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def stationary(
    agents: int,
    calls_per_hour: float,
    aht_s: float,
    patience_s: float | None,
    hours: int = 20,
    warmup_minutes: float = 60,
    threshold_s: float = 20,
    replications: int = 10,
    seed: int = 1,
    **type_extra: Any,
) -> Scenario:
    """One M/M/n(+M) queue, stationary over ``hours`` one-hour intervals."""
    contact: dict[str, Any] = {
        "name": "calls",
        "arrivals": {"per_interval": [calls_per_hour] * hours},
        "handle_time": {"distribution": "exponential", "mean": aht_s},
        **type_extra,
    }
    if patience_s is not None:
        contact["patience"] = {"distribution": "exponential", "mean": patience_s}
    return Scenario.model_validate({
        "name": "stationary",
        "horizon": {"interval_minutes": 60, "intervals": hours, "warmup_minutes": warmup_minutes},
        "seed": seed,
        "replications": replications,
        "service_level": {"threshold_s": threshold_s, "target": 0.8},
        "contact_types": [contact],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "staffing": agents}],
    })


@pytest.fixture
def small_day() -> Scenario:
    """A small two-type, two-group day used by fast functional tests."""
    return Scenario.model_validate({
        "name": "small",
        "horizon": {"interval_minutes": 30, "intervals": 4},
        "seed": 3,
        "replications": 4,
        "contact_types": [
            {"name": "a", "arrivals": {"per_interval": [40, 60, 50, 30]},
             "handle_time": {"distribution": "lognormal", "mean": 200, "cv": 0.7},
             "patience": {"distribution": "exponential", "mean": 120},
             "self_service": {"time_in_ivr": {"distribution": "deterministic", "value": 30},
                              "completion": 0.3, "opt_out": 0.2,
                              "failed_patience_factor": 0.5}},
            {"name": "b", "arrivals": {"per_interval": [10, 20, 20, 10]},
             "handle_time": {"distribution": "exponential", "mean": [300, 250, 250, 300]},
             "redial": {"probability": 0.5,
                        "delay": {"distribution": "exponential", "mean": 60}},
             "patience": {"distribution": "gamma", "mean": 90, "cv": 0.5}},
        ],
        "agent_groups": [
            {"name": "g1", "skills": ["a", "b"], "staffing": [3, 5, 4, 2], "cost_per_hour": 20},
            {"name": "g2", "skills": ["b"], "staffing": 1, "cost_per_hour": 25},
        ],
    })
