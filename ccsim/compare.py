"""``ccsim compare``: runs side by side, for a planner deciding between options.

Reads result folders back (``summary.json``, ``intervals.csv``, ``scenario.yaml`` and, for
optimised plans, ``plan.json``), lines intervals up by clock time so runs of different
scenarios compare, and produces a table (printed, CSV and Markdown), charts and a report.
Each run is shown with its service-level target and the verdict block of its ``summary.json``
(the rule of ``ccsim.sim.verdict``); folders written before runs had a verdict show it as
unknown ("–").
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ccsim import report
from ccsim.sim.kpi_registry import label
from ccsim.sim.loader import ScenarioError, load_scenario
from ccsim.sim.scenario import Scenario
from ccsim.sim.verdict import MET, MISSED, VERDICTS, WITHIN_NOISE, common_target

COLUMNS = ("service_level", "asa_s", "abandon_rate", "occupancy", "containment", "offered",
           "answered", "abandoned")


Row = dict[str, Any]
"""One row of a comparison or sweep table: column name to value (text or number)."""


@dataclass(frozen=True)
class Run:
    """One result folder read back."""

    label: str
    folder: Path
    scenario: Scenario
    summary: dict
    intervals: dict[str, dict[str, float]]
    """Clock time → the "all" row of intervals.csv (numbers)."""
    plan_cost: dict[str, float] | None
    overrides: list[str] | None = None
    """The ``--set`` changes the run was made with (summary.json ``overrides``); None when
    the folder does not say (written before runs recorded them, or by ``optimise``)."""
    verdicts: dict[str, str | None] = dataclasses.field(default_factory=dict)
    """Clock time → the worst service-level verdict of the interval's contact types, as the
    run's intervals.csv judged them (None: no contacts, or a folder without verdicts)."""


def _damaged(path: Path, what: str) -> ScenarioError:
    return ScenarioError(str(path), [f"is damaged or not written by ccsim: {what}"])


def _read_json(path: Path, required: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with ``required`` keys, or bad input naming the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise _damaged(path, str(exc).splitlines()[0]) from None
    if not isinstance(document, dict):
        raise _damaged(path, f"a JSON object was expected, found a {type(document).__name__}")
    missing = [key for key in required if key not in document]
    if missing:
        raise _damaged(path, f"no {', '.join(missing)}")
    return document


def _read_intervals(path: Path) -> tuple[dict[str, dict[str, float]], dict[str, str | None]]:
    """The "all" rows of ``intervals.csv`` by clock time, and the worst verdict of each
    interval's contact-type rows (None where none has one); or bad input naming the file."""
    intervals: dict[str, dict[str, float]] = {}
    verdicts: dict[str, str | None] = {}
    try:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if row.get("contact_type") == "all":
                    intervals[row["start"]] = {k: float(v) if v else np.nan
                                               for k, v in row.items() if k in COLUMNS}
                else:
                    found = row.get("service_level_verdict")
                    known = [v for v in (verdicts.get(row["start"]), found) if v in VERDICTS]
                    verdicts[row["start"]] = max(known, key=VERDICTS.index) if known else None
    except FileNotFoundError:
        raise ScenarioError(str(path), ["no such file: the result folder is incomplete"]) \
            from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise _damaged(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
            from None
    return intervals, verdicts


def load_run(folder: Path) -> Run:
    """Read a result folder; a folder that is not one, or a damaged one, is bad input
    (``ScenarioError`` naming the file)."""
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise ScenarioError(str(folder), ["not a ccsim result folder (no summary.json)"])
    summary = _read_json(summary_path, ("scenario", "replications", "kpis", "cost"))
    kpis = summary["kpis"]
    if not isinstance(kpis, dict) or any(
            not isinstance(kpis.get(key), dict) or "mean" not in kpis[key] for key in COLUMNS):
        raise _damaged(summary_path, "kpis lacks some of " + ", ".join(COLUMNS))
    if not isinstance(summary["cost"], dict) or any(
            not isinstance(v, dict) or "mean" not in v for v in summary["cost"].values()):
        raise _damaged(summary_path, "cost is not a set of {mean, ci95} figures")
    scenario = load_scenario(folder / "scenario.yaml")
    intervals, verdicts = _read_intervals(folder / "intervals.csv")
    plan_path = folder / "plan.json"
    plan_cost = _read_json(plan_path, ("cost",))["cost"] if plan_path.is_file() else None
    overrides = summary.get("overrides")
    if not (isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)):
        overrides = None
    return Run(folder.name, folder, scenario, summary, intervals, plan_cost, overrides,
               verdicts)


COLLECTIONS = ("contact_types.", "agent_groups.")
"""Leading path parts left out of a label: the item's name says enough
("generalists.staffing_scale=1.1")."""

LABEL_VALUE = 24
"""Longest value shown in a label made from ``--set`` changes (a list is cut with "…")."""


def override_label(overrides: list[str]) -> str:
    """A label from ``--set`` changes: each PATH=VALUE without a leading ``contact_types.`` or
    ``agent_groups.``, long values cut, joined by ", "; "" for none."""
    parts = []
    for text in overrides:
        path, _, value = text.partition("=")
        for prefix in COLLECTIONS:
            path = path.removeprefix(prefix)
        value = value.strip()
        if len(value) > LABEL_VALUE:
            value = value[:LABEL_VALUE - 1] + "…"
        parts.append(f"{path.strip()}={value}")
    return ", ".join(parts)


def _folder_labels(runs: list[Run]) -> list[str]:
    """Folder names, or parent/name where two names are the same."""
    names = [run.folder.name for run in runs]
    return [name if names.count(name) == 1 else f"{run.folder.parent.name}/{name}"
            for run, name in zip(runs, names, strict=True)]


def label_runs(runs: list[Run], labels: list[str] | None = None) -> list[Run]:
    """Runs labelled for the table, the charts and the CSVs.

    ``labels`` (``--label``, one per folder, in order) are used as given; without them a run
    is labelled by the ``--set`` changes it was made with (``override_label``), by its
    scenario's name when it was made with none, and by its folder name (parent/name where two
    names are the same) when its summary.json does not say (an older folder, a plan); runs
    whose derived labels coincide fall back to the folder name. Bad input: the same folder
    given twice, a count of labels that is not the count of folders, an empty or repeated
    label."""
    seen: set[Path] = set()
    for run in runs:
        where = run.folder.resolve()
        if where in seen:
            raise ScenarioError("compare", [f"the result folder {run.folder} is given twice"])
        seen.add(where)
    folders = _folder_labels(runs)
    if labels:
        if len(labels) != len(runs):
            raise ScenarioError("--label", [
                f"{len(labels)} labels for {len(runs)} result folders: give one --label per "
                "folder, in the same order, or none"])
        if any(not label.strip() for label in labels):
            raise ScenarioError("--label", ["a label is empty"])
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise ScenarioError("--label", [f"labels must differ: {', '.join(repeated)} is "
                                            "given more than once"])
        chosen = [label.strip() for label in labels]
    else:
        derived = [("" if run.overrides is None else override_label(run.overrides)
                    or run.scenario.name) for run in runs]
        chosen = [label if label and derived.count(label) == 1 else folder
                  for label, folder in zip(derived, folders, strict=True)]
    return [dataclasses.replace(run, label=label)
            for run, label in zip(runs, chosen, strict=True)]


def cost_of(run: Run) -> dict[str, float]:
    """The run's daily cost split: the plan's (paid, gross of shrinkage) for optimised plans,
    else the simulation's."""
    if run.plan_cost is not None:
        return {k: float(v) for k, v in run.plan_cost.items()}
    return {k: float(v["mean"]) for k, v in run.summary["cost"].items()}


UNKNOWN = "–"
"""A verdict that cannot be told: a result folder written before runs had a verdict block."""

CELL_COLUMNS = {MET: "cells_met", WITHIN_NOISE: "cells_within_noise", MISSED: "cells_missed"}
"""The row column counting the interval × type cells of each verdict."""


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def verdict_fields(scenario: Scenario, block: object) -> Row:
    """The row columns of a run's service-level target and verdict.

    ``service_level_target`` (a fraction) and ``service_level_threshold_s`` are the target
    shared by every contact type (None when the types' targets differ: the verdict alone is
    shown then); ``meets_target`` ("yes", "no", or ``UNKNOWN``), the cells per verdict,
    ``cells_wider_than_precision`` and ``worst_margin`` (a fraction, negative below the
    target) are read from ``block``, the ``verdict`` block of ``summary.json``. A missing or
    malformed block (an older folder) gives ``UNKNOWN`` and no counts."""
    target = common_target(scenario)
    thresholds = {scenario.service_level_of(t).threshold_s for t in scenario.contact_types}
    row: Row = {"service_level_target": target,
                "service_level_threshold_s": (thresholds.pop() if target is not None
                                              and len(thresholds) == 1 else None)}
    block = block if isinstance(block, dict) else {}
    cells, meets = block.get("cells"), block.get("meets_target")
    if not (isinstance(meets, bool) and isinstance(cells, dict)):
        return {**row, "meets_target": UNKNOWN, **dict.fromkeys(CELL_COLUMNS.values()),
                "cells_wider_than_precision": None, "worst_margin": None}
    margin = block.get("worst_margin")
    return {**row, "meets_target": "yes" if meets else "no",
            **{CELL_COLUMNS[name]: _count(cells.get(name)) for name in VERDICTS},
            "cells_wider_than_precision": _count(block.get("cells_wider_than_precision")),
            "worst_margin": (float(margin) if isinstance(margin, int | float)
                             and not isinstance(margin, bool) else None)}


def target_label(row: Row) -> str:
    """The row's target as "80% in 20 s", or "per type" when the types' targets differ."""
    target, threshold = row.get("service_level_target"), row.get("service_level_threshold_s")
    if not isinstance(target, int | float):
        return "per type"
    return f"{target:.0%}" + ("" if threshold is None else f" in {threshold:g} s")


def meets_label(row: Row) -> str:
    """The row's ``meets_target``, with why when no cell missed yet the target is not met
    ("no (CIs too wide)": more replications narrow them)."""
    meets = str(row.get("meets_target"))
    if meets == "no" and row.get("cells_missed") == 0 and row.get("cells_wider_than_precision"):
        return f"no ({row['cells_wider_than_precision']} CIs too wide)"
    return meets


def cells_label(row: Row) -> str:
    """The cells per verdict, as "8 met, 1 within noise, 0 missed" (``UNKNOWN`` if not
    known)."""
    counts = [row.get(CELL_COLUMNS[name]) for name in VERDICTS]
    if any(c is None for c in counts):
        return UNKNOWN
    return ", ".join(f"{c} {name}" for c, name in zip(counts, VERDICTS, strict=True))


def margin_label(row: Row) -> str:
    """The worst margin in percentage points, signed ("−3.1 pts"; ``UNKNOWN`` if not known)."""
    margin = row.get("worst_margin")
    if not isinstance(margin, float) or margin != margin:
        return UNKNOWN
    return f"{100 * margin:+.1f} pts".replace("-", "−")


def comparison_rows(runs: list[Run]) -> list[Row]:
    """One row per run: scenario, KPIs with CI bounds, the service-level target and the run's
    verdict (from its ``summary.json``), and the cost split."""
    rows = []
    for run in runs:
        row: Row = {"run": run.label, "scenario": run.scenario.name,
                    "replications": run.summary["replications"]}
        for key in COLUMNS:
            kpi = run.summary["kpis"][key]
            row[key] = kpi["mean"]
            if key in ("service_level", "asa_s", "abandon_rate"):
                row[f"{key}_lo"], row[f"{key}_hi"] = kpi["ci95"]
        row.update(verdict_fields(run.scenario, run.summary.get("verdict")))
        for key, value in cost_of(run).items():
            row[f"cost_{key}"] = value
        rows.append(row)
    return rows


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if value != value else f"{value:.6g}"
    return "" if value is None else str(value)


def to_csv(rows: list[Row]) -> str:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def to_markdown(rows: list[Row]) -> str:
    """The headline columns as a Markdown table (for a wiki or an e-mail)."""
    headers = ["run", "service level", "target", "meets target", "cells", "worst margin",
               "ASA (s)", "abandoned", "occupancy", "cost per day"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for r in rows:
        lines.append("| " + " | ".join([
            str(r["run"]), f"{100 * float(r['service_level']):.1f}%", target_label(r),
            meets_label(r), cells_label(r), margin_label(r),
            f"{float(r['asa_s']):.1f}", f"{100 * float(r['abandon_rate']):.1f}%",
            f"{100 * float(r['occupancy']):.1f}%", f"{float(r['cost_total']):,.2f}"]) + " |")
    return "\n".join(lines) + "\n"


def clock_order(runs: list[Run]) -> list[str]:
    """Every interval start seen in any run, in clock order."""
    return sorted({clock for run in runs for clock in run.intervals})


def interval_rows(runs: list[Run]) -> list[Row]:
    """Per clock time, each run's service level, ASA and abandonment."""
    rows = []
    for clock in clock_order(runs):
        row: Row = {"start": clock}
        for run in runs:
            cells = run.intervals.get(clock, {})
            for key in ("service_level", "asa_s", "abandon_rate"):
                row[f"{run.label}:{key}"] = cells.get(key, np.nan)
        rows.append(row)
    return rows


def meets_html(row: Row) -> report.Html:
    """The row's ``meets_target`` for report.html: yes in green, no in red, unknown plain."""
    css = {"yes": "ok", "no": "bad"}.get(str(row.get("meets_target")))
    text = report.esc(meets_label(row))
    return report.Html(text if css is None else f'<span class="{css}">{text}</span>')


def compact_cells(row: Row) -> str:
    """The cells per verdict as "8 / 1 / 0" (met / within noise / missed; ``UNKNOWN`` if not
    known), for tables whose header names the three."""
    counts = [row.get(CELL_COLUMNS[name]) for name in VERDICTS]
    return UNKNOWN if any(c is None for c in counts) else " / ".join(map(str, counts))


def runs_table(rows: list[Row], first: list[str]) -> str:
    """The HTML table of runs or sweep points: the ``first`` columns (row keys) as they are,
    then the headline figures with the target and verdict; figures never wrap."""
    headers = [*first, label("service_level"), "target", "meets target",
               "cells met / within noise / missed", "worst margin", label("asa_s"),
               label("abandon_rate"), label("occupancy"), "cost per day"]
    body = [[*(r[c] for c in first), f"{100 * float(r['service_level']):.1f}%",
             target_label(r), meets_html(r), compact_cells(r), margin_label(r),
             f"{float(r['asa_s']):.1f} s", f"{100 * float(r['abandon_rate']):.1f}%",
             f"{100 * float(r['occupancy']):.1f}%", f"{float(r['cost_total']):,.2f}"]
            for r in rows]
    return f'<div class="runs">{report.table(headers, body)}</div>'


VERDICT_NOTE = (
    "<p>Target: the service-level target every contact type shares (\"per type\" when they "
    "differ). Meets target: no interval × type cell missed and every cell's 95% CI within the "
    "precision (\"CIs too wide\": cells whose CI is wider; more replications narrow it). "
    "Cells: interval × type cells met / within noise / missed. Worst margin: the lowest "
    "service level minus its target, in points. \"–\": not known (a result folder written "
    "before runs had a verdict).</p>")
"""How to read the verdict columns, under the tables of report.html."""


def write_comparison(runs: list[Run], folder: Path) -> None:
    """Write the comparison's files into ``folder``: CSV, Markdown, charts, report."""
    rows = comparison_rows(runs)
    (folder / "compare.csv").write_text(to_csv(rows))
    (folder / "compare.md").write_text(to_markdown(rows))
    (folder / "compare_intervals.csv").write_text(to_csv(interval_rows(runs)))
    from ccsim.compare_charts import compare_charts  # it imports this module (Run, Row)

    charts = compare_charts(runs, rows)
    for name, data in charts.items():
        (folder / name).write_bytes(data)
    scenarios = list(dict.fromkeys(str(r["scenario"]) for r in rows))
    table = runs_table(rows, ["run", *(["scenario"] if len(scenarios) > 1 else [])])
    captions = {"compare_cost": "Daily cost of each run by component, its verdict above the "
                                "bar (red: a cell missed; amber: none missed, target not met).",
                "compare_service_level": "Service level of all contact types together by "
                                         "interval, lined up by clock time; ringed in red where "
                                         "one of the run's contact types missed its target.",
                "compare_waiting": "ASA and abandonment by interval."}
    subtitle = f"{len(runs)} runs" + (f" of {scenarios[0]}" if len(scenarios) == 1 else "")
    page = report.page("ccsim comparison", subtitle,
                       ["<h2>Runs</h2>" + table + VERDICT_NOTE,
                        report.charts_section(charts, captions)])
    (folder / "report.html").write_text(page, encoding="utf-8")
