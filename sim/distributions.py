"""Distributions of durations (seconds): small samplers that check their own parameters.

Each draws in bulk from a caller-supplied ``numpy.random.Generator`` (never global state) and
exposes ``mean`` and ``variance`` so tests and the analytic models can use the same objects.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Distribution(Protocol):
    """A non-negative duration distribution, seconds."""

    @property
    def mean(self) -> float: ...

    @property
    def variance(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray: ...


def _positive(name: str, value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f'"{name}" must be > 0, got {value!r}.')
    return float(value)


def _non_negative(name: str, value: float) -> float:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f'"{name}" must be >= 0, got {value!r}.')
    return float(value)


class Exponential:
    """Exponential with the given mean (seconds)."""

    def __init__(self, mean: float) -> None:
        self._mean = _positive("mean", mean)

    mean = property(lambda self: self._mean)
    variance = property(lambda self: self._mean**2)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self._mean, size)

    def __repr__(self) -> str:
        return f"Exponential(mean={self._mean:g})"


class Lognormal:
    """Lognormal parameterised by its own mean and coefficient of variation (not mu/sigma)."""

    def __init__(self, mean: float, cv: float) -> None:
        self._mean = _positive("mean", mean)
        self._cv = _positive("cv", cv)
        self._sigma = math.sqrt(math.log1p(self._cv**2))
        self._mu = math.log(self._mean) - self._sigma**2 / 2

    mean = property(lambda self: self._mean)
    variance = property(lambda self: (self._mean * self._cv) ** 2)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(self._mu, self._sigma, size)

    def __repr__(self) -> str:
        return f"Lognormal(mean={self._mean:g}, cv={self._cv:g})"


class Gamma:
    """Gamma parameterised by mean and coefficient of variation (shape = 1/cv²)."""

    def __init__(self, mean: float, cv: float) -> None:
        self._mean = _positive("mean", mean)
        self._cv = _positive("cv", cv)
        self._shape = 1.0 / self._cv**2

    mean = property(lambda self: self._mean)
    variance = property(lambda self: (self._mean * self._cv) ** 2)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.gamma(self._shape, self._mean / self._shape, size)

    def __repr__(self) -> str:
        return f"Gamma(mean={self._mean:g}, cv={self._cv:g})"


class Deterministic:
    """Always the same value (seconds)."""

    def __init__(self, value: float) -> None:
        self._value = _non_negative("value", value)

    mean = property(lambda self: self._value)
    variance = property(lambda self: 0.0)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self._value)

    def __repr__(self) -> str:
        return f"Deterministic(value={self._value:g})"


class Uniform:
    """Uniform on [low, high] (seconds)."""

    def __init__(self, low: float, high: float) -> None:
        self._low = _non_negative("low", low)
        self._high = _non_negative("high", high)
        if self._high < self._low:
            raise ValueError(f'"high" must be >= "low", got low={low!r}, high={high!r}.')

    mean = property(lambda self: (self._low + self._high) / 2)
    variance = property(lambda self: (self._high - self._low) ** 2 / 12)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self._low, self._high, size)

    def __repr__(self) -> str:
        return f"Uniform(low={self._low:g}, high={self._high:g})"


class Empirical:
    """Resamples observed values with replacement (seconds)."""

    def __init__(self, values: Sequence[float]) -> None:
        data = np.asarray(values, dtype=float)
        if data.size == 0 or not np.all(np.isfinite(data)) or np.any(data < 0):
            raise ValueError('"values" must be a non-empty list of finite numbers >= 0.')
        self._values = data

    mean = property(lambda self: float(self._values.mean()))
    variance = property(lambda self: float(self._values.var()))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.choice(self._values, size)

    def __repr__(self) -> str:
        return f"Empirical(n={self._values.size}, mean={self.mean:g})"


def sample_by_interval(
    samplers: Sequence[Distribution], rng: np.random.Generator, interval: np.ndarray
) -> np.ndarray:
    """Draw one value per contact from the sampler of the contact's arrival interval.

    ``samplers`` has one entry per interval, or a single entry that holds for the whole day (one
    bulk draw, the common case).
    """
    if len(samplers) == 1:
        return samplers[0].sample(rng, interval.size)
    out = np.empty(interval.size)
    for i, sampler in enumerate(samplers):
        mask = interval == i
        count = int(mask.sum())
        if count:
            out[mask] = sampler.sample(rng, count)
    return out
