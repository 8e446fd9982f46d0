"""``ccsim compare``: runs side by side, for a planner deciding between options.

Reads result folders back (``summary.json``, ``intervals.csv``, ``scenario.yaml`` and, for
optimised plans, ``plan.json``), lines intervals up by clock time so runs of different
scenarios compare (by day and clock time, "Mon 08:00", when a run has several days; a one-day
run beside them is its ``first_day``), and produces a table (printed, CSV and Markdown),
charts and a report.
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
from ccsim.sim.kpi_registry import label, wait_text
from ccsim.sim.loader import ScenarioError, load_scenario
from ccsim.sim.scenario import Scenario
from ccsim.sim.scenario_parts import Horizon
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
    """Interval → the "all" row of intervals.csv (numbers). An interval is its clock time
    ("08:00"), or day and clock time ("Mon 08:00") in a run of several days."""
    plan_cost: dict[str, float] | None
    overrides: list[str] | None = None
    """The ``--set`` changes the run was made with (summary.json ``overrides``); None when
    the folder does not say (written before runs recorded them, or by ``optimise``)."""
    verdicts: dict[str, str | None] = dataclasses.field(default_factory=dict)
    """Interval → the worst service-level verdict of the interval's contact types, as the
    run's intervals.csv judged them (None: no contacts, or a folder without verdicts)."""
    positions: dict[str, tuple[int, str]] = dataclasses.field(default_factory=dict)
    """Interval → (day, clock time), the order of the intervals."""


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


Intervals = tuple[dict[str, dict[str, float]], dict[str, str | None],
                  dict[str, tuple[int, str]]]
"""A run's intervals read back: the "all" rows, the worst verdicts and the positions, each
by interval ("08:00", or "Mon 08:00" with several days)."""


def _read_intervals(path: Path, horizon: Horizon) -> Intervals:
    """The "all" rows of ``intervals.csv`` by interval, the worst verdict of each interval's
    contact-type rows (None where none has one) and each interval's (day, clock time); or bad
    input naming the file. An interval is its clock time, or with a ``day`` column (a run of
    several days) the day's label and clock time, "Mon 08:00"."""
    intervals: dict[str, dict[str, float]] = {}
    verdicts: dict[str, str | None] = {}
    positions: dict[str, tuple[int, str]] = {}
    try:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                day = int(row["day"]) if row.get("day") else 0
                key = (f"{horizon.day_label(day)} {row['start']}" if row.get("day")
                       else row["start"])
                positions[key] = (day, row["start"])
                if row.get("contact_type") == "all":
                    intervals[key] = {k: float(v) if v else np.nan
                                      for k, v in row.items() if k in COLUMNS}
                else:
                    found = row.get("service_level_verdict")
                    known = [v for v in (verdicts.get(key), found) if v in VERDICTS]
                    verdicts[key] = max(known, key=VERDICTS.index) if known else None
    except FileNotFoundError:
        raise ScenarioError(str(path), ["no such file: the result folder is incomplete"]) \
            from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise _damaged(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
            from None
    return intervals, verdicts, positions


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
    intervals, verdicts, positions = _read_intervals(folder / "intervals.csv",
                                                     scenario.horizon)
    plan_path = folder / "plan.json"
    plan_cost = _read_json(plan_path, ("cost",))["cost"] if plan_path.is_file() else None
    overrides = summary.get("overrides")
    if not (isinstance(overrides, list) and all(isinstance(o, str) for o in overrides)):
        overrides = None
    return Run(folder.name, folder, scenario, summary, intervals, plan_cost, overrides,
               verdicts, positions)


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
    """The run's cost split per simulated horizon (a day, a week): the plan's (paid, gross of
    shrinkage) for optimised plans, else the simulation's."""
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
    malformed block (an older folder) gives ``UNKNOWN`` and no counts. ``horizon_days``: the
    days one replication simulates, which the costs are per (a day, a week)."""
    target = common_target(scenario)
    thresholds = {scenario.service_level_of(t).threshold_s for t in scenario.contact_types}
    row: Row = {"horizon_days": scenario.horizon.days, "service_level_target": target,
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


def cost_period(rows: list[Row]) -> str:
    """What the rows' costs are per: "day", "week" or "run of N days" when every row agrees
    (rows without ``horizon_days`` are one-day runs), "run" otherwise (``days_label`` then
    says how many days each run is)."""
    days = {int(r.get("horizon_days") or 1) for r in rows}
    if len(days) > 1:
        return "run"
    return report.period_of(days.pop() if days else 1)


def days_label(row: Row) -> str:
    """The days one replication of the row's run simulates, as "1 day" or "7 days"."""
    days = int(row.get("horizon_days") or 1)
    return f"{days} day" + ("s" if days > 1 else "")


def target_label(row: Row) -> str:
    """The row's target as "80% in 20 s", or "per type" when the types' targets differ."""
    target, threshold = row.get("service_level_target"), row.get("service_level_threshold_s")
    if not isinstance(target, int | float):
        return "per type"
    return f"{target:.0%}" + ("" if threshold is None else f" in {wait_text(float(threshold))}")


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
               "ASA (s)", "abandoned", "occupancy", f"cost per {cost_period(rows)}"]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for r in rows:
        lines.append("| " + " | ".join([
            str(r["run"]), f"{100 * float(r['service_level']):.1f}%", target_label(r),
            meets_label(r), cells_label(r), margin_label(r),
            f"{float(r['asa_s']):.1f}", f"{100 * float(r['abandon_rate']):.1f}%",
            f"{100 * float(r['occupancy']):.1f}%", f"{float(r['cost_total']):,.2f}"]) + " |")
    return "\n".join(lines) + "\n"


def clock_order(runs: list[Run]) -> list[str]:
    """Every interval seen in any run, by day and then clock time."""
    positions = {k: p for run in runs for k, p in run.positions.items()}
    return sorted({clock for run in runs for clock in run.intervals},
                  key=lambda k: (*positions.get(k, (0, k)), k))


def line_up(runs: list[Run]) -> list[Run]:
    """Runs whose intervals compare: unchanged when every run has the same number of days;
    otherwise a one-day run's intervals are named as the day it is (its ``first_day``,
    "Mon 08:00"), so it lines up with that day of the runs of several days."""
    if len({run.scenario.horizon.days for run in runs}) <= 1:
        return runs
    lined = []
    for run in runs:
        h = run.scenario.horizon
        if h.days > 1:
            lined.append(run)
            continue
        name = {k: f"{h.day_label(0)} {k}" for k in run.positions}
        lined.append(dataclasses.replace(
            run, intervals={name[k]: v for k, v in run.intervals.items()},
            verdicts={name[k]: v for k, v in run.verdicts.items()},
            positions={name[k]: p for k, p in run.positions.items()}))
    return lined


def interval_rows(runs: list[Run]) -> list[Row]:
    """Per interval, each run's service level, ASA and abandonment; with runs of several days
    the day's label ("Mon") in a ``day`` column before the clock time."""
    rows = []
    positions = {k: p for run in runs for k, p in run.positions.items()}
    days = any(run.scenario.horizon.days > 1 for run in runs)
    for clock in clock_order(runs):
        row: Row = ({"day": clock.rsplit(" ", 1)[0], "start": positions[clock][1]} if days
                    else {"start": clock})
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
               label("abandon_rate"), label("occupancy"), f"cost per {cost_period(rows)}"]
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
    """Write the comparison's files into ``folder``: CSV, Markdown, charts, report (a one-day
    run beside runs of several days lined up with its own weekday: ``line_up``)."""
    runs = line_up(runs)
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
    captions = {"compare_cost": f"Cost per {cost_period(rows)} of each run by component, its "
                                "verdict above the bar (red: a cell missed; amber: none "
                                "missed, target not met).",
                "compare_service_level": "Service level of all contact types together by "
                                         "interval, lined up by clock time (and day); ringed in "
                                         "red where one of the run's contact types missed its "
                                         "target.",
                "compare_waiting": "ASA and abandonment by interval."}
    subtitle = f"{len(runs)} runs" + (f" of {scenarios[0]}" if len(scenarios) == 1 else "")
    page = report.page("ccsim comparison", subtitle,
                       ["<h2>Runs</h2>" + table + VERDICT_NOTE,
                        report.charts_section(charts, captions)])
    (folder / "report.html").write_text(page, encoding="utf-8")
