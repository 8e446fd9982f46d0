"""sim.stats: Student's t by hand against scipy.stats (which the CLI avoids importing), and
the interval of a share on the logit scale, within [0, 1]."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit, logit
from scipy.stats import beta
from scipy.stats import t as scipy_t

from ccsim.sim.stats import (
    mean_estimate,
    ratio_estimate,
    share_estimate,
    student_t_quantile,
    student_t_two_sided,
)


@pytest.mark.parametrize("df", [*range(1, 60), 99, 100, 101, 999, 10_000, 100_000, 250_000])
@pytest.mark.parametrize("p", [0.9, 0.975, 0.995])
def test_quantile_equals_scipy(df: int, p: float) -> None:
    assert math.isclose(student_t_quantile(p, df), scipy_t.ppf(p, df), rel_tol=1e-10)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 30, 31])
@pytest.mark.parametrize("x", [0.0, 0.3, 1.0, 2.5, 40.0])
def test_two_sided_cdf_equals_scipy(df: int, x: float) -> None:
    assert math.isclose(student_t_two_sided(x, df), 2 * scipy_t.cdf(x, df) - 1,
                        rel_tol=1e-12, abs_tol=1e-15)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="need 0.5 < p < 1 and df >= 1, got p=0.4, df=3"):
        student_t_quantile(0.4, 3)
    with pytest.raises(ValueError, match="df=0"):
        student_t_quantile(0.975, 0)


# --- shares: the ratio of sums with a delta-method interval on the logit scale ---------------

def test_share_interval_is_the_delta_method_on_the_logit_scale() -> None:
    num, den = np.array([8.0, 9.0, 5.0, 7.0]), np.array([10.0, 10.0, 8.0, 9.0])
    e = share_estimate(num, den)
    r = 29 / 37
    se = math.sqrt(np.var(num - r * den, ddof=1) / 4) / (37 / 4)
    se_logit = se / (r * (1 - r))
    t = scipy_t.ppf(0.975, 3)
    assert e.mean == pytest.approx(r, rel=1e-15)
    assert e.lo == pytest.approx(expit(logit(r) - t * se_logit), rel=1e-12)
    assert e.hi == pytest.approx(expit(logit(r) + t * se_logit), rel=1e-12)
    # by hand: R = 0.783784, se = 0.0539948, se_logit = 0.318616, t(0.975, 3) = 3.182446
    assert (e.lo, e.hi) == pytest.approx((0.568044, 0.909029), abs=1e-6)


@pytest.mark.parametrize("num,den", [
    ([0.0, 1.0], [300.0, 300.0]),              # near 0, 2 replications (t = 12.7)
    ([1.0, 0.0, 2.0, 0.0, 1.0], [400.0, 380.0, 410.0, 395.0, 402.0]),
    ([299.0, 300.0], [300.0, 300.0]),          # near 1
    ([98.0, 100.0, 99.0], [100.0, 100.0, 100.0]),
    ([0.0, 0.0], [30.0, 30.0]),                # exactly 0
    ([30.0, 30.0, 28.0], [30.0, 30.0, 28.0]),  # exactly 1
    ([1e-9, 0.0], [3600.0, 3600.0]),           # a hair above 0 (occupancy, in seconds)
    ([3599.999, 3600.0], [3600.0, 3600.0]),    # a hair below 1
])
def test_share_bounds_stay_within_0_and_1(num: list[float], den: list[float]) -> None:
    e = share_estimate(np.array(num), np.array(den))
    assert 0.0 <= e.lo <= e.mean <= e.hi <= 1.0
    linear = ratio_estimate(np.array(num), np.array(den))
    assert e.mean == linear.mean


def test_share_of_exactly_0_or_1_gets_the_exact_binomial_bound_of_the_pooled_contacts() -> None:
    # no abandon in 2 days of 30 calls does not prove the rate is 0: Clopper-Pearson for 0 of 60
    zero = share_estimate(np.array([0.0, 0.0]), np.array([30.0, 30.0]))
    assert (zero.mean, zero.lo) == (0.0, 0.0)
    assert zero.hi == pytest.approx(beta.ppf(0.975, 1, 60), rel=1e-12)
    assert zero.hi == pytest.approx(1 - 0.025 ** (1 / 60), rel=1e-12)
    assert 3 / 60 < zero.hi < 3.7 / 60                       # a little above the rule of three
    one = share_estimate(np.array([30.0, 30.0]), np.array([30.0, 30.0]))
    assert (one.mean, one.hi) == (1.0, 1.0)
    assert one.lo == pytest.approx(1 - zero.hi, rel=1e-12)


def test_share_without_an_interval() -> None:
    single = share_estimate(np.array([3.0]), np.array([10.0]))
    assert single.mean == 0.3 and math.isnan(single.lo) and math.isnan(single.hi)
    nobody = share_estimate(np.array([0.0, 0.0]), np.array([0.0, 0.0]))
    assert all(math.isnan(v) for v in (nobody.mean, nobody.lo, nobody.hi))
    # busy time of agents above a falling staffing: more than the staffed time, not a share
    over = share_estimate(np.array([5000.0, 4000.0]), np.array([3600.0, 3600.0]))
    assert over.mean == pytest.approx(1.25) and math.isnan(over.lo) and math.isnan(over.hi)
    rounding = share_estimate(np.array([3600.0 + 1e-9, 3600.0]), np.array([3600.0, 3600.0]))
    assert rounding.mean == 1.0 and rounding.hi == 1.0


def test_share_point_is_the_ratio_of_sums_as_before() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 30))
        den = rng.poisson(rng.uniform(1, 300), n).astype(float)
        num = rng.binomial(den.astype(int), rng.uniform(0, 1)).astype(float)
        share, linear = share_estimate(num, den), ratio_estimate(num, den)
        assert share.mean == linear.mean or (math.isnan(share.mean) and math.isnan(linear.mean))


def test_share_interval_approaches_the_linear_one_with_many_replications() -> None:
    rng = np.random.default_rng(4)
    den = rng.poisson(200, 2000).astype(float)
    num = rng.binomial(den.astype(int), 0.8).astype(float)
    share, linear = share_estimate(num, den), ratio_estimate(num, den)
    assert share.hi - share.lo == pytest.approx(linear.hi - linear.lo, rel=1e-3)
    assert share.lo == pytest.approx(linear.lo, rel=1e-4)
    assert share.hi == pytest.approx(linear.hi, rel=1e-4)
    few = share_estimate(num[:4], den[:4])                  # few days: skewed towards 1/2
    assert few.mean - few.lo > few.hi - few.mean


def test_share_ci_covers_a_low_rate_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(6)
    covered = 0
    for _ in range(400):
        den = rng.poisson(300, 10).astype(float)
        num = rng.binomial(den.astype(int), 0.01).astype(float)
        e = share_estimate(num, den)
        covered += e.lo <= 0.01 <= e.hi
    assert 0.92 <= covered / 400 <= 0.98


def test_count_interval_is_cut_at_0_only_when_asked() -> None:
    values = np.array([0.0, 0.0, 1.0])                     # 0.33 ± 1.43 abandons a day
    plain = mean_estimate(values)
    count = mean_estimate(values, nonnegative=True)
    assert plain.lo < 0
    assert (count.mean, count.lo, count.hi) == (plain.mean, 0.0, plain.hi)
    far = np.array([10.0, 12.0, 11.0])
    assert mean_estimate(far, nonnegative=True) == mean_estimate(far)


def test_a_mean_wait_s_interval_never_goes_below_zero() -> None:
    waits = np.array([0.0, 0.0, 30.0])  # seconds of waiting on three days
    answered = np.array([10.0, 10.0, 10.0])
    estimate = ratio_estimate(waits, answered)
    assert estimate.mean == 1.0 and estimate.lo == 0.0 and estimate.hi > 1.0
    signed = ratio_estimate(np.array([-5.0, 0.0, 30.0]), answered)  # not a wait: left as is
    assert signed.lo < 0
