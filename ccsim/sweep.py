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

from ccsim import report
from ccsim.compare import (
    VERDICT_NOTE,
    Row,
    runs_table,
    to_csv,
    verdict_fields,
)
from ccsim.output import run_report_charts, write_charts_and_report
from ccsim.results import verdict_json, write_run_files
from ccsim.sim.loader import ScenarioError, load_scenario
from ccsim.sim.runner import RunResult, simulate
from ccsim.sim.scenario import Scenario
from ccsim.sweep_chart import sweep_chart


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


def simulate_points(
    points: list[tuple[dict, Scenario]], *, replications: int | None, seed: int | None,
    executor: Executor | None, on_days: Callable[[int], None] | None = None,
) -> list[RunResult]:
    """Simulate every point with the same seed (common random numbers); ``on_days(done)`` is
    told of the days simulated so far over all points, for progress displays."""
    results: list[RunResult] = []
    done = 0

    def tell(days: int) -> None:
        if on_days:
            on_days(done + days)

    for _, scenario in points:
        results.append(simulate(scenario, replications=replications, seed=seed,
                                executor=executor, on_replication=tell))
        done += results[-1].replications
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
        overrides = point_overrides(row, axes, sets)
        write_run_files(result, point_folder, overrides=overrides)
        write_charts_and_report(point_folder, result, run_report_charts(result, "svg"), False,
                                overrides=overrides)
    (folder / "sweep.csv").write_text(to_csv(rows))
    first = results[0].scenario
    chart = sweep_chart(rows, axes, results, first.costs.currency)
    (folder / "sweep.png").write_bytes(chart)
    table = runs_table(rows, ["point", *(a.path for a in axes)])
    page = report.page(f"{first.name}: sweep", f"{len(rows)} points, same seed",
                       ["<h2>Points</h2>" + table + VERDICT_NOTE,
                        report.charts_section({"sweep.png": chart},
                                              {"sweep": "Service level and cost over the grid; "
                                                         "points that miss the target marked."})])
    (folder / "report.html").write_text(page, encoding="utf-8")
