"""The forecast of ``ccsim import``: Holt-Winters beats the seasonal-naive forecast on a
history with weekly seasonality and a trend, each method is judged on a held-out last week,
and short histories fall back as the import says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ccsim.cli import app
from ccsim.forecast import (
    DAY_MEAN,
    HOLT_WINTERS,
    SEASONAL_NAIVE,
    forecast,
    seasonal_naive,
    wape,
)

WEEKLY = np.array([1.25, 1.1, 1.0, 1.0, 0.9, 0.5, 0.25])  # Monday first
PROFILE = np.array([0.5, 0.8, 1.2, 1.5, 1.4, 1.2, 1.0, 0.9, 0.8, 0.7])
MONDAY = np.datetime64("2024-01-01")


def synthetic(weeks: int, trend: float, seed: int = 11) -> tuple[np.ndarray, np.ndarray]:
    """Poisson contacts ``[day, interval]`` of one queue: 800 a day growing by ``trend`` a
    day, times a weekly pattern, spread by an intraday profile; and their expectation."""
    days = np.arange(7 * weeks + 7)  # the last week is the future, to score the forecast
    level = (800 + trend * days) * WEEKLY[days % 7]
    expected = level[:, None] * PROFILE / PROFILE.sum()
    return np.random.default_rng(seed).poisson(expected).astype(float), expected


def test_holt_winters_beats_seasonal_naive_with_a_trend() -> None:
    counts, expected = synthetic(weeks=10, trend=8.0)
    history, future = counts[:-7], expected[-7:]
    result = forecast(history[None], MONDAY, weeks=1)
    (queue,) = result.queues
    assert set(queue.errors) == {HOLT_WINTERS, SEASONAL_NAIVE}
    assert queue.errors[HOLT_WINTERS] < queue.errors[SEASONAL_NAIVE]
    assert queue.method == HOLT_WINTERS
    assert result.held_out == ("2024-03-04", "2024-03-10")
    # and on the week after the history, against the truth, it is better too
    naive = seasonal_naive(history, 7)
    assert wape(queue.values, future) < wape(naive, future)
    assert queue.values.sum() == pytest.approx(future.sum(), rel=0.05)


def test_seasonal_naive_is_last_week_repeated() -> None:
    history = np.arange(3 * 7 * 2, dtype=float).reshape(21, 2)
    assert np.array_equal(seasonal_naive(history, 10), history[[14, 15, 16, 17, 18, 19, 20,
                                                                 14, 15, 16]])
    assert wape(np.array([1.0, 3.0]), np.array([2.0, 2.0])) == 0.5


def test_short_histories_fall_back_and_say_so() -> None:
    counts, _ = synthetic(weeks=2, trend=0.0)
    ten = forecast(counts[None, :10], MONDAY, weeks=1).queues[0]
    assert ten.method == DAY_MEAN and ten.errors == {}
    assert np.allclose(ten.values[0], counts[:10].mean(axis=0))
    fifteen = forecast(counts[None, :15], MONDAY, weeks=2).queues[0]
    assert fifteen.method == SEASONAL_NAIVE and set(fifteen.errors) == {SEASONAL_NAIVE}
    assert "Holt-Winters needs three weeks" in fifteen.note
    assert fifteen.values.shape == (14, len(PROFILE))


def intervals_csv(path: Path, counts: np.ndarray, queue: str = "billing") -> Path:
    """An intervals export of ``counts`` ``[day, interval]`` (30-minute intervals from 08:00),
    every contact answered after 200 s of handling."""
    lines = ["date,interval_start,queue,offered,answered,abandoned,aht_s"]
    for d, row in enumerate(counts):
        day = MONDAY + np.timedelta64(d, "D")
        for i, n in enumerate(row):
            lines.append(f"{day},{8 + i // 2:02d}:{30 * (i % 2):02d},{queue},{n:.0f},"
                         f"{n:.0f},0,200")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_import_reports_both_errors_and_the_method_it_used(tmp_path: Path) -> None:
    counts, _ = synthetic(weeks=6, trend=8.0)
    export = intervals_csv(tmp_path / "history.csv", counts[:-7])
    out = tmp_path / "draft.yaml"
    result = CliRunner().invoke(app, ["import", str(export), "--out", str(out), "--weeks", "2"])
    assert result.exit_code == 0, result.output
    line = next(r for r in result.stdout.splitlines() if r.strip().startswith("billing")
                and "naive" in r)
    assert "Holt-Winters" in line and "-> Holt-Winters (the lower error)" in line
    text = out.read_text()
    prose = " ".join(line.lstrip("# ") for line in text.splitlines())  # comments unwrapped
    assert "held out; error = sum |forecast - actual| / sum actual" in prose
    assert text.count("2024-02-") >= 14  # the two forecast weeks' daily totals are listed
    assert "patience left out" in text  # no abandons recorded: never hangs up


def test_the_bundled_history_imports_as_the_readme_says(tmp_path: Path) -> None:
    """The README's walk-through: the bundled export imports, Holt-Winters wins the held-out
    week for both queues, and AHT and IVR completion come back near the source's (300 s, 420 s,
    35%)."""
    from ccsim.scenarios import bundled
    from ccsim.sim.loader import load_scenario

    export = bundled("default").parent / "history" / "intervals.csv"
    out = tmp_path / "history.yaml"
    result = CliRunner().invoke(app, ["import", str(export), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for queue in ("billing", "emergency"):
        line = next(r for r in result.stdout.splitlines() if r.strip().startswith(queue)
                    and "naive" in r)
        assert line.endswith("-> Holt-Winters (the lower error)"), line
    types = {t.name: t for t in load_scenario(out).contact_types}
    for name, aht in (("billing", 300.0), ("emergency", 420.0)):
        means = np.asarray(types[name].handle_time.mean)
        weights = np.asarray(types[name].arrivals.per_interval)
        assert float(np.average(means, weights=weights)) == pytest.approx(aht, rel=0.02)
    ivr = types["billing"].self_service
    assert ivr is not None and ivr.completion == pytest.approx(0.35, abs=0.01)
    assert load_scenario(export.parent / "source.yaml").name == "history-source"
