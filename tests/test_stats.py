"""Student's t by hand (sim.stats) against scipy.stats, which the CLI avoids importing."""

from __future__ import annotations

import math

import pytest
from scipy.stats import t as scipy_t

from ccsim.sim.stats import student_t_quantile, student_t_two_sided


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
