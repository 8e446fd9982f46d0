"""Estimators over replications: ratio KPIs by the delta method, counts by Student's t.

A ratio KPI (service level, abandonment rate, ASA, occupancy, containment) is the ratio of the
sums over replications, the long-run fraction of contacts. With per-replication numerators
``X_r`` and denominators ``Y_r``, ``R = sum X / sum Y`` and, by the delta method,
``Var(R) ≈ Var(X - R·Y) / (n · mean(Y)²)``; the 95% interval uses Student's t with n-1 degrees
of freedom. A share (service level, abandonment rate, occupancy, containment) takes the same
point and standard error but builds its interval on the logit scale, so it lies within [0, 1]
(``share_estimate``); a ratio in units (ASA, seconds) keeps the linear one
(``ratio_estimate``). A count is the mean per replication with a Student-t interval, cut at 0.
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


def _delta_se(num: np.ndarray, den: np.ndarray, r: float) -> float:
    """Delta-method standard error of the ratio of sums ``r = sum num / sum den``:
    ``sqrt(Var(X - r·Y) / n) / mean(Y)``, the sample variance with n - 1 degrees of freedom."""
    n = num.size
    resid = num - r * den
    return math.sqrt(float(resid.var(ddof=1)) / n) / (float(den.sum()) / n)


def ratio_estimate(num: np.ndarray, den: np.ndarray) -> Estimate:
    """Ratio of sums over replications with a linear delta-method 95% CI.

    ``R = sum num / sum den`` (in the numerator's unit per denominator unit, e.g. seconds of
    wait per answered contact), ``R ± t(0.975, n-1)·se`` with ``se`` as in ``_delta_se``.
    For ratios that are not shares (ASA); a share takes ``share_estimate``. The lower bound of
    a ratio of non-negative sums is cut at 0, as a count's is. NaN when the denominators sum
    to 0, bounds NaN with fewer than 2 replications.
    """
    n = num.size
    total = float(den.sum())
    if total <= 0:
        return Estimate(math.nan, math.nan, math.nan)
    r = float(num.sum()) / total
    if n < 2:
        return Estimate(r, math.nan, math.nan)
    half = _t(n) * _delta_se(num, den, r)
    lower = r - half
    if lower < 0 and (num >= 0).all():  # a ratio of non-negative sums (a mean wait) is never
        lower = 0.0                      # negative: cutting at 0 keeps its true value inside
    return Estimate(r, lower, r + half)


SHARE_EDGE_TAIL = 0.025
"""Probability in each tail of the 95% interval of a share observed at exactly 0 or 1."""


def _expit(x: float) -> float:
    """``1 / (1 + exp(-x))`` without overflow for any float ``x``."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def share_estimate(num: np.ndarray, den: np.ndarray) -> Estimate:
    """A share (a part of its denominator, 0 <= R <= 1) over replications, with a 95% CI on
    the logit scale, so both bounds lie within [0, 1].

    ``num`` and ``den`` are per-replication sums (e.g. answered in time and offered contacts;
    busy and staffed agent-seconds); the result is a fraction (0.8 = 80%).

    * Point: the ratio of sums ``R = sum num / sum den``, exactly as ``ratio_estimate``.
    * Standard error: the delta method's, ``se = sqrt(Var(X - R·Y) / n) / mean(Y)``.
    * Interval for 0 < R < 1: the delta method once more, through ``logit(p) = ln(p / (1-p))``,
      whose derivative is ``1 / (p (1-p))``: ``se_logit = se / (R (1 - R))`` and
      ``[lo, hi] = expit(logit(R) ± t(0.975, n-1) · se_logit)``, ``expit(x) = 1 / (1 + e^-x)``.
      Skewed towards the middle near 0 and 1, it approaches the linear ``R ± t·se`` as ``se``
      shrinks (many replications): ``expit(logit(R) + d) ≈ R + R (1-R) d``.
    * R = 0 or R = 1 exactly (every replication had no event, or only events): the logit is
      infinite and the delta method's ``se`` is 0, a zero-width interval that would claim
      certainty; but no abandon in 2 days of 30 calls does not prove the rate is 0. The
      interval is instead the exact binomial (Clopper-Pearson) one for 0 events in the pooled
      ``N = sum den`` trials: ``[0, 1 - 0.025^(1/N)]`` (about ``3.7 / N``, the two-sided 95%
      form of the "rule of three" ``3 / N``), and ``[0.025^(1/N), 1]`` at R = 1. It is the
      largest rate for which seeing no event at all in N contacts still has probability 2.5%.
      It treats the N contacts as independent, the only model left when no event shows the
      spread between days; with day-to-day variation a run of zeros is a little likelier, so
      this bound is, if anything, slightly narrow. For occupancy N is agent-seconds, not
      contacts, so the bound (3.7 / N with N in agent-seconds) is practically the point, which
      is then what was measured: no agent busy, or no agent idle, for a second of any day.
    * Fewer than 2 replications: the point with NaN bounds (no spread to estimate). The
      denominators summing to 0 (nobody offered): NaN throughout.
    * R > 1 (the numerator is not part of the denominator: occupancy in an interval where
      staffing falls and agents above it finish the contact in hand): not a share; no interval
      within [0, 1] holds the point, so the point is kept and the bounds are NaN. R above 1
      by no more than 1e-9 is a rounding error of summed seconds and is taken as 1.
    """
    n = num.size
    total = float(den.sum())
    if total <= 0:
        return Estimate(math.nan, math.nan, math.nan)
    r = float(num.sum()) / total
    if r > 1 + 1e-9:
        return Estimate(r, math.nan, math.nan)
    r = min(r, 1.0)  # busy time summed in floats may pass staffed time by a rounding error
    if n < 2:
        return Estimate(r, math.nan, math.nan)
    log_edge = math.log(SHARE_EDGE_TAIL) / total  # ln 0.025^(1/N): no event in N trials
    if r == 0:
        return Estimate(r, 0.0, -math.expm1(log_edge))
    if r == 1:
        return Estimate(r, math.exp(log_edge), 1.0)
    se_logit = _delta_se(num, den, r) / (r * (1 - r))
    centre = math.log(r) - math.log1p(-r)
    half = _t(n) * se_logit
    return Estimate(r, _expit(centre - half), _expit(centre + half))


def mean_estimate(values: np.ndarray, *, nonnegative: bool = False) -> Estimate:
    """Mean per replication with a Student-t 95% CI: ``m ± t(0.975, n-1) · s / sqrt(n)``, in
    the values' unit (contacts per day, hours, currency); bounds NaN below 2 replications.

    ``nonnegative``: the quantity cannot be below 0 (a count), so the lower bound is cut at 0.
    The symmetric t interval of a small count reaches below 0 (0.3 ± 0.5 abandons); cutting it
    to the values the mean can take keeps its coverage exactly (whenever the true mean lies in
    ``[lo, hi]`` it lies in ``[max(lo, 0), hi]``), so the cut interval is as honest as the
    symmetric one. It is then no longer symmetric: ``(hi - lo) / 2`` is not its half-width.
    """
    n = values.size
    m = float(values.mean()) if n else math.nan
    if n < 2:
        return Estimate(m, math.nan, math.nan)
    half = _t(n) * float(values.std(ddof=1)) / math.sqrt(n)
    return Estimate(m, max(m - half, 0.0) if nonnegative else m - half, m + half)


def per_replication_ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Each replication's own ratio (NaN where its denominator is 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
