"""The analytic oracle itself, against textbook values and a brute-force Markov chain."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.linalg import expm

from ccsim.optimise.erlang import (
    erlang_a,
    erlang_b,
    erlang_c,
    halfin_whitt_beta,
    min_agents,
    queue_kpis,
    sqrt_staffing,
)


def brute_force_erlang_a(n: int, lam: float, mu: float, theta: float, t: float) -> dict:
    """M/M/n+M by a truncated birth-death chain and the tagged caller's absorbing chain.

    Independent of the closed forms: stationary law by solving pi·Q = 0; answered-within-t by
    the matrix exponential of the chain (k ahead → k-1 ahead → ... → answered, or abandoned).
    """
    cap = n + 200
    rates_down = [min(j, n) * mu + max(j - n, 0) * theta for j in range(cap + 1)]
    q = np.zeros((cap + 1, cap + 1))
    for j in range(cap + 1):
        if j < cap:
            q[j, j + 1] = lam
        if j > 0:
            q[j, j - 1] = rates_down[j]
        q[j, j] = -q[j].sum()
    a = np.vstack([q.T, np.ones(cap + 1)])
    pi = np.linalg.lstsq(a, np.concatenate([np.zeros(cap + 1), [1.0]]), rcond=None)[0]
    kmax = cap - n
    # states 0..kmax: number ahead; kmax+1: answered; kmax+2: abandoned
    m = np.zeros((kmax + 3, kmax + 3))
    for k in range(kmax + 1):
        forward = n * mu + k * theta
        m[k, k - 1 if k > 0 else kmax + 1] = forward
        m[k, kmax + 2] = theta
        m[k, k] = -(forward + theta)
    p_t = expm(m * t)
    answered_by_t = p_t[: kmax + 1, kmax + 1]
    answered_ever = np.array([n * mu / (n * mu + (k + 1) * theta) for k in range(kmax + 1)])
    queued = pi[n:]
    return {
        "sl": pi[:n].sum() + float(queued @ answered_by_t),
        "abandon": float(queued @ (1 - answered_ever)),
        "p_wait": float(queued.sum()),
    }


def test_erlang_b_textbook_value() -> None:
    assert math.isclose(erlang_b(10, 5.0), 0.018384570, rel_tol=1e-7)
    assert erlang_b(0, 3.0) == 1.0


def test_erlang_c_textbook_values() -> None:
    # 10 agents, 8 Erlangs: P(wait) = 0.40918, ASA = P(wait)/(n·mu - lam)
    kpi = erlang_c(10, 8 / 180, 1 / 180, threshold_s=20)
    assert math.isclose(kpi.p_wait, 0.409179, rel_tol=1e-5)
    assert math.isclose(kpi.asa_s, 0.409179 * 180 / 2, rel_tol=1e-5)
    assert math.isclose(kpi.service_level, 1 - kpi.p_wait * math.exp(-2 / 180 * 20), rel_tol=1e-9)
    assert math.isclose(kpi.occupancy, 0.8)


def test_erlang_c_unstable_queue_waits_forever() -> None:
    kpi = erlang_c(5, 6 / 180, 1 / 180)
    assert kpi.p_wait == 1.0 and kpi.service_level == 0.0 and math.isinf(kpi.asa_s)


@pytest.mark.parametrize("n,lam,mu,theta,t", [
    (5, 4 / 180, 1 / 180, 1 / 120, 20),     # moderate load
    (3, 6 / 180, 1 / 180, 1 / 60, 30),      # overloaded, heavy abandonment
    (8, 8 / 300, 1 / 300, 1 / 600, 10),     # critical load, patient callers
])
def test_erlang_a_matches_brute_force_chain(n, lam, mu, theta, t) -> None:
    exact = erlang_a(n, lam, mu, theta, t)
    brute = brute_force_erlang_a(n, lam, mu, theta, t)
    assert math.isclose(exact.service_level, brute["sl"], abs_tol=1e-9)
    assert math.isclose(exact.abandon_rate, brute["abandon"], abs_tol=1e-9)
    assert math.isclose(exact.p_wait, brute["p_wait"], abs_tol=1e-9)


def test_erlang_a_tends_to_erlang_c_without_abandonment() -> None:
    c = erlang_c(40, 36 / 180, 1 / 180, 20)
    # the gap closes linearly in theta (patience of 3 years here: theta = 1e-8 per second)
    a = erlang_a(40, 36 / 180, 1 / 180, 1e-8, 20)
    assert math.isclose(a.service_level, c.service_level, abs_tol=1e-5)
    assert math.isclose(a.asa_s, c.asa_s, rel_tol=1e-4)


def test_erlang_a_little_law_for_abandonment() -> None:
    # abandonment rate = theta · E[queue length] / lam, i.e. P(ab) = theta · E[wait of all]
    kpi = erlang_a(12, 14 / 200, 1 / 200, 1 / 90, 20)
    assert math.isclose(kpi.abandon_rate, kpi.mean_wait_s / 90, rel_tol=1e-9)


def test_erlang_a_stable_for_thousands_of_agents() -> None:
    kpi = erlang_a(5000, 4900 / 180, 1 / 180, 1 / 120, 20)
    assert 0.99 < kpi.service_level < 1 and 0 < kpi.abandon_rate < 0.01
    overloaded = erlang_a(3000, 6000 / 180, 1 / 180, 1 / 120, 20)
    assert math.isclose(overloaded.abandon_rate, 0.5, abs_tol=0.01)
    assert all(math.isfinite(v) for v in (overloaded.service_level, overloaded.asa_s))


def test_no_agents_answer_nobody() -> None:
    kpi = erlang_a(0, 1 / 60, 1 / 180, 1 / 120, 20)
    assert kpi.service_level == 0 and math.isclose(kpi.abandon_rate, 1.0)


def test_min_agents_is_the_least_meeting_the_target() -> None:
    for patience in (None, 120.0):
        n = min_agents(2.0, 1 / 180, patience, 20, 0.8)
        assert queue_kpis(n, 2.0, 1 / 180, patience, 20).service_level >= 0.8
        assert queue_kpis(n - 1, 2.0, 1 / 180, patience, 20).service_level < 0.8
    assert min_agents(0.0, 1 / 180, None, 20, 0.8) == 0


def test_square_root_staffing_matches_erlang_c_for_large_centres() -> None:
    beta = halfin_whitt_beta(0.2)
    load = 1000.0
    n = math.ceil(sqrt_staffing(load, beta))
    assert abs(erlang_c(n, load / 180, 1 / 180).p_wait - 0.2) < 0.02
