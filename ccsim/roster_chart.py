"""``roster.png``: a weekly roster as a manager reads it, who works on which day.

Per agent group, a bar per day of the week stacked by shift template (agents working that
shift that day), the day's total agents on top. Drawn from plain data, the ``roster.per_day``
of ``plan.json``: group → day label ("Mon") → shift template name → agents.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ccsim.charts import (
    LEGEND_MARGIN,
    MISSED_COLOUR,
    PALETTE,
    WIDTH,
    fixed_layout,
    legend_beside,
    to_bytes,
)
from ccsim.sim.scenario import Scenario

PerDay = Mapping[str, Mapping[str, Mapping[str, int]]]
"""group → day label → shift template name → agents working it that day."""


def day_order(scenario: Scenario, per_day: PerDay) -> list[str]:
    """The days of the chart: the horizon's day labels in order ("Mon".."Sun"), then any other
    label the roster names, as it names them."""
    h = scenario.horizon
    days = [h.day_label(d) for d in range(h.days)]
    extra = [day for group in per_day.values() for day in group if day not in days]
    return days + list(dict.fromkeys(extra))


def shift_order(scenario: Scenario, per_day: PerDay) -> list[str]:
    """The shift templates in the scenario's order, then any other the roster names."""
    known = [t.name for t in scenario.optimise.shifts] if scenario.optimise else []
    named = [s for group in per_day.values() for day in group.values() for s in day]
    return [s for s in known if s in named] + [s for s in dict.fromkeys(named) if s not in known]


def day_totals(per_day: PerDay, group: str, days: list[str]) -> list[int]:
    """Agents of ``group`` working on each of ``days`` (all shifts)."""
    return [sum(per_day[group].get(day, {}).values()) for day in days]


def _check(per_day: PerDay) -> None:
    for group, days in per_day.items():
        for day, shifts in days.items():
            for shift, agents in shifts.items():
                if not isinstance(agents, int | np.integer) or agents < 0:
                    raise ValueError(f"roster of {group!r} on {day!r}: {shift!r} has "
                                     f"{agents!r} agents; a whole number >= 0 was expected")


def roster_figure(scenario: Scenario, per_day: PerDay) -> plt.Figure:
    """Per group, agents working each day stacked by shift template, the total on top."""
    _check(per_day)
    days, shifts = day_order(scenario, per_day), shift_order(scenario, per_day)
    palette = [c for c in PALETTE if c != MISSED_COLOUR]  # red means a missed target
    colours = {s: palette[n % len(palette)] for n, s in enumerate(shifts)}
    groups = list(per_day)
    fig, axes = plt.subplots(max(1, len(groups)), 1, figsize=(WIDTH, 2.9 * len(groups) + 1.3),
                             squeeze=False)
    x = np.arange(len(days))
    for group, ax in zip(groups, axes[:, 0], strict=False):
        bottom = np.zeros(len(days))
        top = max([1, *day_totals(per_day, group, days)])
        for shift in shifts:
            agents = np.array([per_day[group].get(day, {}).get(shift, 0) for day in days])
            if agents.any():
                ax.bar(x, agents, bottom=bottom, width=0.62, color=colours[shift], label=shift)
                for j in np.flatnonzero(agents >= 0.06 * top):
                    ax.text(j, bottom[j] + agents[j] / 2, str(agents[j]), ha="center",
                            va="center", fontsize=7, color="white")
            bottom += agents
        for i, total in enumerate(bottom):
            ax.text(i, total + 0.02 * top, f"{total:.0f}", ha="center", va="bottom",
                    fontsize=9, fontweight="bold")
        ax.set_ylim(0, 1.15 * top)
        ax.set_xticks(x, days, fontsize=9)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.grid(axis="y", alpha=0.3)
        ax.set_ylabel("Agents working")
        ax.set_title(f"{group}: agents working each day by shift (total on top; "
                     f"{sum(bottom):.0f} agent-days)", fontsize=10, loc="left")
        if ax.get_legend_handles_labels()[0]:
            legend_beside(ax)
        else:
            ax.text(0.5, 0.5, "nobody rostered", transform=ax.transAxes, ha="center",
                    color="#777777")
    fig.suptitle(f"{scenario.name}: the weekly roster", fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN, bottom=0.55, gap=0.8)
    return fig


def roster_image(scenario: Scenario, per_day: PerDay, fmt: str = "png") -> bytes:
    """The roster chart as PNG or SVG bytes, to embed in report.html (caption
    ``report.CAPTIONS["roster"]``) as well as to write."""
    return to_bytes(roster_figure(scenario, per_day), fmt)


def roster_chart(scenario: Scenario, per_day: PerDay, path: Path | str) -> Path:
    """Write the roster chart of ``per_day`` to ``path`` (PNG or SVG by its extension);
    return the path. A negative or fractional count is a ``ValueError``."""
    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    if fmt not in ("png", "svg"):
        raise ValueError(f"roster chart {path}: the extension must be .png or .svg")
    path.write_bytes(roster_image(scenario, per_day, fmt))
    return path
