"""The charts of ``ccsim compare``: cost by run with each run's verdict, and the service level,
waiting and abandonment by interval lined up by clock time, missed intervals marked by the
verdict rule (``ccsim.sim.verdict``, as each run's own ``intervals.csv`` and ``summary.json``
judged them)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ccsim.charts import (
    LEGEND_MARGIN,
    PALETTE,
    WIDTH,
    clock_axis,
    fixed_layout,
    legend_beside,
    stacked_costs,
    to_bytes,
    wrap_label,
)
from ccsim.compare import Row, Run, clock_order, cost_of, cost_period
from ccsim.sim.verdict import MISSED

MISSED_COLOUR = "#b3261e"
"""A run with a missed cell: red, as report.html's "missed"."""
SHORT_COLOUR = "#9a6700"
"""A run with no missed cell that still does not meet the target: amber."""
MET_COLOUR = "#2b7a3d"


def verdict_mark(row: Row) -> tuple[str, str]:
    """How a chart marks a run's verdict: (text, colour). Red when a cell missed, amber when
    none missed yet the target is not met (cells within noise or CIs too wide), green when
    it meets the target, grey when not known."""
    missed, meets = row.get("cells_missed"), row.get("meets_target")
    if isinstance(missed, int) and missed > 0:
        return f"{missed} cells missed", MISSED_COLOUR
    if meets == "no":
        wide = row.get("cells_wider_than_precision")
        return ("target not met" + (f"\n({wide} CIs too wide)" if wide else ""), SHORT_COLOUR)
    if meets == "yes":
        return "meets target", MET_COLOUR
    return "verdict unknown", "#777777"


def cost_figure(runs: list[Run], rows: list[Row], currency: str) -> plt.Figure:
    """Cost of each run per simulated day or week, stacked by component, each run's verdict
    written under its total (red: a cell missed; amber: no cell missed but the target not met)."""
    fig, ax = plt.subplots(figsize=(max(7.0, 1.8 * len(runs) + 3), 5.4))
    bottom = stacked_costs(ax, [cost_of(r) for r in runs])
    top = max(bottom.max(), 1)
    for i, row in enumerate(rows):
        text, colour = verdict_mark(row)
        ax.text(i, bottom[i] + top * 0.06, text, ha="center", va="bottom", fontsize=8,
                color=colour, fontweight="bold")
    ax.set_xticks(np.arange(len(runs)), [wrap_label(r.label, 22) for r in runs],
                  fontsize=8)
    for tick, row in zip(ax.get_xticklabels(), rows, strict=True):
        tick.set_color(verdict_mark(row)[1])
    per = cost_period(rows)
    ax.set_ylabel(f"Cost per {per} ({currency})")
    ax.set_ylim(0, top * 1.2)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title(("Daily cost" if per == "day" else f"Cost per {per}")
                 + " by run (the verdict above each bar)", fontweight="bold")
    fig.tight_layout()
    return fig


def shared_target(rows: list[Row]) -> float | None:
    """The service-level target every run (and every contact type of each) shares, else
    None."""
    targets = {r.get("service_level_target") for r in rows}
    target = targets.pop() if len(targets) == 1 else None
    return float(target) if isinstance(target, int | float) else None


def _mark_verdicts(ax: plt.Axes, runs: list[Run], clocks: list[str], key: str,
                   scale: float) -> None:
    """Ring in red each run's point in the intervals where one of its contact types missed,
    by the verdicts of the run's own intervals.csv (the rule of ``sim/verdict.py``)."""
    xs, ys = [], []
    for run in runs:
        for i, clock in enumerate(clocks):
            if run.verdicts.get(clock) == MISSED:
                xs.append(i)
                ys.append(run.intervals.get(clock, {}).get(key, np.nan) * scale)
    if xs:
        ax.scatter(xs, ys, s=70, facecolors="none", edgecolors=MISSED_COLOUR, linewidths=1.8,
                   zorder=3, label="Missed: a contact type's 95% upper bound below its "
                               "target in this interval")


def _days(runs: list[Run], clocks: list[str]) -> list[tuple[str, int]]:
    """With runs of several days, each day's label and the position of its first interval
    among ``clocks``; empty when every run is one day (intervals are clock times)."""
    if all(run.scenario.horizon.days == 1 for run in runs):
        return []
    firsts: dict[str, int] = {}
    for i, key in enumerate(clocks):
        firsts.setdefault(key.rsplit(" ", 1)[0], i)
    return list(firsts.items())


def _day_axis(ax: plt.Axes, days: list[tuple[str, int]], count: int) -> None:
    """Day labels under the middle of each day, a grey line between days."""
    ends = [start for _, start in days[1:]] + [count]
    ax.set_xticks([(start + end - 1) / 2 for (_, start), end in zip(days, ends, strict=True)],
                  [name for name, _ in days], fontsize=8)
    ax.tick_params(axis="x", length=0)
    for _, start in days[1:]:
        ax.axvline(start - 0.5, color="#888888", linewidth=0.8, zorder=0.5)
    ax.set_xlim(-0.5, count - 0.5)
    ax.set_xlabel("Day (intervals by clock time within each day)", fontsize=8)
    ax.grid(axis="y", alpha=0.3)


def interval_figure(runs: list[Run], keys: list[tuple[str, str, float]], title: str,
                    target: float | None = None) -> plt.Figure:
    """One panel per KPI, one line per run, intervals by clock time; on the service level,
    the shared target and each run's missed intervals ringed in red."""
    clocks = clock_order(runs)
    days = _days(runs, clocks)
    fig, axes = plt.subplots(len(keys), 1, figsize=(WIDTH, 3.2 * len(keys) + 0.8),
                             squeeze=False)
    for (key, ylabel, scale), ax in zip(keys, axes[:, 0], strict=True):
        for n, run in enumerate(runs):
            values = [run.intervals.get(c, {}).get(key, np.nan) * scale for c in clocks]
            x = np.arange(len(clocks), dtype=float)
            if days:  # a gap at each closed night: no line from one close to the next opening
                nights = [start for _, start in days[1:]]
                x = np.insert(x, nights, np.array(nights) - 0.5)
                values = list(np.insert(np.array(values, dtype=float), nights, np.nan))
            ax.plot(x, values, marker="o", markersize=1.5 if days else 3,
                    color=PALETTE[n % len(PALETTE)], label=run.label)
        if key == "service_level":
            if target is not None:
                ax.axhline(100 * target, color=MISSED_COLOUR, linestyle="--",
                           label=f"Target {target:.0%}")
            _mark_verdicts(ax, runs, clocks, key, scale)
            ax.set_ylim(0, 105)
        ax.set_ylabel(ylabel)
        if days:
            _day_axis(ax, days, len(clocks))
        else:
            clock_axis(ax, clocks)
        legend_beside(ax)
    fig.suptitle(title, fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN)
    return fig


def compare_charts(runs: list[Run], rows: list[Row]) -> dict[str, bytes]:
    """The comparison's charts by file name: cost (each run's verdict above its bar), service
    level (target and missed intervals marked), waiting and abandonment."""
    currency = runs[0].scenario.costs.currency
    figures = {
        "compare_cost.png": cost_figure(runs, rows, currency),
        "compare_service_level.png": interval_figure(
            runs, [("service_level", "Service level (%)", 100)],
            "Service level by interval (day and clock time), all contact types together"
            if _days(runs, clock_order(runs)) else
            "Service level by interval (clock time), all contact types together",
            shared_target(rows)),
        "compare_waiting.png": interval_figure(
            runs, [("asa_s", "ASA (s)", 1), ("abandon_rate", "Abandoned (% of offered)", 100)],
            "Waiting and abandonment by interval (clock time)"),
    }
    return {name: to_bytes(figure) for name, figure in figures.items()}
