"""Estimators of ``ccsim import``: handle time, patience and IVR completion of one queue from
its recent history (``RECENT_DAYS``), each with the method that produced it.

Patience is the classic trap: an abandoned caller shows their patience, but an answered one
only shows that their patience was longer than their wait (a censored observation). So the mean
wait of abandons under-estimates it badly. For exponential patience of rate ``theta`` the
censored maximum-likelihood estimate is exact and simple: ``theta = abandons / sum of every
queued contact's wait`` (answered waits included), the mean patience its inverse. From an
interval export, which has no waits, the patience is the one at which Erlang A (M/M/n+M,
stationary per interval) at the recorded staffing gives as many abandons as were recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import chdtri, gammaln, logsumexp

from ccsim.history import ContactSample, History

RECENT_DAYS = 28
"""History used for handle time, patience, IVR completion and the intraday profile, days."""
MIN_ANSWERED = 30
"""Answered contacts an interval needs for a handle time of its own (else the queue's)."""
PATIENCE_RANGE_S = (1.0, 36_000.0)
"""Mean patience searched by the Erlang A match, seconds; beyond it patience is infinite."""


@dataclass(frozen=True)
class Patience:
    """A queue's mean patience (exponential), seconds; None = nobody abandons (infinite).

    ``lo_s``/``hi_s`` bound its 95% confidence interval where the method gives one;
    ``naive_mean_s`` is the mean wait of abandons, shown beside it as the number that would
    mislead (contacts only).
    """

    mean_s: float | None
    method: str
    abandons: float
    lo_s: float | None = None
    hi_s: float | None = None
    naive_mean_s: float | None = None
    note: str = ""


@dataclass(frozen=True)
class HandleTime:
    """Mean handle time per interval (seconds; the queue's mean where an interval has fewer
    than ``MIN_ANSWERED`` answered), the queue's mean, and the cv (None when the export cannot
    show it). ``lognormal_mle`` is the lognormal maximum-likelihood fit (mean, cv), a check of
    the lognormal shape; the draft keeps the sample's mean and cv, which any shape preserves.
    """

    per_interval_s: list[float]
    mean_s: float
    cv: float | None
    answered: float
    lognormal_mle: tuple[float, float] | None = None


@dataclass(frozen=True)
class Completion:
    """The share of IVR callers served there, with its 95% (Wilson) interval."""

    share: float
    lo: float
    hi: float
    entered: float


@dataclass(frozen=True)
class QueueEstimate:
    """Everything estimated for one queue from its recent history."""

    name: str
    handle: HandleTime
    patience: Patience
    completion: Completion | None
    offered: float
    abandoned: float
    agents_per_interval: list[float] | None
    days: int


def censored_exponential(wait: np.ndarray, abandoned: np.ndarray) -> Patience:
    """Mean exponential patience from every queued contact's wait (seconds) and whether it
    abandoned: the censored maximum-likelihood estimate, total wait / abandons, with the
    chi-square interval for ``2 · abandons`` degrees of freedom."""
    d = float(abandoned.sum())
    exposure = float(wait.sum())
    naive = float(wait[abandoned].mean()) if d > 0 else None
    if d == 0:
        return Patience(None, "censored maximum likelihood", 0.0, note="no abandons recorded")
    mean = exposure / d
    return Patience(mean, "censored maximum likelihood", d,
                    lo_s=2 * exposure / float(chdtri(2 * d, 0.025)),
                    hi_s=2 * exposure / float(chdtri(2 * d, 0.975)), naive_mean_s=naive)


def abandon_probability(n: np.ndarray, lam: np.ndarray, mu: np.ndarray,
                        theta: float) -> np.ndarray:
    """Erlang A (M/M/n+M) probability of abandoning, exact, for many queues at once: ``n``
    agents, arrival rate ``lam`` and service rate ``mu`` per second, patience rate ``theta``.

    The same stationary law as ``ccsim.optimise.erlang.erlang_a``, vectorised over queues (in
    chunks, to bound memory): ``P(ab) = sum_k p_{n+k} (k+1)/(x+k+1)`` with ``x = n·mu/theta``.
    """
    out = np.empty(n.size)
    for lo in range(0, n.size, 128):
        part = slice(lo, lo + 128)
        out[part] = _abandon_chunk(n[part], lam[part], mu[part], theta)
    return out


def _abandon_chunk(n: np.ndarray, lam: np.ndarray, mu: np.ndarray, theta: float) -> np.ndarray:
    a, x, y = lam / mu, n * mu / theta, lam / theta
    log_a = np.log(a)[:, None]
    j = np.arange(int(n.max()))[None, :]
    idle = np.where(j < n[:, None], j * log_a - gammaln(j + 1), -np.inf)
    log_n = n * np.log(a) - gammaln(n + 1)
    states = int(np.max(np.maximum(0.0, y - x) + 12 * np.sqrt(y) + 60))
    k = np.arange(states)[None, :]
    xc = x[:, None]
    queue = (log_n[:, None] + k * np.log(y)[:, None]
             - (gammaln(xc + k + 1) - gammaln(xc + 1)))
    log_z = np.logaddexp(logsumexp(idle, axis=1), logsumexp(queue, axis=1))
    return np.sum(np.exp(queue - log_z[:, None]) * (k + 1) / (xc + k + 1), axis=1)


def patience_by_erlang_a(offered: np.ndarray, abandoned: np.ndarray, agents: np.ndarray,
                         aht_s: np.ndarray, interval_s: float) -> Patience:
    """The mean patience at which Erlang A, interval by interval at the recorded agents,
    offered contacts and handle time, expects as many abandons as were recorded.

    Expected abandons fall as patience grows, so the root is found on a log scale within
    ``PATIENCE_RANGE_S``. Intervals without agents or handle time are left out (no queue to
    match).
    """
    from scipy.optimize import brentq

    use = (offered > 0) & (agents >= 1) & (aht_s > 0)
    n = np.floor(agents[use])
    lam, mu = offered[use] / interval_s, 1.0 / aht_s[use]
    target = float(abandoned[use].sum())
    left_out = int((offered > 0).sum() - use.sum())
    note = f"{left_out} intervals with contacts but no agents or AHT left out" if left_out else ""
    method = "Erlang A matched to the recorded abandons at the recorded agents"
    if target == 0:
        return Patience(None, method, 0.0, note=note or "no abandons recorded")

    def excess(log_patience: float) -> float:
        expected = abandon_probability(n, lam, mu, math.exp(-log_patience)) @ offered[use]
        return float(expected) - target

    low, high = (math.log(v) for v in PATIENCE_RANGE_S)
    if excess(high) >= 0:
        return Patience(None, method, target, note=f"fewer abandons than Erlang A expects even "
                        f"at {PATIENCE_RANGE_S[1]:,.0f} s of patience: taken as infinite")
    if excess(low) <= 0:
        return Patience(PATIENCE_RANGE_S[0], method, target, note="more abandons than Erlang A "
                        f"expects at {PATIENCE_RANGE_S[0]:g} s of patience: set to that floor")
    root = brentq(excess, low, high, xtol=1e-6)
    mean = math.exp(root)
    # how much the abandons move with patience: the estimate is only as sure as that
    step = math.log(1.1)
    up, down = excess(root + step) + target, excess(root - step) + target
    elasticity = abs(math.log(up / down) / (2 * step)) if up > 0 and down > 0 else 0.0
    spread = 1.96 / (math.sqrt(target) * elasticity) if elasticity > 0 else math.inf
    notes = [note] if note else []
    notes.append(f"abandons move {elasticity:.2f}% per 1% of patience here, so the abandon "
                 f"count's own noise gives the 95% CI")
    if elasticity < 0.5:
        notes.append("poorly determined: a 10% error of Erlang A's assumptions (exponential "
                     "handle times, a steady state in every interval) moves it by "
                     f"{100 * (1.1 ** (1 / max(elasticity, 1e-9)) - 1):.0f}%; contacts data "
                     "(ccsim import --kind contacts) pins it down")
    return Patience(mean, method, target, lo_s=mean * math.exp(-spread),
                    hi_s=mean * math.exp(spread) if math.isfinite(spread) else None,
                    note="; ".join(notes))


def patience_lower_bound(answered: float, wait_answered_s: float, abandoned: float) -> Patience:
    """Without waits or agents: the answered contacts' total wait / abandons, a lower bound of
    the censored estimate (the abandons' own waits, not in the export, would add to it)."""
    method = "lower bound: answered x ASA / abandoned (no agents column for Erlang A)"
    if abandoned == 0:
        return Patience(None, method, 0.0, note="no abandons recorded")
    return Patience(wait_answered_s / abandoned, method, abandoned,
                    note="a lower bound: give the agents column for an estimate")


def handle_from_contacts(sample: ContactSample, intervals: int, since: int) -> HandleTime:
    """Mean handle time per interval, the within-interval cv and the lognormal fit, from the
    answered contacts of days ``since`` on."""
    recent = sample.handle_day >= since
    handle, interval = sample.handle[recent], sample.handle_interval[recent]
    count = np.bincount(interval, minlength=intervals)
    total = np.bincount(interval, handle, minlength=intervals)
    per = _per_interval(total, count)
    if handle.size < 2:
        return HandleTime(per, _mean(total, count), None, float(handle.size))
    relative = handle / np.asarray(per)[interval]
    positive = handle[handle > 0]
    mle = None
    if positive.size >= 2:
        s2 = float(np.var(np.log(positive)))
        mle = (float(np.exp(np.mean(np.log(positive)) + s2 / 2)), math.sqrt(math.expm1(s2)))
    return HandleTime(per, _mean(total, count), float(np.std(relative)), float(handle.size),
                      mle)


def handle_from_intervals(handle_s: np.ndarray, answered: np.ndarray) -> HandleTime:
    """Mean handle time per interval from ``[day, interval]`` sums of handle seconds and
    answered counts (AHT × answered); an interval export cannot show the cv."""
    total, count = handle_s.sum(axis=0), answered.sum(axis=0)
    return HandleTime(_per_interval(total, count), _mean(total, count), None,
                      float(count.sum()))


def _mean(total: np.ndarray, count: np.ndarray) -> float:
    return float(total.sum() / count.sum()) if count.sum() > 0 else math.nan


def _per_interval(total: np.ndarray, count: np.ndarray) -> list[float]:
    overall = _mean(total, count)
    safe = np.maximum(count, 1)
    return [float(v) for v in np.where(count >= MIN_ANSWERED, total / safe, overall)]


def completion(entered: float, completed: float) -> Completion:
    """The IVR completion share with its Wilson 95% interval."""
    p = completed / entered
    z = 1.959963984540054
    centre = (p + z * z / (2 * entered)) / (1 + z * z / entered)
    half = z * math.sqrt(p * (1 - p) / entered + z * z / (4 * entered ** 2)) / (1 + z * z / entered)
    return Completion(p, max(0.0, centre - half), min(1.0, centre + half), entered)


def estimate_queues(history: History) -> list[QueueEstimate]:
    """Handle time, patience and IVR completion of every queue, from the last
    ``RECENT_DAYS`` days of the history."""
    since = max(0, history.days - RECENT_DAYS)
    recent = slice(since, None)
    interval_s = history.grid.interval_minutes * 60.0
    out = []
    for k, name in enumerate(history.queues):
        offered, answered = history.offered[k, recent], history.answered[k, recent]
        abandoned = history.abandoned[k, recent]
        agents_mean = None
        if history.contacts is not None:
            sample = history.contacts[k]
            handle = handle_from_contacts(sample, history.grid.intervals, since)
            mine = sample.day >= since
            patience = censored_exponential(sample.wait[mine], sample.abandoned[mine])
        else:
            handle = handle_from_intervals(history.handle_s[k, recent], answered)
            if history.agents is not None:
                agents = history.agents[k, recent]
                with np.errstate(invalid="ignore", divide="ignore"):
                    aht = np.where(answered > 0, history.handle_s[k, recent] / answered, 0.0)
                recorded = ~np.isnan(agents)
                patience = patience_by_erlang_a(
                    offered[recorded], abandoned[recorded], agents[recorded], aht[recorded],
                    interval_s)
                if history.wait_answered_s is not None and patience.mean_s is not None:
                    bound = patience_lower_bound(
                        float(answered.sum()), float(history.wait_answered_s[k, recent].sum()),
                        float(abandoned.sum()))
                    if bound.mean_s is not None:
                        patience = replace(patience, note=f"{patience.note}; check: at least "
                                           f"{bound.mean_s:.1f} s (answered x ASA / abandoned, "
                                           "a lower bound)")
                staffed = recorded & (offered > 0)
                with np.errstate(invalid="ignore"):
                    agents_mean = [float(v) for v in np.where(staffed, agents, 0.0).sum(axis=0)
                                   / staffed.sum(axis=0)]
            elif history.wait_answered_s is not None:
                patience = patience_lower_bound(float(answered.sum()),
                                                float(history.wait_answered_s[k, recent].sum()),
                                                float(abandoned.sum()))
            else:
                patience = Patience(None, "not estimated", float(abandoned.sum()),
                                    note="the export has neither agents nor asa_s")
        ivr = None
        if history.has_ivr[k]:
            ivr = completion(float(history.ivr_entered[k, recent].sum()),
                             float(history.ivr_completed[k, recent].sum()))
        out.append(QueueEstimate(name, handle, patience, ivr, float(offered.sum()),
                                 float(abandoned.sum()), agents_mean, history.days - since))
    return out
