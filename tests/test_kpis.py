"""KPI definitions on hand-made records, and the estimators over replications."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ccsim.sim import ivr
from ccsim.sim.kpis import Tallies, summarise
from ccsim.sim.records import Records
from ccsim.sim.scenario import Scenario
from ccsim.sim.stats import mean_estimate, ratio_estimate
from ccsim.sim.tally import tally

NAN = math.nan


def spec() -> Scenario:
    return Scenario.model_validate({
        "name": "k", "horizon": {"interval_minutes": 1, "intervals": 2, "warmup_minutes": 0.5},
        "service_level": {"threshold_s": 20, "short_abandon_s": 5},
        "contact_types": [{"name": "a", "arrivals": {"per_interval": [1, 1]},
                           "handle_time": {"distribution": "exponential", "mean": 1}}],
        "agent_groups": [{"name": "g", "skills": ["a"], "staffing": [2, 1], "cost_per_hour": 36}],
        "costs": {"self_service_per_contact": 0.5, "abandonment_penalty": 3},
    })


def records() -> Records:
    # arrival, ivr, entry, answer, abandon, end
    rows = [
        (10, ivr.NO_IVR, 10, 12, NAN, 50),      # in warm-up: not counted (busy time counts)
        (31, ivr.NO_IVR, 31, 41, NAN, 70),      # answered in 10 s: in time
        (32, ivr.SELF_SERVED, NAN, NAN, NAN, 40),
        (40, ivr.FAILED, 45, 80, NAN, 100),     # answered in 35 s: late (interval 0)
        (61, ivr.OPTED_OUT, 62, NAN, 64, 64),   # abandoned after 2 s: short abandon
        (70, ivr.NO_IVR, 70, NAN, 100, 100),    # abandoned after 30 s: a miss
    ]
    a = np.array(rows, dtype=float)
    n = len(rows)
    return Records(arrival=a[:, 0], ctype=np.zeros(n, np.int16),
                   interval=(a[:, 0] // 60).astype(np.int32), ivr=a[:, 1].astype(np.int8),
                   entry=a[:, 2], answer=a[:, 3], abandon=a[:, 4], end=a[:, 5],
                   group=np.array([0, 0, -1, 0, -1, -1], np.int16), redial=np.zeros(n, bool))


def test_definitions_on_hand_made_records() -> None:
    scenario = spec()
    summary = summarise(Tallies.stack([tally(records(), scenario)]), scenario)
    k = summary.kpis
    assert k["offered"].mean == 4 and k["answered"].mean == 2 and k["abandoned"].mean == 2
    assert k["self_served"].mean == 1
    assert k["service_level"].mean == pytest.approx(1 / 3)   # 1 in time / (4 offered - 1 short)
    assert k["abandon_rate"].mean == pytest.approx(2 / 4)
    assert k["asa_s"].mean == pytest.approx((10 + 35) / 2)
    assert k["containment"].mean == pytest.approx(1 / 3)     # 1 self-served of 3 in the IVR
    # occupancy: busy within [30, 120] s = (50-30) + (70-41) + (100-80) = 69 agent-seconds,
    # staffed: 2 agents × 30 s + 1 agent × 60 s = 120 agent-seconds
    assert k["occupancy"].mean == pytest.approx(69 / 120)
    first = next(r for r in summary.intervals if r.interval == 0 and r.contact_type == "a")
    assert first.kpis["occupancy"].mean == pytest.approx(((50 - 30) + (60 - 41)) / 60)
    assert first.kpis["service_level"].mean == pytest.approx(1 / 2)
    assert summary.cost["agents"].mean == pytest.approx(36 * 120 / 3600)
    assert summary.cost["self_service"].mean == pytest.approx(0.5)
    assert summary.cost["abandonment"].mean == pytest.approx(6)
    assert summary.cost["total"].mean == pytest.approx(36 * 120 / 3600 + 0.5 + 6)


def test_ratio_estimate_is_the_ratio_of_sums_with_delta_method_ci() -> None:
    num, den = np.array([8.0, 9.0, 5.0, 7.0]), np.array([10.0, 10.0, 8.0, 9.0])
    e = ratio_estimate(num, den)
    r = num.sum() / den.sum()
    assert e.mean == pytest.approx(r)
    assert e.mean != pytest.approx(np.mean(num / den))       # not the mean of daily ratios
    se = math.sqrt(np.var(num - r * den, ddof=1) / 4) / den.mean()
    assert (e.hi - e.lo) / 2 == pytest.approx(3.182446305 * se, rel=1e-6)  # t(0.975, 3)


def test_ratio_ci_covers_the_truth_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(1)
    covered = 0
    for _ in range(400):
        den = rng.poisson(200, 20).astype(float)
        num = rng.binomial(den.astype(int), 0.8).astype(float)
        e = ratio_estimate(num, den)
        covered += e.lo <= 0.8 <= e.hi
    assert 0.92 <= covered / 400 <= 0.98


def test_mean_estimate_student_t() -> None:
    e = mean_estimate(np.array([1.0, 2.0, 3.0]))
    assert e.mean == 2 and (e.hi - e.lo) / 2 == pytest.approx(4.302652730 / math.sqrt(3))
    assert math.isnan(mean_estimate(np.array([5.0])).lo)


def test_each_replications_own_values_match_the_summary_for_one_day() -> None:
    from ccsim.sim.kpis import KPI_KEYS, per_replication, skilled_groups
    from ccsim.sim.loader import load_scenario
    from ccsim.sim.runner import simulate

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" /
                             "multiskill.yaml")
    result = simulate(scenario, replications=1)
    for k, t in enumerate(scenario.contact_types):
        for key in KPI_KEYS:
            own = per_replication(result.tallies, key, types=[k],
                                  groups=skilled_groups(scenario, [k]))[0]
            expected = result.summary.by_contact_type[t.name][key].mean
            assert own == pytest.approx(expected, nan_ok=True), (t.name, key)
