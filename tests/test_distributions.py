"""Distributions: parameters checked, sample means and variances as stated."""

from __future__ import annotations

import numpy as np
import pytest

from ccsim.sim.distributions import (
    Deterministic,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
    sample_by_interval,
)


@pytest.mark.parametrize("dist", [
    Exponential(180), Lognormal(240, 0.9), Gamma(300, 0.5), Deterministic(30), Uniform(10, 50),
    Empirical([10, 20, 60]),
])
def test_sample_moments_match(dist) -> None:
    x = dist.sample(np.random.default_rng(0), 400_000)
    assert x.mean() == pytest.approx(dist.mean, rel=0.01)
    assert x.var() == pytest.approx(dist.variance, rel=0.05, abs=1e-9)
    assert np.all(x >= 0)


@pytest.mark.parametrize("make,message", [
    (lambda: Exponential(0), '"mean" must be > 0, got 0.'),
    (lambda: Lognormal(10, -1), '"cv" must be > 0, got -1.'),
    (lambda: Uniform(5, 1), '"high" must be >= "low", got low=5, high=1.'),
    (lambda: Deterministic(-1), '"value" must be >= 0, got -1.'),
])
def test_bad_parameters_raise(make, message) -> None:
    with pytest.raises(ValueError) as err:
        make()
    assert str(err.value) == message


def test_sample_by_interval_uses_each_intervals_parameters() -> None:
    interval = np.repeat([0, 1], 100_000)
    x = sample_by_interval([Exponential(100), Exponential(300)], np.random.default_rng(1),
                           interval)
    assert x[:100_000].mean() == pytest.approx(100, rel=0.02)
    assert x[100_000:].mean() == pytest.approx(300, rel=0.02)
