"""The shift chart of a plan: per agent group, how many agents start on which shift template,
and the coverage those shifts give through the day against the requirement.

Drawn from ``plan.json`` (plain data: ``shifts``, ``groups.<name>.staffing``,
``paid_agents`` and ``requirement``) and the scenario's shift templates, so it shows exactly
what the plan file says. A plan without shift templates has no shift chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from ccsim.charts import LEGEND_MARGIN, WIDTH, clock_axis, legend_beside, to_bytes
from ccsim.sim.scenario import Scenario, ShiftTemplate, clock_minutes

SHIFT_COLOUR = "#4C72B0"
"""Shifts with agents, and the agents on the phones."""
UNUSED_COLOUR = "#BBBBBB"
"""Templates the group may work that the plan leaves empty."""
ON_SHIFT_COLOUR = "#DD8452"
"""Paid agents on shift (breaks included)."""

GANTT_ROW = 0.32
"""Height of one template's row in inches."""
COVERAGE = 2.1
"""Height of a group's coverage panel in inches."""
GAP = 0.25
"""Gap between a group's templates and its coverage, inches."""
GROUP_GAP = 1.25
"""Gap after a group's coverage panel (rotated clock ticks and the next title), inches."""
TOP, BOTTOM, LEFT = 0.75, 0.85, 1.9
"""Margins in inches; the left one holds the template labels ("morning 09:00-13:00")."""


def _working_pieces(scenario: Scenario, template: ShiftTemplate) -> list[tuple[float, float]]:
    """The template's working time as (start, end) in interval units on the chart's x axis
    (interval i is centred on i), breaks cut out, clipped to the horizon."""
    h = scenario.horizon
    start = float(clock_minutes(template.start) - clock_minutes(h.start))
    pieces = [(start, start + 60 * template.length_h)]
    for brk in template.breaks:
        b0 = start + 60 * brk.after_h
        b1 = b0 + brk.minutes
        pieces = [p for a, b in pieces for p in ((a, min(b, b0)), (max(a, b1), b))
                  if p[1] > p[0]]
    end = h.intervals * h.interval_minutes
    return [(max(a, 0) / h.interval_minutes - 0.5, min(b, end) / h.interval_minutes - 0.5)
            for a, b in pieces if min(b, end) > max(a, 0)]


def _end_clock(template: ShiftTemplate) -> str:
    minutes = (clock_minutes(template.start) + round(60 * template.length_h)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _starts(plan: Mapping[str, Any], group: str) -> dict[str, int]:
    """Agents of ``group`` starting on each template, from ``plan.json``'s ``shifts``."""
    return {str(s["shift"]): int(s["agents"]) for s in plan["shifts"] if s["group"] == group}


def _gantt(ax: plt.Axes, scenario: Scenario, templates: list[ShiftTemplate],
           starts: dict[str, int]) -> None:
    """One row per template the group may work: its working time (breaks as gaps), with the
    number of agents who start on it written on the bar; empty templates in grey."""
    for row, template in enumerate(templates):
        agents = starts.get(template.name, 0)
        pieces = _working_pieces(scenario, template)
        colour = SHIFT_COLOUR if agents else UNUSED_COLOUR
        ax.broken_barh([(a, b - a) for a, b in pieces], (row - 0.35, 0.7), facecolors=colour)
        if pieces:
            a, b = max(pieces, key=lambda piece: piece[1] - piece[0])
            ax.text((a + b) / 2, row, f"{agents} agents" if agents != 1 else "1 agent",
                    ha="center", va="center", fontsize=8, fontweight="bold",
                    color="white" if agents else "#444444")
    ax.set_yticks(range(len(templates)),
                  [f"{t.name} {t.start}–{_end_clock(t)}" for t in templates], fontsize=8)
    ax.set_ylim(len(templates) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.tick_params(axis="x", labelbottom=False)
    ax.grid(axis="x", alpha=0.3)


def _coverage(ax: plt.Axes, group: Mapping[str, Any], clocks: list[str]) -> None:
    """Agents on the phones (bars), paid agents on shift (a step line) and the requirement
    (a dashed step line) through the day."""
    x = np.arange(len(clocks))
    ax.bar(x, group["staffing"], color=SHIFT_COLOUR, alpha=0.85, width=0.8,
           label="On the phones (net of shrinkage and breaks)")
    edges = np.arange(len(clocks) + 1) - 0.5
    ax.stairs(group["paid_agents"], edges, baseline=None, color=ON_SHIFT_COLOUR, linewidth=2,
              label="On shift (paid, breaks included)")
    ax.stairs(group["requirement"], edges, baseline=None, color="black", linestyle="--",
              linewidth=1.6, label="Requirement on the phones (simulation-corrected)")
    highest = max(max(group["paid_agents"]), max(group["requirement"]), max(group["staffing"]))
    ax.set_ylim(0, 1.12 * highest + 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))
    ax.set_ylabel("Agents")
    legend_beside(ax)
    clock_axis(ax, clocks)


def shift_figure(scenario: Scenario, plan: Mapping[str, Any]) -> plt.Figure | None:
    """Per group, the templates it may work with the agents starting on each, above the
    coverage they give against the requirement; None for a plan without shifts.

    ``plan`` is the ``plan.json`` document; ``scenario`` the one optimised (its shift
    templates and horizon)."""
    opt = scenario.optimise
    if opt is None or not opt.shifts or not plan.get("shifts"):
        return None
    clocks = list(plan["intervals"])
    groups = [(name, [t for t in opt.shifts if t.groups is None or name in t.groups])
              for name in plan["groups"]]
    heights = [(GANTT_ROW * len(templates) + 0.15, COVERAGE) for _, templates in groups]
    total = TOP + BOTTOM + sum(g + GAP + c for g, c in heights) + GROUP_GAP * (len(groups) - 1)
    fig = plt.figure(figsize=(WIDTH, total))
    top = total - TOP
    width = (WIDTH - LEFT - LEGEND_MARGIN) / WIDTH
    for (name, templates), (gantt_h, cover_h) in zip(groups, heights, strict=True):
        starts = _starts(plan, name)
        ax_g = fig.add_axes((LEFT / WIDTH, (top - gantt_h) / total, width, gantt_h / total))
        top -= gantt_h + GAP
        ax_c = fig.add_axes((LEFT / WIDTH, (top - cover_h) / total, width, cover_h / total),
                            sharex=ax_g)
        top -= cover_h + GROUP_GAP
        _gantt(ax_g, scenario, templates, starts)
        _coverage(ax_c, plan["groups"][name], clocks)
        paid = sum(starts.values())
        ax_g.set_title(f"{name}: {paid} agents on {sum(1 for v in starts.values() if v)} "
                       f"shift templates", fontsize=10, loc="left")
    fig.suptitle(f"{scenario.name}: shifts of the plan and the coverage they give "
                 f"(shrinkage {opt.shrinkage:.0%})", fontweight="bold", y=1 - 0.3 / total)
    return fig


def plan_charts(scenario: Scenario, plan: Mapping[str, Any], fmt: str = "png") -> dict[str, bytes]:
    """A plan's own charts by file name: ``shifts.<fmt>`` when it has shifts, else none."""
    figure = shift_figure(scenario, plan)
    return {} if figure is None else {f"shifts.{fmt}": to_bytes(figure, fmt)}
