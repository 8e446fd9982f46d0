"""The charts of a multi-day run: where in the week the target is missed, and each day.

``heatmap.png``: per contact type, the service level of every day × interval cell coloured by
its verdict (``ccsim.sim.verdict``: green met, amber within noise, red missed; grey where
nobody was offered), days as rows, clock times as columns, the service level written in the
cell. ``days.png``: each type's service level per day with its 95% interval and target, days
that miss or are within noise ringed, above the agent hours of each day by group.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import MaxNLocator

from ccsim.charts import (
    LEGEND_MARGIN,
    NO_VERDICT_COLOUR,
    PALETTE,
    VERDICT_COLOURS,
    WIDTH,
    clock_axis,
    fixed_layout,
    legend_beside,
    to_bytes,
)
from ccsim.report import runs_text
from ccsim.sim.kpi_registry import wait_text
from ccsim.sim.runner import RunResult
from ccsim.sim.stats import Estimate
from ccsim.sim.verdict import MISSED, VERDICTS, WITHIN_NOISE, verdict

TYPE_COLOURS = [c for c in PALETTE if c != VERDICT_COLOURS[MISSED]]
"""Contact-type colours without the red of ``missed``, which these charts ring days with."""
TARGET_GREY = "#555555"
"""A target line shared by several contact types."""
ROW_IN = 0.26
"""Height of one day's row of the heat map, inches (less when the horizon is long)."""
PANEL_MAX_IN = 8.0
"""Tallest heat-map panel, inches: a horizon of months gets thinner rows."""


@dataclass(frozen=True)
class HeatMap:
    """One contact type's service level by day × interval, as the heat map draws it."""

    contact_type: str
    target: float
    """The type's service-level target, a fraction."""
    threshold_s: float
    """Answered within this many seconds counts as in time."""
    service_level: np.ndarray
    """Point estimates [day, interval], fractions; NaN where nobody was offered."""
    verdicts: list[list[str | None]]
    """The verdict of each cell [day][interval] (None: no contacts, no verdict)."""

    def cells(self, wanted: str) -> list[tuple[int, int]]:
        """The (day, interval) cells whose verdict is ``wanted``."""
        return [(d, i) for d, row in enumerate(self.verdicts) for i, v in enumerate(row)
                if v == wanted]


def heat_maps(result: RunResult) -> list[HeatMap]:
    """Per contact type, its service level and verdict in every day × interval cell of the
    run (the cells of ``interval_cells``, laid out by day)."""
    scenario = result.scenario
    h = scenario.horizon
    maps = []
    for t in scenario.contact_types:
        sl = scenario.service_level_of(t)
        values = np.full((h.days, h.intervals), np.nan)
        verdicts: list[list[str | None]] = [[None] * h.intervals for _ in range(h.days)]
        for r in result.summary.intervals:
            if r.contact_type == t.name:
                e = r.kpis["service_level"]
                values[r.day, r.interval] = e.mean
                verdicts[r.day][r.interval] = verdict(e.mean, e.hi, sl.target)
        maps.append(HeatMap(t.name, sl.target, sl.threshold_s, values, verdicts))
    return maps


def _heat_panel(ax: plt.Axes, heat: HeatMap, result: RunResult, row_in: float) -> None:
    """One type's cells coloured by verdict, the service level (%) written in each when the
    rows are tall enough to read it."""
    h = result.scenario.horizon
    for d, row in enumerate(heat.verdicts):
        for i, v in enumerate(row):
            ax.add_patch(Rectangle((i - 0.5, d - 0.5), 1, 1, linewidth=0.6, edgecolor="white",
                                   facecolor=NO_VERDICT_COLOUR if v is None
                                   else VERDICT_COLOURS[v]))
            value = heat.service_level[d, i]
            if row_in >= 0.2 and v is not None:
                ax.text(i, d, f"{100 * value:.0f}", ha="center", va="center", fontsize=6.5,
                        color="white" if v == MISSED else "black")
    ax.set_ylim(h.days - 0.5, -0.5)
    step = max(1, -(-h.days // 31))
    ax.set_yticks(range(0, h.days, step), [h.day_label(d) for d in range(0, h.days, step)],
                  fontsize=8)
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    clock_axis(ax, [h.clock(i) for i in range(h.intervals)])
    ax.grid(False)
    counts = {v: len(heat.cells(v)) for v in VERDICTS}
    ax.set_title(f"{heat.contact_type}: target {heat.target:.0%} answered in "
                 f"{wait_text(heat.threshold_s)}; cells {counts['met']} met, "
                 f"{counts[WITHIN_NOISE]} within noise, {counts[MISSED]} missed",
                 fontsize=10, loc="left")


def heatmap_figure(result: RunResult) -> plt.Figure:
    """Service level by day × interval, one panel per contact type, coloured by verdict."""
    scenario = result.scenario
    maps = heat_maps(result)
    days = scenario.horizon.days
    row_in = min(ROW_IN, PANEL_MAX_IN / days)
    panel = row_in * days
    gap = 0.95
    height = 0.65 + 0.8 + len(maps) * panel + (len(maps) - 1) * gap
    fig, axes = plt.subplots(len(maps), 1, figsize=(WIDTH, height), squeeze=False)
    for heat, ax in zip(maps, axes[:, 0], strict=True):
        _heat_panel(ax, heat, result, row_in)
    handles = [Patch(facecolor=VERDICT_COLOURS[v], label=v) for v in VERDICTS]
    handles.append(Patch(facecolor=NO_VERDICT_COLOUR, label="no contacts"))
    axes[0, 0].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      borderaxespad=0, fontsize=7.5, frameon=False,
                      title="Verdict of the cell\n(number: service level %)", title_fontsize=7.5,
                      alignment="left")
    fig.suptitle(f"{scenario.name}: where the service level misses its target "
                 f"({runs_text(result)})", fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN, gap=gap)
    return fig


def _day_estimates(result: RunResult, name: str) -> list[Estimate]:
    """The type's (or "all"'s) KPIs of each day, in day order."""
    rows = {r.day: r for r in result.summary.days if r.contact_type == name}
    return [rows[d].kpis["service_level"] for d in range(result.scenario.horizon.days)]


def _target_lines(ax: plt.Axes, result: RunResult, colours: dict[str, str]) -> None:
    """One dashed line per distinct target share, in its type's colour, grey when several
    types share it (their thresholds named in the label)."""
    scenario = result.scenario
    sharing: dict[float, list[str]] = defaultdict(list)
    for t in scenario.contact_types:
        sl = scenario.service_level_of(t)
        sharing[sl.target].append(f"{t.name} in {wait_text(sl.threshold_s)}")
    for target, names in sharing.items():
        colour = colours[names[0].split(" in ")[0]] if len(names) == 1 else TARGET_GREY
        ax.axhline(100 * target, color=colour, linestyle="--", linewidth=1.1,
                   label=f"Target {target:.0%}: {', '.join(names)}")


def _service_level_panel(ax: plt.Axes, result: RunResult) -> None:
    """Each type's service level per day with 95% whiskers, side by side within a day; days
    that miss (red) or are within noise (amber) ringed."""
    scenario = result.scenario
    h = scenario.horizon
    names = [t.name for t in scenario.contact_types]
    colours = {name: TYPE_COLOURS[n % len(TYPE_COLOURS)] for n, name in enumerate(names)}
    width = 0.7 / len(names)
    lows = []
    rings: dict[str, tuple[list[float], list[float]]] = {MISSED: ([], []),
                                                         WITHIN_NOISE: ([], [])}
    for n, t in enumerate(scenario.contact_types):
        target = scenario.service_level_of(t).target
        estimates = _day_estimates(result, t.name)
        x = np.arange(h.days) - 0.35 + width * (n + 0.5)
        mean = np.array([100 * e.mean for e in estimates])
        lo = np.array([100 * e.lo for e in estimates])
        hi = np.array([100 * e.hi for e in estimates])
        errors = np.nan_to_num(np.vstack([mean - lo, hi - mean]), nan=0.0)
        ax.errorbar(x, mean, yerr=errors, fmt="o", markersize=4.5, capsize=2.5,
                    color=colours[t.name], label=t.name)
        lows.extend(lo[np.isfinite(lo)])
        for xi, e in zip(x, estimates, strict=True):
            v = verdict(e.mean, e.hi, target)
            if v in rings:
                rings[v][0].append(float(xi))
                rings[v][1].append(100 * e.mean)
    _target_lines(ax, result, colours)
    for v, text in ((MISSED, "Missed: the day's 95% upper bound below target"),
                    (WITHIN_NOISE, "Within noise: below target, upper bound reaches it")):
        if rings[v][0]:
            ax.scatter(*rings[v], s=120, facecolors="none", edgecolors=VERDICT_COLOURS[v],
                       linewidths=2, zorder=3, label=text)
    targets = [100 * scenario.service_level_of(t).target for t in scenario.contact_types]
    floor = min([*lows, *targets]) if lows else min(targets)
    ax.set_ylim(max(0.0, 10 * np.floor(floor / 10) - 5), 102)
    ax.set_ylabel("Service level over the day (%)")
    ax.set_title("Service level per day and contact type (whiskers: 95% CI)", fontsize=10,
                 loc="left")
    _day_ticks(ax, result)
    legend_beside(ax)


def _day_ticks(ax: plt.Axes, result: RunResult) -> None:
    h = result.scenario.horizon
    step = -(-h.days // 14)
    ax.set_xticks(range(0, h.days, step), [h.day_label(d) for d in range(0, h.days, step)],
                  fontsize=8)
    ax.set_xlim(-0.6, h.days - 0.4)
    ax.grid(axis="y", alpha=0.3)


def day_hours(result: RunResult) -> np.ndarray:
    """Mean staffed agent hours [group, day] over the replications, hours (after the
    warm-up, as agent cost counts them)."""
    h = result.scenario.horizon
    groups = range(len(result.scenario.agent_groups))
    return np.array([[result.tallies.group_sum(
        "staffed_s", slice(d * h.intervals, (d + 1) * h.intervals), [g]).mean() / 3600.0
        for d in range(h.days)] for g in groups])


def _hours_panel(ax: plt.Axes, result: RunResult) -> None:
    """Agent hours per day stacked by group, each day's total and agent cost on top."""
    scenario = result.scenario
    hours = day_hours(result)
    x = np.arange(scenario.horizon.days)
    bottom = np.zeros(len(x))
    for g, group in enumerate(scenario.agent_groups):
        ax.bar(x, hours[g], bottom=bottom, width=0.6, color=PALETTE[g % len(PALETTE)],
               alpha=0.85, label=group.name)
        bottom += hours[g]
    costs = {r.day: r.kpis["agent_cost"].mean for r in result.summary.days
             if r.contact_type == "all"}
    top = float(bottom.max()) if len(bottom) else 1.0
    currency = scenario.costs.currency
    for d, total in enumerate(bottom):
        ax.text(d, total + 0.02 * top, f"{total:,.0f} h\n{costs.get(d, np.nan):,.0f} {currency}",
                ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 1.3 * top + 1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.set_ylabel("Agent hours on the phones")
    ax.set_title("Agent hours per day by group (on top: total hours and agent cost)",
                 fontsize=10, loc="left")
    _day_ticks(ax, result)
    legend_beside(ax)


def days_figure(result: RunResult) -> plt.Figure:
    """``days.png``: service level per day and type against the targets, above the agent
    hours per day."""
    fig, (ax_sl, ax_h) = plt.subplots(2, 1, figsize=(WIDTH, 7.6), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    _service_level_panel(ax_sl, result)
    ax_sl.tick_params(axis="x", labelbottom=True)
    _hours_panel(ax_h, result)
    fig.suptitle(f"{result.scenario.name}: the days of the week ({runs_text(result)})",
                 fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN, bottom=0.5, gap=0.7)
    return fig


def week_charts(result: RunResult, fmt: str = "png") -> dict[str, bytes]:
    """The multi-day charts by file name (``heatmap`` and ``days``); none for one day."""
    if result.scenario.horizon.days == 1:
        return {}
    return {f"heatmap.{fmt}": to_bytes(heatmap_figure(result), fmt),
            f"days.{fmt}": to_bytes(days_figure(result), fmt)}

