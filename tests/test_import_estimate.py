"""The estimators of ``ccsim import`` against exact answers: the vectorised Erlang A abandonment
equals ``optimise.erlang``'s, the Erlang A match returns the patience that produced the
abandons, and the censored estimate is the textbook one."""

from __future__ import annotations

import numpy as np
import pytest

from ccsim.estimate import (
    abandon_probability,
    censored_exponential,
    completion,
    patience_by_erlang_a,
)
from ccsim.optimise.erlang import erlang_a

QUEUES = [  # agents, calls per hour, AHT s, patience s: light, heavy, overloaded, one agent
    (20, 200, 300, 180), (15, 200, 300, 120), (10, 200, 300, 60), (1, 20, 200, 600),
]


@pytest.mark.parametrize("theta_scale", [0.5, 1.0, 3.0])
def test_vectorised_erlang_a_is_exact(theta_scale: float) -> None:
    n = np.array([q[0] for q in QUEUES], dtype=float)
    lam = np.array([q[1] / 3600 for q in QUEUES])
    mu = np.array([1 / q[2] for q in QUEUES])
    for k, (agents, _, _, patience) in enumerate(QUEUES):
        theta = theta_scale / patience
        got = abandon_probability(n, lam, mu, theta)[k]
        exact = erlang_a(agents, lam[k], mu[k], theta).abandon_rate
        assert got == pytest.approx(exact, rel=1e-9, abs=1e-12)


def test_the_erlang_a_match_returns_the_patience_that_made_the_abandons() -> None:
    """Intervals whose abandons are exactly what Erlang A expects at 150 s of patience."""
    agents = np.array([8.0, 12, 15, 15, 10, 6])
    offered = np.array([90.0, 150, 200, 210, 120, 60])
    aht = np.array([280.0, 300, 310, 300, 290, 270])
    lam, mu = offered / 1800, 1 / aht
    abandoned = offered * np.array([erlang_a(int(n), lam_, mu_, 1 / 150).abandon_rate
                                    for n, lam_, mu_ in zip(agents, lam, mu, strict=True)])
    found = patience_by_erlang_a(offered, abandoned, agents, aht, 1800.0)
    assert found.mean_s == pytest.approx(150.0, rel=1e-5)
    none = patience_by_erlang_a(offered, 0 * abandoned, agents, aht, 1800.0)
    assert none.mean_s is None and none.note == "no abandons recorded"


def test_the_censored_estimate_counts_answered_waits_as_exposure() -> None:
    wait = np.array([10.0, 30.0, 50.0, 110.0])
    abandoned = np.array([True, False, True, False])
    p = censored_exponential(wait, abandoned)
    assert p.mean_s == pytest.approx(200 / 2)  # every wait / the abandons
    assert p.naive_mean_s == pytest.approx(30.0)  # the abandons' own mean wait
    assert p.lo_s is not None and p.hi_s is not None and p.lo_s < 100 < p.hi_s


def test_censored_patience_is_unbiased_on_exponential_data() -> None:
    rng = np.random.default_rng(3)
    patience = rng.exponential(150.0, 40_000)
    service_wait = rng.exponential(60.0, 40_000)  # answered if the wait ends first
    wait = np.minimum(patience, service_wait)
    p = censored_exponential(wait, patience < service_wait)
    assert p.lo_s is not None and p.hi_s is not None
    assert p.lo_s < 150.0 < p.hi_s
    assert p.naive_mean_s is not None and p.naive_mean_s < 50  # the trap: 1/(1/150 + 1/60)


def test_completion_has_a_wilson_interval() -> None:
    c = completion(1000.0, 300.0)
    assert c.share == 0.3 and c.lo == pytest.approx(0.2724, abs=1e-4)
    assert c.hi == pytest.approx(0.3291, abs=1e-4)
