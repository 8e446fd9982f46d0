"""The comparison as a terminal reads it: one column per run, one row per figure.

A row per run with ten figures across does not fit a terminal of 100 columns; runs side by
side do, and the eye compares them along a row. Labels wrap at their own punctuation
(``generalists.`` / ``staffing_scale=0.9``), and when the runs do not fit the width, they are
shown in several tables of as many runs as fit, each with the figure names.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.box import SIMPLE_HEAD
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ccsim.charts import wrap_label
from ccsim.compare import (
    Row,
    cells_label,
    cost_period,
    days_label,
    margin_label,
    meets_label,
    target_label,
)
from ccsim.sim.kpi_registry import label

NAME_WIDTH = 22
"""Width of the first column, the figure names."""
MIN_RUN_WIDTH, MAX_RUN_WIDTH = 14, 26
"""Narrowest and widest column of one run, in characters."""

MEETS_STYLES = {"yes": "bold green", "no": "bold red"}
"""Colours of "meets target", as the closing tables colour verdicts."""

FIGURES: list[tuple[str, Callable[[Row], str]]] = [
    (label("service_level"), lambda r: f"{100 * float(r['service_level']):.1f}%"),
    ("target", target_label),
    ("meets target", meets_label),
    ("cells met/noise/missed",
     lambda r: cells_label(r).replace(" met, ", " / ").replace(" within noise, ", " / ")
     .replace(" missed", "")),
    ("worst margin", margin_label),
    (label("asa_s"), lambda r: f"{float(r['asa_s']):.1f} s"),
    (label("abandon_rate"), lambda r: f"{100 * float(r['abandon_rate']):.1f}%"),
    (label("occupancy"), lambda r: f"{100 * float(r['occupancy']):.1f}%"),
]
"""The rows of the table: a figure's name and how a run's row shows it (the scenario's row
comes first when the runs' scenarios differ; otherwise the title names it)."""


def _run_width(runs: int, width: int) -> int:
    """The width of a run's column when ``runs`` share a terminal of ``width``."""
    room = width - NAME_WIDTH - 2 - 3 * runs
    return max(MIN_RUN_WIDTH, min(MAX_RUN_WIDTH, room // max(runs, 1)))


def comparison_tables(rows: list[Row], currency: str, width: int) -> list[Table]:
    """The comparison in tables no wider than ``width``: as many runs side by side as fit."""
    fits = max(1, (width - NAME_WIDTH - 2) // (MIN_RUN_WIDTH + 3))
    count = -(-len(rows) // fits)  # tables needed
    per_table = max(1, -(-len(rows) // count))  # runs in each, balanced: 5 runs are 3 + 2
    tables = []
    for first in range(0, len(rows), per_table):
        chunk = rows[first:first + per_table]
        column = _run_width(len(chunk), width)
        scenarios = list(dict.fromkeys(str(r["scenario"]) for r in rows))
        title = "comparison" + (f" of {scenarios[0]}" if len(scenarios) == 1 else "")
        if len(rows) > per_table:
            title += f", runs {first + 1}-{first + len(chunk)} of {len(rows)}"
        table = Table(title=title, box=SIMPLE_HEAD, title_justify="left")
        table.add_column("", width=NAME_WIDTH, no_wrap=False)
        for row in chunk:
            table.add_column(wrap_label(str(row["run"]), column), justify="right",
                             width=column, no_wrap=False, overflow="fold")
        if len(scenarios) > 1:
            table.add_row("scenario", *(wrap_label(str(r["scenario"]), column) for r in chunk))
        for name, show in FIGURES:
            table.add_row(name, *(Text(show(r), style=MEETS_STYLES.get(
                str(r.get("meets_target")), "") if name == "meets target" else "")
                for r in chunk))
        if cost_period(rows) == "run":  # a day beside a week: say which is which
            table.add_row("days per run", *(days_label(r) for r in chunk))
        table.add_row(f"cost per {cost_period(rows)} ({currency})",
                      *(f"{float(r['cost_total']):,.2f}" for r in chunk))
        tables.append(table)
    return tables


def print_comparison(rows: list[Row], folders: list[Path], currency: str,
                     folder: Path) -> None:
    """The comparison table(s), which folder each run is, and where the comparison is."""
    console = Console()
    for table in comparison_tables(rows, currency, console.width):
        console.print(table)
    for row, run_folder in zip(rows, folders, strict=True):
        console.print(f"{row['run']}: {run_folder}", markup=False, highlight=False)
    console.print(f"results: {folder}", markup=False)
