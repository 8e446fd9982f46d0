"""The engine's one-at-a-time draw of a caller (a redial, a transfer, a repeat) gives exactly
the numbers of the bulk draw of one caller, whatever the type's features."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ccsim.sim.callers import compile_types
from ccsim.sim.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"



@pytest.mark.parametrize("name", ["default.yaml", "helpline.yaml", "multiskill.yaml",
                                  "week.yaml"])
@pytest.mark.parametrize("through_ivr", [True, False])
def test_draw_one_is_the_bulk_draw_of_one_caller(name: str, through_ivr: bool) -> None:
    scenario = load_scenario(SCENARIOS / name)
    n = scenario.horizon.intervals
    for model in compile_types(scenario, day=scenario.horizon.days - 1):
        for seed in range(40):
            interval = seed % n
            bulk_rng, one_rng = np.random.default_rng(seed), np.random.default_rng(seed)
            rngs = dict.fromkeys(("ivr", "patience", "handle", "redial"), bulk_rng)
            bulk = model.draw(np.array([123.0]), np.array([interval]), rngs,
                              through_ivr=through_ivr)
            one = model.draw_one(interval, one_rng, through_ivr=through_ivr)
            assert one.ctype == int(bulk.ctype[0]) and one.interval == interval
            assert one.ivr == int(bulk.ivr[0])
            for field in ("ivr_time", "patience", "handle", "redial_after"):
                want, got = float(getattr(bulk, field)[0]), getattr(one, field)
                assert got == want or (math.isnan(got) and math.isnan(want)), field
            # both consumed the stream alike: the next number is the same
            assert one_rng.random() == bulk_rng.random()
