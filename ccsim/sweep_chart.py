"""``sweep.png``: service level and cost over a sweep's grid, with targets and misses marked.

One varied path: a line per contact type (its 95% band), the target of each as a dashed line,
and the points where a type does not meet its target ringed (red: one of its interval cells
missed; amber: none missed, but cells within noise or wider than the precision), above the
cost per simulated day (or week). Two paths: heat maps of the overall service level and the
cost, points with a missed cell outlined in red and points that do not meet the target
otherwise in amber. Verdicts follow ``ccsim.sim.verdict``, as in every point's ``summary.json``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ccsim.charts import (
    LEGEND_MARGIN,
    PALETTE,
    WIDTH,
    fixed_layout,
    legend_beside,
    to_bytes,
    wrap_label,
)
from ccsim.compare import Row
from ccsim.report import period
from ccsim.sim.runner import RunResult
from ccsim.sim.verdict import MISSED, Judgement, interval_cells, judge

if TYPE_CHECKING:
    from ccsim.sweep import Axis

MISSED_COLOUR = "#b3261e"
"""A missed cell: red, as report.html's "missed"."""
SHORT_COLOUR = "#9a6700"
"""No cell missed, yet the target is not met (cells within noise, or 95% CIs wider than the
precision): amber, as report.html's "within noise"."""
COST_COLOUR = "#8172B3"
"""The cost line: purple, so red means a missed target only."""
TARGET_GREY = "#555555"
"""A target shared by several contact types."""


def type_judgements(result: RunResult) -> dict[str, Judgement]:
    """Per contact type, the verdict over its own interval cells."""
    cells = interval_cells(result.summary, result.scenario)
    return {t.name: judge([c for c in cells if c.contact_type == t.name])
            for t in result.scenario.contact_types}


def _ticks(ax: plt.Axes, axis: Axis) -> None:
    """The varied values as x ticks (a list value wrapped), the path as the x label."""
    ax.set_xticks(range(len(axis.values)), [wrap_label(v, 14) for v in axis.values], fontsize=8)
    ax.set_xlabel(axis.path, fontsize=9)
    ax.grid(axis="y", alpha=0.3)


def _targets(ax: plt.Axes, results: list[RunResult], colours: dict[str, str]) -> None:
    """One dashed line per distinct target (share and threshold), in the colour of its type,
    or grey when several types share it."""
    scenario = results[0].scenario
    sharing: dict[tuple[float, float], list[str]] = defaultdict(list)
    for t in scenario.contact_types:
        sl = scenario.service_level_of(t)
        sharing[sl.target, sl.threshold_s].append(t.name)
    for (target, threshold), names in sharing.items():
        colour = colours[names[0]] if len(names) == 1 else TARGET_GREY
        ax.axhline(100 * target, color=colour, linestyle="--", linewidth=1.2,
                   label=f"Target {target:.0%} in {threshold:g} s ({', '.join(names)})")


def line_figure(rows: list[Row], axis: Axis, results: list[RunResult],
                currency: str) -> plt.Figure:
    """The one-path sweep chart: service level per contact type with targets and misses
    marked, above the cost (per day, or per week with a week's horizon)."""
    per = period(results[0].scenario)
    fig, (ax, cost_ax) = plt.subplots(2, 1, figsize=(WIDTH, 7.4), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    x = np.arange(len(rows))
    names = [t.name for t in results[0].scenario.contact_types]
    colours = {name: PALETTE[n % len(PALETTE)] for n, name in enumerate(names)}
    judged = [type_judgements(r) for r in results]
    rings: dict[str, tuple[list[int], list[float]]] = {MISSED: ([], []), "short": ([], [])}
    for name in names:
        sl = [r.summary.by_contact_type[name]["service_level"] for r in results]
        ax.fill_between(x, [100 * e.lo for e in sl], [100 * e.hi for e in sl],
                        color=colours[name], alpha=0.12)
        ax.plot(x, [100 * e.mean for e in sl], marker="o", markersize=4, color=colours[name],
                label=f"{name} (95% band)")
        for i, (j, e) in enumerate(zip(judged, sl, strict=True)):
            kind = MISSED if j[name].counts[MISSED] else (
                None if j[name].meets_target else "short")
            if kind is not None:
                rings[kind][0].append(i)
                rings[kind][1].append(100 * e.mean)
    _targets(ax, results, colours)
    for kind, colour, label in (
        (MISSED, MISSED_COLOUR, "Missed: an interval of this type below target (95% upper "
                                "bound)"),
        ("short", SHORT_COLOUR, "Not met: none missed, but within noise or CIs too wide"),
    ):
        if rings[kind][0]:
            ax.scatter(*rings[kind], s=110, facecolors="none", edgecolors=colour,
                       linewidths=2, zorder=3, label=label)
    ax.set_ylabel(f"Service level over the {per} (%)")
    ax.set_ylim(top=102)
    ax.set_title("Service level by contact type (points that do not meet their target "
                 "ringed)", fontsize=10, loc="left")
    legend_beside(ax)
    ax.tick_params(axis="x", labelbottom=True)
    _ticks(ax, axis)
    cost_ax.plot(x, [float(r["cost_total"]) for r in rows], marker="s", color=COST_COLOUR,
                 label=f"Total cost per {per}")
    cost_ax.yaxis.set_major_formatter(plt.matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    cost_ax.set_ylabel(f"Cost per {per} ({currency})")
    cost_ax.set_title(_cost_words(per).capitalize(), fontsize=10, loc="left")
    legend_beside(cost_ax)
    _ticks(cost_ax, axis)
    fig.suptitle(f"Service level and {_cost_words(per)} across the sweep", fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN, bottom=0.7, gap=0.95)
    return fig


def _cost_words(per: str) -> str:
    """ "daily cost", or "cost per week" (``per``: what the cost is per)."""
    return "daily cost" if per == "day" else f"cost per {per}"


def heat_figure(rows: list[Row], axes: list[Axis], currency: str,
                per: str = "day") -> plt.Figure:
    """The two-path sweep chart: heat maps of the service level of all types together and of
    the cost (per ``per``: "day", "week"); points with a missed cell outlined in red, others
    not meeting the target in amber."""
    a, b = axes[0], axes[1]
    shape = (len(a.values), len(b.values))
    fig, panels = plt.subplots(1, 2, figsize=(12, 0.6 * shape[0] + 3.8))
    for ax, key, label, scale, fmt in (
        (panels[0], "service_level", "Service level, all types (%)", 100, "{:.1f}"),
        (panels[1], "cost_total", f"Cost per {per} ({currency})", 1, "{:,.0f}"),
    ):
        values = np.array([float(r[key]) * scale for r in rows]).reshape(shape[0], -1)
        values = values[:, :shape[1]]
        image = ax.imshow(values, cmap="viridis" if key == "service_level" else "magma_r",
                          aspect="auto")
        for i, j in np.ndindex(values.shape):
            red, green, blue, _ = image.cmap(image.norm(values[i, j]))
            ink = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "white"
            ax.text(j, i, fmt.format(values[i, j]), ha="center", va="center",
                    color=ink, fontsize=9)
        for n, row in enumerate(rows[:values.size]):
            colour = (MISSED_COLOUR if row.get("cells_missed") else
                      SHORT_COLOUR if row.get("meets_target") == "no" else None)
            if colour is not None:
                i, j = divmod(n, shape[1])
                ax.add_patch(Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False,
                                       edgecolor=colour, linewidth=2.5))
        ax.set_xticks(range(shape[1]), [wrap_label(v, 14) for v in b.values], fontsize=8)
        ax.set_yticks(range(shape[0]), [wrap_label(v, 14) for v in a.values], fontsize=8)
        ax.set_xlabel(b.path, fontsize=8)
        ax.set_ylabel(a.path, fontsize=8)
        ax.set_title(label)
        fig.colorbar(image, ax=ax)
    fig.suptitle(f"Sweep: service level and {_cost_words(per)} (outlined: red, a cell "
                 "missed; amber, target not met otherwise)", fontweight="bold", fontsize=11)
    fig.tight_layout()
    return fig


def sweep_chart(rows: list[Row], axes: list[Axis], results: list[RunResult],
                currency: str) -> bytes:
    """``sweep.png``: the line chart for one varied path, heat maps for two."""
    if len(axes) == 1:
        return to_bytes(line_figure(rows, axes[0], results, currency))
    return to_bytes(heat_figure(rows, axes, currency, period(results[0].scenario)))
