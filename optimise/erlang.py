"""Analytic queueing: Erlang B, Erlang C (M/M/n) and Erlang A (M/M/n+M), exact and stable.

Rates are per second, times in seconds. All state probabilities are computed in log space
(``logsumexp`` over log-weights), so the formulas stay exact for thousands of agents and for
heavy overload, where the textbook recursions overflow or lose every digit.

Erlang A, the derivation used here (Palm 1943; Garnett, Mandelbaum & Reiman 2002). With
``x = n·mu/theta`` and ``y = lambda/theta``, an arrival finds the system in state ``j`` with the
stationary probability ``p_j`` (PASTA): ``p_j ∝ a^j/j!`` for ``j < n`` (``a = lambda/mu``) and
``p_{n+k} = p_n · y^k / ((x+1)…(x+k))`` with ``k`` callers queued. A caller who finds ``k``
queued ahead is answered after ``V = sum_{i=0..k} Exp(theta·(x+i))`` (their *virtual* wait, not
affected by their own patience ``tau ~ Exp(theta)``). Hence
``P(answered | k) = E[exp(-theta V)] = x/(x+k+1)``, and ``exp(-theta V)`` on the answered event
is ``x/(x+k+1)`` times the law of ``S = sum_{i=1..k+1} Exp(theta·(x+i))``, whose CDF is a
regularised incomplete beta: ``P(S <= T) = I_{1-exp(-theta T)}(k+1, x+1)`` (``exp(-theta S)`` is
Beta(x+1, k+1)). Its mean is ``(digamma(x+k+2) - digamma(x+1))/theta``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import betainc, digamma, gammaln, logsumexp, ndtr


@dataclass(frozen=True)
class QueueKPIs:
    """Stationary KPIs of one queue (times in seconds, probabilities as fractions).

    ``service_level`` is answered within the threshold / offered (an abandon is a miss);
    ``asa_s`` is the mean wait of answered contacts; ``occupancy`` is busy / staffed agents.
    """

    agents: int
    offered_load: float
    p_wait: float
    abandon_rate: float
    service_level: float
    asa_s: float
    mean_wait_s: float
    occupancy: float


def _log_idle_weights(a: float, n: int) -> np.ndarray:
    """log(a^j / j!) for j = 0..n (unnormalised Poisson weights)."""
    j = np.arange(n + 1, dtype=float)
    return j * math.log(a) - gammaln(j + 1)


def erlang_b(n: int, a: float) -> float:
    """Blocking probability of M/M/n/n with offered load ``a`` Erlangs."""
    if a <= 0:
        return 0.0 if n > 0 else 1.0
    lw = _log_idle_weights(a, n)
    return float(math.exp(lw[-1] - logsumexp(lw)))


def erlang_c(n: int, lam: float, mu: float, threshold_s: float = 20.0) -> QueueKPIs:
    """M/M/n (no abandonment): P(wait), SL within ``threshold_s``, ASA, occupancy.

    With ``lam/mu >= n`` the queue is unstable: everyone waits and the ASA is infinite.
    """
    a = lam / mu
    if n <= 0 or a >= n:
        return QueueKPIs(n, a, 1.0, 0.0, 0.0, math.inf, math.inf, 1.0 if n > 0 else math.nan)
    b = erlang_b(n, a)
    c = b / (1 - (a / n) * (1 - b))
    drain = n * mu - lam
    asa = c / drain
    sl = 1 - c * math.exp(-drain * threshold_s)
    return QueueKPIs(n, a, c, 0.0, sl, asa, asa, a / n)


def erlang_a(n: int, lam: float, mu: float, theta: float, threshold_s: float = 20.0) -> QueueKPIs:
    """M/M/n+M (exponential patience of mean ``1/theta``): the exact stationary KPIs.

    Accurate to about 1e-9 for any realistic patience; only when ``n·mu/theta`` passes 1e9
    (callers patient for decades) does the incomplete beta lose digits (~1e-6): use Erlang C.
    """
    if theta <= 0:
        return erlang_c(n, lam, mu, threshold_s)
    a, x, y = lam / mu, n * mu / theta, lam / theta
    if lam <= 0:
        return QueueKPIs(n, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    lw = _log_idle_weights(a, n)
    k = np.arange(_queue_states(x, y), dtype=float)
    lq = lw[-1] + k * math.log(y) - (gammaln(x + k + 1) - gammaln(x + 1))
    log_z = logsumexp(np.concatenate([lw[:-1], lq]))
    p_idle = float(np.exp(logsumexp(lw[:-1]) - log_z)) if n > 0 else 0.0
    q = np.exp(lq - log_z)
    p_wait = float(q.sum())
    served = x / (x + k + 1)
    abandon = float(np.sum(q * (k + 1) / (x + k + 1)))
    in_time = betainc(k + 1, x + 1, -math.expm1(-theta * threshold_s))
    sl = p_idle + float(np.sum(q * served * in_time))
    wait_answered = float(np.sum(q * served * (digamma(x + k + 2) - digamma(x + 1)))) / theta
    answered = 1 - abandon
    asa = wait_answered / answered if answered > 0 else math.nan
    mean_wait = float(np.sum(q * (k + 1) / (x + k + 1))) / theta
    occupancy = a * answered / n if n > 0 else math.nan
    return QueueKPIs(n, a, p_wait, abandon, sl, asa, mean_wait, occupancy)


def _queue_states(x: float, y: float) -> int:
    """How many queue lengths k carry probability: past the mode (y - x) plus a wide tail.

    The weights ``y^k / ((x+1)…(x+k))`` fall faster than a Poisson(y) beyond the mode, so 12
    standard deviations of that Poisson leave less than 1e-30 of the mass out.
    """
    return int(max(0.0, y - x) + 12 * math.sqrt(y) + 60)


def queue_kpis(
    n: int, lam: float, mu: float, patience_mean_s: float | None, threshold_s: float = 20.0
) -> QueueKPIs:
    """Erlang A with patience of mean ``patience_mean_s`` seconds, Erlang C when it is None."""
    theta = 0.0 if patience_mean_s is None or math.isinf(patience_mean_s) else 1 / patience_mean_s
    return erlang_a(n, lam, mu, theta, threshold_s)


@lru_cache(maxsize=4096)
def min_agents(
    lam: float,
    mu: float,
    patience_mean_s: float | None,
    threshold_s: float,
    target: float,
    max_agents: int = 100_000,
) -> int:
    """The fewest agents whose stationary service level is at least ``target``.

    The service level is increasing in the number of agents, so a doubling search followed by
    bisection finds the minimum exactly. Raises ``ValueError`` beyond ``max_agents``. Answers
    are cached: a day's intervals often share their load, and the optimiser asks again.
    """
    if lam <= 0:
        return 0

    def ok(n: int) -> bool:
        return queue_kpis(n, lam, mu, patience_mean_s, threshold_s).service_level >= target

    lo, hi = 0, max(1, math.ceil(sqrt_staffing(lam / mu, 1.0)))
    while not ok(hi):
        lo, hi = hi, hi * 2
        if hi > max_agents:
            raise ValueError(f"more than {max_agents} agents needed for SL {target}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi if not ok(lo) else lo


def halfin_whitt_beta(p_wait: float) -> float:
    """The square-root staffing coefficient beta giving P(wait) = ``p_wait`` (Halfin-Whitt).

    Solves ``p_wait = 1 / (1 + beta·Phi(beta)/phi(beta))``, the heavy-traffic limit of Erlang C.
    """
    if not 0 < p_wait < 1:
        raise ValueError(f'"p_wait" must be in (0, 1), got {p_wait!r}.')

    from scipy.optimize import brentq  # here: scipy.optimize takes 0.5 s to import

    def gap(beta: float) -> float:
        density = math.exp(-beta * beta / 2) / math.sqrt(2 * math.pi)
        return 1 / (1 + beta * float(ndtr(beta)) / density) - p_wait

    return float(brentq(gap, 1e-9, 10.0))


def sqrt_staffing(load: float, beta: float) -> float:
    """Square-root staffing ``load + beta·sqrt(load)`` agents (round up to use it)."""
    return load + beta * math.sqrt(max(load, 0.0))
