"""``ccsim sweep``: a grid of what-ifs on common random numbers.

``--vary PATH=v1,v2,...`` (one or more) spans a grid; every point is the scenario with those
``--set`` overrides, simulated with the same seed, so differences between points are the
effect of the change, not of the draw. Each point gets a result folder; ``sweep.csv`` has one
row per point, with the point's service-level target and its verdict (the rule of
``ccsim.sim.verdict`` over its interval × type cells, as in its ``summary.json``), and
``sweep.png`` shows a line chart (one varied path: the target line, points that miss marked) or
heat maps (two: points with a missed cell outlined).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from ccsim import report
from ccsim.charts import to_bytes
from ccsim.compare import (
    VERDICT_NOTE,
    Row,
    cells_label,
    margin_label,
    meets_html,
    target_label,
    to_csv,
    verdict_fields,
)
from ccsim.output import run_report_charts, write_charts_and_report
from ccsim.results import verdict_json, write_run_files
from ccsim.sim.loader import ScenarioError, load_scenario
from ccsim.sim.runner import RunResult, simulate
from ccsim.sim.scenario import Scenario


@dataclass(frozen=True)
class Axis:
    """One varied path and its values (as written on the command line)."""

    path: str
    values: list[str]


def split_values(values: str) -> list[str] | None:
    """``"8,10,12"`` → ``["8", "10", "12"]``, split at the commas outside brackets, braces and
    quotes, so a list value keeps its own commas: ``"[10,12],[11,13]"`` →
    ``["[10,12]", "[11,13]"]``. None when the brackets or quotes do not balance."""
    items: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in values:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth < 0:
                return None
        elif char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    if depth or quote:
        return None
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def parse_vary(text: str, source: str) -> Axis:
    """``"agent_groups.team.staffing=8,10,12"`` → an Axis; bad syntax is bad input.

    Values are separated by commas; a list value is written in brackets, its own commas
    inside them (``staffing=[10,12,14],[11,13,15]``: two values)."""
    path, sep, values = text.partition("=")
    items = split_values(values)
    if items is None:
        raise ScenarioError(source, [f"--vary {text}: unbalanced brackets or quotes; write "
                                     "list values in brackets, e.g. "
                                     "agent_groups.team.staffing=[10,12,14],[11,13,15]"])
    if not sep or not path.strip() or not items:
        raise ScenarioError(source, [f"--vary {text}: expected PATH=v1,v2,..., e.g. "
                                     "agent_groups.team.staffing=8,10,12 or "
                                     "agent_groups.team.staffing_scale=0.9,1,1.1"])
    return Axis(path.strip(), items)


def grid(scenario_path: Path, axes: list[Axis], sets: list[str]) -> list[tuple[dict, Scenario]]:
    """Every point of the grid, validated before anything runs."""
    points = []
    for values in itertools.product(*(a.values for a in axes)):
        point = {a.path: v for a, v in zip(axes, values, strict=True)}
        overrides = [*sets, *(f"{p}={v}" for p, v in point.items())]
        points.append((point, load_scenario(scenario_path, overrides)))
    return points


MISSED_COLOUR = "#b3261e"
"""Points with a missed cell: red, as report.html's "missed"."""
SHORT_COLOUR = "#9a6700"
"""Points with no missed cell that still do not meet the target (cells within noise, or 95% CIs
wider than the precision): amber, as report.html's "within noise"."""


COST_COLOUR = "#8172B3"
"""The cost line: purple, so red means a missed target only."""


def _missed(row: Row) -> bool:
    """Whether any of the point's interval × type cells missed the target."""
    return bool(row.get("cells_missed"))


def _shared_target(rows: list[Row]) -> float | None:
    """The service-level target every point shares (None when a point has none or they
    differ)."""
    targets = {r.get("service_level_target") for r in rows}
    target = targets.pop() if len(targets) == 1 else None
    return float(target) if isinstance(target, int | float) else None


def sweep_chart(rows: list[Row], axes: list[Axis], currency: str) -> bytes:
    """Service level and cost over the grid: lines for one path, heat maps for two.

    On the line chart, the target (when every contact type and point share one) is a dashed
    line, and points that do not meet it are marked: red with a missed cell, amber otherwise.
    On the heat maps, points with a missed cell are outlined in red."""
    if len(axes) == 1:
        fig, ax = plt.subplots(figsize=(8, 5))
        x = np.arange(len(rows))
        sl = [100 * float(r["service_level"]) for r in rows]
        ax.plot(x, sl, marker="o", color="#4C72B0", label="service level (95% CI band)")
        ax.fill_between(x, [100 * float(r["service_level_lo"]) for r in rows],
                        [100 * float(r["service_level_hi"]) for r in rows],
                        color="#4C72B0", alpha=0.2)
        target = _shared_target(rows)
        if target is not None:
            ax.axhline(100 * target, color="#555555", linestyle="--", linewidth=1,
                       label=f"target {target_label(rows[0])}")
        for colour, label, chosen in (
            (MISSED_COLOUR, "a cell missed", [_missed(r) for r in rows]),
            (SHORT_COLOUR, "no cell missed, target not met",
             [not _missed(r) and r.get("meets_target") == "no" for r in rows]),
        ):
            if any(chosen):
                ax.scatter(x[chosen], np.array(sl)[chosen], s=90, facecolors="none",
                           edgecolors=colour, linewidths=2, zorder=3, label=label)
        ax.set_ylabel("service level (%)", color="#4C72B0")
        ax.set_xticks(x, axes[0].values)
        ax.set_xlabel(axes[0].path)
        cost_ax = ax.twinx()
        cost_ax.plot(x, [float(r["cost_total"]) for r in rows], marker="s", color=COST_COLOUR,
                     label="cost per day")
        cost_ax.set_ylabel(f"cost per day ({currency})", color=COST_COLOUR)
        ax.set_zorder(cost_ax.get_zorder() + 1)  # the verdict marks above the cost line
        ax.patch.set_visible(False)
        handles, labels = ax.get_legend_handles_labels()
        cost_handles, cost_labels = cost_ax.get_legend_handles_labels()
        fig.legend(handles + cost_handles, labels + cost_labels, loc="lower center", ncol=3,
                   fontsize=8, frameon=False)
        ax.set_title("Service level and daily cost across the sweep", fontweight="bold")
        fig.tight_layout(rect=(0, 0.1, 1, 1))
        return to_bytes(fig)
    else:
        a, b = axes[0], axes[1]
        shape = (len(a.values), len(b.values))
        fig, panels = plt.subplots(1, 2, figsize=(12, 0.6 * shape[0] + 3.5))
        for ax, key, label, scale, fmt in (
            (panels[0], "service_level", "service level (%)", 100, "{:.1f}"),
            (panels[1], "cost_total", f"cost per day ({currency})", 1, "{:,.0f}"),
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
            if key == "service_level":
                for n, row in enumerate(rows[:values.size]):
                    if _missed(row):
                        i, j = divmod(n, shape[1])
                        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False,
                                               edgecolor=MISSED_COLOUR, linewidth=2.5))
            ax.set_xticks(range(shape[1]), b.values)
            ax.set_yticks(range(shape[0]), a.values)
            ax.set_xlabel(b.path, fontsize=8)
            ax.set_ylabel(a.path, fontsize=8)
            ax.set_title(label)
            fig.colorbar(image, ax=ax)
        fig.suptitle("Sweep: service level and daily cost (red outline: a cell missed)",
                     fontweight="bold")
    fig.tight_layout()
    return to_bytes(fig)


def simulate_points(
    points: list[tuple[dict, Scenario]], *, replications: int | None, seed: int | None,
    executor: Executor | None, on_point: Callable[[int], None] | None = None,
) -> list[RunResult]:
    """Simulate every point with the same seed (common random numbers)."""
    results = []
    for n, (_, scenario) in enumerate(points):
        results.append(simulate(scenario, replications=replications, seed=seed,
                                executor=executor))
        if on_point:
            on_point(n + 1)
    return results


def sweep_rows(points: list[tuple[dict, Scenario]], results: list[RunResult]) -> list[Row]:
    """One row per point: the varied values, the headline KPIs, and the point's service-level
    target and verdict (``verdict_fields`` of ``judge(interval_cells(...))`` over the point's
    own summary: the block its ``summary.json`` holds)."""
    rows = []
    for n, ((point, _), result) in enumerate(zip(points, results, strict=True)):
        kpis, cost = result.summary.kpis, result.summary.cost
        rows.append({
            "point": n + 1, "folder": f"point-{n + 1:02d}", **point,
            "service_level": kpis["service_level"].mean,
            "service_level_lo": kpis["service_level"].lo,
            "service_level_hi": kpis["service_level"].hi,
            "asa_s": kpis["asa_s"].mean, "abandon_rate": kpis["abandon_rate"].mean,
            "occupancy": kpis["occupancy"].mean, "cost_total": cost["total"].mean,
            **verdict_fields(result.scenario, verdict_json(result)),
        })
    return rows


def point_overrides(row: Row, axes: list[Axis], sets: Sequence[str] = ()) -> list[str]:
    """The ``--set`` changes a point was made with: the sweep's own, then its varied values."""
    return [*sets, *(f"{a.path}={row[a.path]}" for a in axes)]


def write_sweep(folder: Path, axes: list[Axis], results: list[RunResult],
                rows: list[Row], sets: Sequence[str] = ()) -> None:
    """A result folder per point (its ``summary.json`` records the point's ``--set``
    changes, ``sets`` then the varied values), ``sweep.csv``, ``sweep.png`` and
    ``report.html``."""
    for row, result in zip(rows, results, strict=True):
        point_folder = folder / str(row["folder"])
        point_folder.mkdir()
        write_run_files(result, point_folder, overrides=point_overrides(row, axes, sets))
        write_charts_and_report(point_folder, result, run_report_charts(result, "svg"), False)
    (folder / "sweep.csv").write_text(to_csv(rows))
    first = results[0].scenario
    chart = sweep_chart(rows, axes, first.costs.currency)
    (folder / "sweep.png").write_bytes(chart)
    table = report.table(
        ["point", *(a.path for a in axes), "service level", "target", "meets target", "cells",
         "worst margin", "ASA", "abandoned", "cost per day"],
        [[r["point"], *(r[a.path] for a in axes), f"{100 * float(r['service_level']):.1f}%",
          target_label(r), meets_html(r), cells_label(r), margin_label(r),
          f"{float(r['asa_s']):.1f} s", f"{100 * float(r['abandon_rate']):.1f}%",
          f"{float(r['cost_total']):,.2f}"] for r in rows])
    page = report.page(f"{first.name}: sweep", f"{len(rows)} points, same seed",
                       ["<h2>Points</h2>" + table + VERDICT_NOTE,
                        report.charts_section({"sweep.png": chart},
                                              {"sweep": "Service level and cost over the grid; "
                                                         "points that miss the target marked."})])
    (folder / "report.html").write_text(page, encoding="utf-8")
