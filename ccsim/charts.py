"""Charts for planners and managers: titled, with units, currency and confidence bands.

Every chart is drawn to bytes (PNG or SVG), so the same figure is written as a file and
embedded in ``report.html``.
"""

from __future__ import annotations

import io
import re
import textwrap

import matplotlib

matplotlib.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from ccsim.report import runs_text  # noqa: E402
from ccsim.sim.kpi_registry import wait_text  # noqa: E402
from ccsim.sim.runner import RunResult  # noqa: E402
from ccsim.sim.scenario_parts import Horizon  # noqa: E402
from ccsim.sim.stats import share_estimate  # noqa: E402
from ccsim.sim.verdict import MET, MISSED, VERDICTS, WITHIN_NOISE, verdict  # noqa: E402

PALETTE = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3"]

WIDTH = 11.5
"""Width of a run chart in inches: the data area of a 10-inch chart plus the legend beside it."""

LEGEND_MARGIN = 2.25
"""Right margin in inches that holds a legend beside the axes, outside the data."""

MISSED_COLOUR = "#C44E52"


def to_bytes(fig: plt.Figure, fmt: str = "png") -> bytes:
    """The figure as PNG or SVG bytes; the figure is closed.

    SVG keeps its text as text (``svg.fonttype: none``): half the size, drawn in two thirds of
    the time, and the labels stay searchable and crisp in a browser.
    """
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "ccsim"}):
        fig.savefig(buffer, format=fmt, dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def fixed_layout(fig: plt.Figure, top: float = 0.65, bottom: float = 0.8, left: float = 0.8,
                 right: float = 0.25, gap: float = 0.95) -> None:
    """Margins and the gap between stacked panels, in inches.

    Fixed margins instead of ``tight_layout``, which draws the whole figure once more only to
    measure it: a run's report draws four charts, and that second draw was a third of the time.
    The margins fit rotated HH:MM ticks, a panel title and a suptitle.
    """
    width, height = fig.get_size_inches()
    rows = max(1, len(fig.axes))
    panel = (height - top - bottom - (rows - 1) * gap) / rows
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, hspace=gap / panel if rows > 1 else 0.2)


def wrap_label(text: str, width: int) -> str:
    """``text`` in lines of at most ``width``, broken after ``,``, ``=``, ``-``, a space or a
    ``.`` that is not a decimal point (a label such as ``generalists.staffing_scale=0.9`` has
    no spaces); a piece longer than ``width`` is cut into ``width``-long parts."""
    pieces = [p for p in re.split(r"(?<=[,= -])|(?<=\.)(?!\d)", text) if p]
    lines: list[str] = []
    current = ""
    for piece in pieces:
        while len(piece) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(piece[:width])
            piece = piece[width:]
        if len(current) + len(piece.rstrip()) > width:
            lines.append(current)
            current = ""
        current += piece
    if current:
        lines.append(current)
    return "\n".join(line.strip() for line in lines)


def _wrap(label: str) -> str:
    """A legend label wrapped to the width of ``LEGEND_MARGIN`` (``wrap_label``)."""
    return wrap_label(label, 30)


def legend_beside(ax: plt.Axes, fontsize: float = 7.5) -> None:
    """The axes' legend to the right of its data area, in ``LEGEND_MARGIN``, so it never
    hides a line or bar; long labels are wrapped to fit the margin."""
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, [_wrap(label) for label in labels], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=fontsize, frameon=False)


def clock_axis(ax: plt.Axes, clocks: list[str]) -> None:
    step = max(1, len(clocks) // 12)
    ticks = list(range(0, len(clocks), step))
    ax.set_xticks(ticks, [clocks[i] for i in ticks], rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(clocks) - 0.5)
    ax.grid(axis="y", alpha=0.3)


def slot_axis(ax: plt.Axes, horizon: Horizon) -> None:
    """The x axis over the horizon's slots (interval ``i`` of day ``d`` at ``d × intervals +
    i``): clock times for one day (``clock_axis``); for several, the day's label ("Mon")
    under the middle of each day and a grey line between days, the opening hours in the
    axis label. Past two weeks, every ``k``-th day is labelled so the labels never
    overlap."""
    n = horizon.intervals
    if horizon.days == 1:
        clock_axis(ax, [horizon.clock(i) for i in range(n)])
        return
    step = -(-horizon.days // 14)
    days = range(0, horizon.days, step)
    ax.set_xticks([d * n + (n - 1) / 2 for d in days], [horizon.day_label(d) for d in days],
                  fontsize=8)
    ax.tick_params(axis="x", length=0)
    for d in range(1, horizon.days):
        ax.axvline(d * n - 0.5, color="#888888", linewidth=0.8, zorder=0.5)
    ax.set_xlim(-0.5, horizon.slots - 0.5)
    ax.set_xlabel(f"Day (each open {horizon.start}–{horizon.clock(n)}, "
                  f"{horizon.interval_minutes}-min intervals)", fontsize=8)
    ax.grid(axis="y", alpha=0.3)


def _band(ax: plt.Axes, estimates: list, colour: str, label: str,
          band_label: str | None = None, scale: float = 100, day: int | None = None) -> None:
    """A KPI per interval as a line with its 95% confidence band (CI bounds may be NaN);
    with ``day`` (intervals per day) of a multi-day run, smaller markers and a gap at each
    closed night, so no line joins one day's close to the next day's opening."""
    x = np.arange(len(estimates), dtype=float)
    columns = np.array([[scale * e.lo, scale * e.hi, scale * e.mean] for e in estimates],
                       dtype=float).reshape(-1, 3)
    if day is not None:
        nights = np.arange(day, len(estimates), day)
        x = np.insert(x, nights, nights - 0.5)
        columns = np.insert(columns, nights, np.nan, axis=0)
    ax.fill_between(x, columns[:, 0], columns[:, 1], color=colour, alpha=0.18,
                    label=band_label)
    ax.plot(x, columns[:, 2], color=colour, marker="o", markersize=3 if day is None else 1.5,
            label=label)


def _type_rows(result: RunResult) -> list[tuple[str, list]]:
    """Per contact type, its interval rows of the summary (in interval order)."""
    return [(t.name, [r for r in result.summary.intervals if r.contact_type == t.name])
            for t in result.scenario.contact_types]


def _shade_missed(ax: plt.Axes, estimates: list, target: float) -> None:
    """Shade the intervals whose verdict (``sim/verdict.py``) is ``missed``: the 95% upper
    bound below the target. Adjacent missed intervals share one span."""
    missed = [verdict(e.mean, e.hi, target) == MISSED for e in estimates]
    label: str | None = "Missed: 95% upper bound below target"
    start = None
    for i, miss in enumerate([*missed, False]):
        if miss and start is None:
            start = i
        elif not miss and start is not None:
            ax.axvspan(start - 0.5, i - 0.5, color=MISSED_COLOUR, alpha=0.2, linewidth=0,
                       zorder=0, label=label)
            label = None
            start = None


def service_level_figure(result: RunResult) -> plt.Figure:
    """Service level per interval with its 95% band and the target, one panel per type; the
    intervals that miss the target (verdict ``missed``) are shaded."""
    scenario = result.scenario
    types = _type_rows(result)
    fig, axes = plt.subplots(len(types), 1, figsize=(WIDTH, 2.6 * len(types) + 0.8),
                             squeeze=False)
    week = scenario.horizon.days > 1
    for (name, rows), ax, colour in zip(types, axes[:, 0], PALETTE * 4, strict=False):
        target = scenario.service_level_of(scenario.contact_types[scenario.type_index(name)])
        estimates = [r.kpis["service_level"] for r in rows]
        _band(ax, estimates, colour, "Service level", "95% confidence band",
              day=scenario.horizon.intervals if week else None)
        ax.axhline(100 * target.target, color=MISSED_COLOUR, linestyle="--",
                   label=f"Target {target.target:.0%} answered in "
                         f"{wait_text(target.threshold_s)}")
        _shade_missed(ax, estimates, target.target)
        ax.set_ylim(0, 105)
        ax.set_ylabel("Service level (%)")
        ax.set_title(f"{name}: service level by interval", fontsize=10, loc="left")
        legend_beside(ax)
        if week:
            slot_axis(ax, scenario.horizon)
        else:
            clock_axis(ax, [r.start for r in rows])
    fig.suptitle(f"{scenario.name}: service level ({runs_text(result)})", fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN)
    return fig


VERDICT_COLOURS = {MET: "#6BAF78", WITHIN_NOISE: "#E8B04A", MISSED: MISSED_COLOUR}
"""Chart colours of the verdicts: green, amber and red, as report.html and the console."""
NO_VERDICT_COLOUR = "#E6E6E6"
"""A cell without contacts (no verdict)."""


def type_verdicts(result: RunResult) -> dict[str, list[str | None]]:
    """Per contact type, the verdict of its service level in each interval (the rule of
    ``sim/verdict.py``; None where nobody was offered)."""
    scenario = result.scenario
    out = {}
    for name, rows in _type_rows(result):
        target = scenario.service_level_of(
            scenario.contact_types[scenario.type_index(name)]).target
        out[name] = [verdict(r.kpis["service_level"].mean, r.kpis["service_level"].hi, target)
                     for r in rows]
    return out


def worst_verdict(verdicts: list[str | None]) -> str | None:
    """The worst of some verdicts (missed before within noise before met); None if none."""
    known = [v for v in verdicts if v is not None]
    return max(known, key=VERDICTS.index) if known else None


def _left_margin(names: list[str]) -> float:
    """Left margin in inches that fits the longest of ``names`` as a y tick label (8 pt),
    at least the usual 0.8."""
    return max(0.8, 0.065 * max(map(len, names), default=0) + 0.25)


def _verdict_strip(ax: plt.Axes, verdicts: dict[str, list[str | None]]) -> None:
    """One row per contact type, one cell per interval, coloured by the cell's verdict."""
    names = list(verdicts)
    for row, name in enumerate(names):
        for i, v in enumerate(verdicts[name]):
            ax.add_patch(Rectangle((i - 0.5, row - 0.5), 1, 1, linewidth=0.8, edgecolor="white",
                                   facecolor=NO_VERDICT_COLOUR if v is None
                                   else VERDICT_COLOURS[v]))
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_ylabel("Contact type", fontsize=8)
    ax.tick_params(axis="y", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    handles = [Patch(facecolor=VERDICT_COLOURS[v], label=f"{v}") for v in VERDICTS]
    handles.append(Patch(facecolor=NO_VERDICT_COLOUR, label="no contacts"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0,
              fontsize=7.5, frameon=False, title="Simulated verdict", title_fontsize=7.5,
              alignment="left")
    ax.set_title("Service level verdict by interval and contact type (simulated)",
                 fontsize=10, loc="left")


def _verdict_bars(ax: plt.Axes, staffing: np.ndarray, worst: list[str | None]) -> None:
    """Agents on the phones as bars coloured by the worst verdict of the group's skills in
    each interval (grey where none of its skills had contacts); one legend entry per colour
    used."""
    labels = {MET: "Agents on the phones (every cell of its skills met)",
              WITHIN_NOISE: "Agents on the phones (a cell of its skills within noise)",
              MISSED: "Agents on the phones (a cell of its skills missed)"}
    for v in (*VERDICTS, None):
        chosen = [i for i, w in enumerate(worst) if w == v]
        if chosen:
            ax.bar(chosen, staffing[chosen], width=0.8,
                   color=NO_VERDICT_COLOUR if v is None else VERDICT_COLOURS[v],
                   label="Agents on the phones (no contacts)" if v is None else labels[v])


def _per_slot(values: np.ndarray, horizon: Horizon) -> np.ndarray | None:
    """A group's per-interval figures over the horizon's slots: as they are when there is one
    per slot, one day's repeated every day, None (not drawn) when they fit neither."""
    if values.size == horizon.slots:
        return values
    return np.tile(values, horizon.days) if values.size == horizon.intervals else None


def staffing_figure(result: RunResult, requirement: np.ndarray | None,
                    label: str) -> plt.Figure:
    """Agents on the phones per interval and group, against the simulated verdict.

    On top, the service level's verdict (``sim/verdict.py``) of every interval × contact type
    cell; below, one panel per group with its agents on the phones (whole-number ticks), the
    intervals shaded where a cell of one of its skills missed (red) or is within noise
    (amber), and, for a plan, the ``requirement`` beside them. A verdict belongs to a
    contact type, not a group: a shaded interval says which staffing serves the cells that
    fall short, not that this group alone is short."""
    scenario = result.scenario
    staffing = np.asarray(scenario.staffing_matrix())
    slots = scenario.horizon.slots
    verdicts = type_verdicts(result)
    n_g, n_t = len(scenario.agent_groups), len(verdicts)
    strip = 0.3 * n_t + 0.3
    fig, axes = plt.subplots(
        n_g + 1, 1, figsize=(WIDTH, 2.4 * n_g + strip + 1.6), squeeze=False, sharex=True,
        gridspec_kw={"height_ratios": [strip, *([2.4 - 0.95] * n_g)]})
    _verdict_strip(axes[0, 0], verdicts)
    x = np.arange(slots)
    for g, (group, ax) in enumerate(zip(scenario.agent_groups, axes[1:, 0], strict=True)):
        _verdict_bars(ax, staffing[g], [worst_verdict([verdicts[k][i] for k in group.skill_names])
                                        for i in range(slots)])
        need = None if requirement is None else _per_slot(np.asarray(requirement[g]),
                                                           scenario.horizon)
        if need is not None:
            ax.step(x, need, where="mid", color="black", linewidth=1.8,
                    label=label[:1].upper() + label[1:])
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], integer=True))
        ax.set_ylabel("Agents on the phones")
        ax.set_title(f"{group.name} (skills: {', '.join(group.skill_names)})", fontsize=10,
                     loc="left")
        legend_beside(ax)
        slot_axis(ax, scenario.horizon)
    for ax in axes[:-1, 0]:
        ax.tick_params(axis="x", labelbottom=True)
    slot_axis(axes[0, 0], scenario.horizon)
    axes[0, 0].grid(False)
    runs = (f"{result.replications} days" if scenario.horizon.days == 1
            else runs_text(result))
    fig.suptitle(f"{scenario.name}: agents on the phones against the simulated verdict "
                 f"({runs})", fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN, left=_left_margin(list(verdicts)))
    return fig


def occupancy_figure(result: RunResult) -> plt.Figure:
    """Occupancy of each agent group per interval, with 95% bands."""
    scenario, tallies = result.scenario, result.tallies
    week = scenario.horizon.days > 1
    fig, ax = plt.subplots(figsize=(WIDTH, 3.8))
    for g, group in enumerate(scenario.agent_groups):
        estimates = [share_estimate(tallies.group_sum("busy_s", i, [g]),
                                    tallies.group_sum("present_s", i, [g]))
                     for i in range(scenario.horizon.slots)]
        _band(ax, estimates, PALETTE[g % len(PALETTE)], group.name,
              day=scenario.horizon.intervals if week else None)
    ax.set_ylim(0, 105)
    ax.set_ylabel("Occupancy (%)")
    legend_beside(ax, fontsize=8)
    slot_axis(ax, scenario.horizon)
    ax.set_title(f"{scenario.name}: occupancy (% of staffed time busy) by agent group",
                 fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN)
    return fig


def abandonment_figure(result: RunResult) -> plt.Figure:
    """Abandonment rate per interval and contact type, with 95% bands."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.8))
    horizon = result.scenario.horizon
    for (name, rows), colour in zip(_type_rows(result), PALETTE * 4, strict=False):
        _band(ax, [r.kpis["abandon_rate"] for r in rows], colour, name,
              day=horizon.intervals if horizon.days > 1 else None)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("Abandoned (% of offered)")
    legend_beside(ax, fontsize=8)
    slot_axis(ax, horizon)
    ax.set_title(f"{result.scenario.name}: abandonment by interval and contact type",
                 fontweight="bold")
    fixed_layout(fig, right=LEGEND_MARGIN)
    return fig


def run_charts(result: RunResult, fmt: str = "png", requirement: np.ndarray | None = None,
               requirement_label: str = "") -> dict[str, bytes]:
    """Every per-run chart, by file name; a plan's staffing chart shows its ``requirement``
    [group, slot] beside the staffing. A multi-day run adds the week's charts
    (``week_chart``): the heat map of the verdict by day × interval and the days."""
    figures = {
        "service_level": service_level_figure(result),
        "staffing": staffing_figure(result, requirement, requirement_label),
        "occupancy": occupancy_figure(result),
        "abandonment": abandonment_figure(result),
    }
    charts = {f"{name}.{fmt}": to_bytes(figure, fmt) for name, figure in figures.items()}
    if result.scenario.horizon.days > 1:
        from ccsim.week_chart import week_charts  # it imports this module's helpers

        charts.update(week_charts(result, fmt))
    return charts

COMPONENTS = (  # cost key, legend label, colour
    ("agents", "Agents (paid hours)", "#4C72B0"),
    ("self_service", "Self-service contacts", "#55A868"),
    ("self_service_options", "Self-service option (build and run)", "#C9A227"),
    ("abandonment", "Abandoned callers (penalty)", "#C44E52"),
)


def stacked_costs(ax: plt.Axes, costs: list[dict[str, float]]) -> np.ndarray:
    """Daily costs as bars stacked by component, each total written on top; the totals."""
    x = np.arange(len(costs))
    bottom = np.zeros(len(costs))
    for key, label, colour in COMPONENTS:
        values = np.array([c.get(key, 0.0) for c in costs])
        ax.bar(x, values, bottom=bottom, color=colour, label=label, width=0.6)
        bottom += values
    top = bottom.max() if len(costs) else 1.0
    for i, total in enumerate(bottom):
        ax.text(i, total + top * 0.01, f"{total:,.0f}", ha="center", va="bottom", fontsize=9)
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
    return bottom


def self_service_chart(
    labels: list[str], costs: list[dict[str, float]], service_levels: list[float],
    chosen: int, target: float, currency: str, title: str, fmt: str = "png",
) -> bytes:
    """Total cost per day stacked by component for each option, the chosen one marked, and
    the service level each achieves (verifying simulation) beside it; one legend for both
    panels, below them, so it covers no bar."""
    n = len(labels)
    fig, (ax, ax_sl) = plt.subplots(
        1, 2, figsize=(max(8.0, 2.2 * n + 4), 6.0), gridspec_kw={"width_ratios": [3, 1.2]})
    x = np.arange(n)
    bottom = stacked_costs(ax, costs)
    top = bottom.max() if n else 1.0
    ax.bar([chosen], [bottom[chosen]], width=0.68, fill=False, edgecolor="black", linewidth=2.5)
    ax.annotate("chosen: cheapest meeting the target", (chosen, bottom[chosen] + top * 0.07),
                ha="center", fontsize=9, fontweight="bold")
    ax.set_xticks(x, [textwrap.fill(label, 22) for label in labels], fontsize=9)
    ax.set_ylabel(f"Cost per day ({currency})")
    ax.set_ylim(0, top * 1.18)
    ax.set_title("Total daily cost by option")

    colours = ["black" if i == chosen else "#888888" for i in range(n)]
    ax_sl.barh(x, [100 * v for v in service_levels], color=colours, height=0.5)
    ax_sl.axvline(100 * target, color="#C44E52", linestyle="--",
                  label=f"Service level target {target:.0%}")
    for i, v in enumerate(service_levels):
        ax_sl.text(100 * v + 1, i, f"{v:.1%}", va="center", fontsize=9)
    ax_sl.set_yticks(x, [textwrap.fill(label, 22) for label in labels], fontsize=9)
    ax_sl.invert_yaxis()
    ax_sl.set_xlim(0, 115)
    ax_sl.set_xlabel("Service level achieved (%)")
    ax_sl.set_title("Service level")
    handles, names = ax.get_legend_handles_labels()
    target_handles, target_names = ax_sl.get_legend_handles_labels()
    fig.legend(handles + target_handles, names + target_names, loc="lower center", ncol=3,
               fontsize=8, frameon=False)
    fig.suptitle(title, fontsize=12, fontweight="bold")
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return to_bytes(fig, fmt)
