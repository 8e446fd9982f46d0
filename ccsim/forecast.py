"""The volume forecast of ``ccsim import``: per queue, day and interval, for the weeks after the
history, by the better of two methods on a held-out last week.

* **Holt-Winters** (statsmodels ``ExponentialSmoothing``: additive damped trend, additive
  weekly seasonality, Hyndman's heuristic start, as good on the held-out weeks tried and four
  times as quick as fitting the start) on the daily totals of the last ``FIT_DAYS`` days,
  spread over the intervals by the intraday profile of the same weekday over the recent
  history (``RECENT_DAYS``): the usual top-down forecast of workforce planning.
* **Seasonal naive**: each interval as it was on the same weekday one week earlier.

The last week of the history is held out: both methods forecast it from the weeks before, and
their error is the weighted absolute percentage error over its intervals, ``sum |forecast -
actual| / sum actual``. Each queue uses the method with the lower error, refitted on the whole
history. Holt-Winters needs two weeks to fit, so three weeks with the held-out one; with less
history the seasonal-naive forecast is used (no comparison), and with less than two weeks there
is no held-out week: the forecast is the mean of the history's days.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ccsim.estimate import RECENT_DAYS

WEEK = 7
HOLT_WINTERS = "Holt-Winters"
SEASONAL_NAIVE = "seasonal naive"
DAY_MEAN = "mean of the history's days"
FIT_DAYS = 112
"""Holt-Winters is fitted on at most the last 16 weeks (recent enough to follow the trend)."""


@dataclass(frozen=True)
class QueueForecast:
    """One queue's forecast ``[day, interval]`` (expected contacts), the method used, and the
    held-out week's error of each method tried (a fraction; empty without a held-out week)."""

    values: np.ndarray
    method: str
    errors: dict[str, float]
    note: str = ""


@dataclass(frozen=True)
class Forecast:
    """The forecast of every queue for ``days`` days from ``first_day``; the held-out week is
    ``held_out`` (first and last date) when there was one."""

    first_day: np.datetime64
    days: int
    queues: list[QueueForecast]
    held_out: tuple[str, str] | None

    def date(self, day: int) -> np.datetime64:
        return self.first_day + np.timedelta64(day, "D")


def wape(forecast: np.ndarray, actual: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |forecast - actual| / sum actual (NaN when
    nothing happened)."""
    total = float(actual.sum())
    return float(np.abs(forecast - actual).sum()) / total if total > 0 else math.nan


def seasonal_naive(history: np.ndarray, days: int) -> np.ndarray:
    """The last week of ``history`` ``[day, interval]`` repeated for ``days`` days."""
    last_week = history[-WEEK:]
    return np.stack([last_week[d % WEEK] for d in range(days)])


def intraday_profile(history: np.ndarray, first_weekday: int) -> np.ndarray:
    """Each weekday's share of its day's contacts per interval ``[weekday, interval]`` over the
    recent history (weekday 0 = Monday; ``first_weekday`` is that of ``history[0]``); a weekday
    with no contacts gets the profile of all days (or a flat one)."""
    recent = history[-RECENT_DAYS:]
    start = (first_weekday + len(history) - len(recent)) % WEEK
    weekdays = (start + np.arange(len(recent))) % WEEK
    intervals = history.shape[1]
    overall = recent.sum(axis=0)
    fallback = (overall / overall.sum() if overall.sum() > 0
                else np.full(intervals, 1.0 / intervals))
    profile = np.empty((WEEK, intervals))
    for w in range(WEEK):
        counts = recent[weekdays == w].sum(axis=0)
        profile[w] = counts / counts.sum() if counts.sum() > 0 else fallback
    return profile


def holt_winters(history: np.ndarray, days: int, first_weekday: int) -> np.ndarray:
    """Holt-Winters on the daily totals of ``history`` ``[day, interval]``, ``days`` ahead,
    spread by the intraday profile; never below 0."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    totals = history[-FIT_DAYS:].sum(axis=1)
    model = ExponentialSmoothing(totals, trend="add", damped_trend=True, seasonal="add",
                                 seasonal_periods=WEEK, initialization_method="heuristic")
    with warnings.catch_warnings():  # convergence notes of the optimiser: the held-out
        warnings.simplefilter("ignore")  # week judges the fit, not its warnings
        fitted = model.fit(use_brute=False)
        ahead = np.maximum(np.asarray(fitted.forecast(days), dtype=float), 0.0)
    profile = intraday_profile(history, first_weekday)
    weekday = (first_weekday + len(history) + np.arange(days)) % WEEK
    return ahead[:, None] * profile[weekday]


def _methods(history: np.ndarray) -> list[str]:
    """The methods that can forecast from ``history``."""
    return [SEASONAL_NAIVE, HOLT_WINTERS] if len(history) >= 2 * WEEK else [SEASONAL_NAIVE]


def _predict(method: str, history: np.ndarray, days: int, first_weekday: int) -> np.ndarray:
    if method == HOLT_WINTERS:
        return holt_winters(history, days, first_weekday)
    return seasonal_naive(history, days)


def forecast_queue(history: np.ndarray, days: int, first_weekday: int) -> QueueForecast:
    """One queue's forecast for ``days`` days after ``history`` ``[day, interval]``."""
    if len(history) < 2 * WEEK:
        mean = history.mean(axis=0)
        return QueueForecast(np.tile(mean, (days, 1)), DAY_MEAN, {},
                             note=f"{len(history)} days of history, less than two weeks: no "
                                  "held-out week")
    train, test = history[:-WEEK], history[-WEEK:]
    errors: dict[str, float] = {}
    notes = []
    for name in _methods(train):
        errors[name] = wape(_predict(name, train, WEEK, first_weekday), test)
    if HOLT_WINTERS not in errors:
        notes.append(f"{len(history)} days of history: Holt-Winters needs three weeks (two to "
                     "fit, one held out)")
    ranked = sorted(errors, key=lambda m: (math.isnan(errors[m]), errors[m],
                                           m != SEASONAL_NAIVE))
    chosen = ranked[0]
    values = _predict(chosen, history, days, first_weekday)
    return QueueForecast(values, chosen, errors, note="; ".join(notes))


def forecast(arrivals: np.ndarray, first_day: np.datetime64, weeks: int) -> Forecast:
    """Forecast every queue of ``arrivals`` ``[queue, day, interval]`` (consecutive days from
    ``first_day``) for ``weeks`` weeks after the history."""
    days = arrivals.shape[1]
    first_weekday = int((first_day.astype("datetime64[D]").astype(np.int64) + 3) % WEEK)
    ahead = WEEK * weeks
    queues = [forecast_queue(arrivals[k], ahead, first_weekday)
              for k in range(arrivals.shape[0])]
    held_out = None
    if days >= 2 * WEEK:
        held_out = (str(first_day + np.timedelta64(days - WEEK, "D")),
                    str(first_day + np.timedelta64(days - 1, "D")))
    return Forecast(first_day + np.timedelta64(days, "D"), ahead, queues, held_out)
