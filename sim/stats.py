"""Estimators over replications: ratio KPIs by the delta method, counts by Student's t.

A ratio KPI (service level, abandonment rate, ASA, occupancy, containment) is the ratio of the
sums over replications, the long-run fraction of contacts. With per-replication numerators
``X_r`` and denominators ``Y_r``, ``R = sum X / sum Y`` and, by the delta method,
``Var(R) ≈ Var(X - R·Y) / (n · mean(Y)²)``; the 95% interval uses Student's t with n-1 degrees
of freedom. A count is the mean per replication with a Student-t interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% confidence interval (NaN where undefined)."""

    mean: float
    lo: float
    hi: float

    def to_json(self) -> dict[str, object]:
        """``{"mean": m, "ci95": [lo, hi]}``, with null for undefined values."""
        def clean(v: float) -> float | None:
            return None if not math.isfinite(v) else float(v)

        return {"mean": clean(self.mean), "ci95": [clean(self.lo), clean(self.hi)]}


def student_t_two_sided(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with a whole number ``df`` of degrees of freedom.

    The exact finite series of Abramowitz & Stegun 26.7.3-4 in ``theta = atan(t / sqrt(df))``.
    Written here rather than taken from scipy because every command that prints a confidence
    interval would otherwise import scipy.special or scipy.stats (0.2-0.8 s), longer than a
    whole small run; tests check it against scipy.stats.
    """
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2:  # odd: (2/pi) (theta + sin cos (1 + 2/3 c2 + 2·4/(3·5) c2^2 + ...))
        term, total = 1.0, 1.0 if df > 1 else 0.0
        for k in range(1, (df - 1) // 2):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)
    term, total = 1.0, 1.0  # even: sin (1 + 1/2 c2 + 1·3/(2·4) c2^2 + ...)
    for k in range(1, df // 2):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return math.sin(theta) * total


@lru_cache(maxsize=256)
def student_t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile (p > 0.5) of Student's t with ``df`` degrees of freedom.

    Newton's method on the exact CDF from the normal quantile, which lies below every t
    quantile; the CDF is concave there, so the iterates rise monotonically to the root.
    """
    if not 0.5 < p < 1 or df < 1:
        raise ValueError(f"need 0.5 < p < 1 and df >= 1, got p={p!r}, df={df!r}")
    if df > 1000:  # the series gets long; Cornish-Fisher is within 3e-9 here, 3e-12 at 10^4
        z = NormalDist().inv_cdf(p)
        return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    t = NormalDist().inv_cdf(p)
    for _ in range(200):
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        step = (student_t_two_sided(t, df) - (2 * p - 1)) / (2 * density)
        t -= step
        if abs(step) <= 1e-14 * t:
            break
    return t


def _t(n: int) -> float:
    """The 97.5% quantile of Student's t with n - 1 degrees of freedom (NaN below 2)."""
    return student_t_quantile(0.975, n - 1) if n >= 2 else math.nan


def ratio_estimate(num: np.ndarray, den: np.ndarray) -> Estimate:
    """Ratio of sums over replications with a delta-method 95% CI."""
    n = num.size
    total = float(den.sum())
    if total <= 0:
        return Estimate(math.nan, math.nan, math.nan)
    r = float(num.sum()) / total
    if n < 2:
        return Estimate(r, math.nan, math.nan)
    resid = num - r * den
    se = math.sqrt(float(resid.var(ddof=1)) / n) / (total / n)
    half = _t(n) * se
    return Estimate(r, r - half, r + half)


def mean_estimate(values: np.ndarray) -> Estimate:
    """Mean per replication with a Student-t 95% CI."""
    n = values.size
    m = float(values.mean()) if n else math.nan
    if n < 2:
        return Estimate(m, math.nan, math.nan)
    half = _t(n) * float(values.std(ddof=1)) / math.sqrt(n)
    return Estimate(m, m - half, m + half)


def per_replication_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Each replication's own ratio (NaN where its denominator is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
