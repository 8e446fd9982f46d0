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

import numpy as np
from scipy.stats import t as student_t


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


def _t(n: int) -> float:
    return float(student_t.ppf(0.975, n - 1)) if n >= 2 else math.nan


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
