"""What the commands print: progress, and the closing tables of runs, plans, comparisons and
sweeps (on stdout; progress on stderr, only on a terminal)."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.measure import Measurement
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from ccsim.sim.kpi_registry import format_kpi, label
from ccsim.sim.kpis import kpi_keys
from ccsim.sim.verdict import (
    MET,
    MISSED,
    VERDICTS,
    WITHIN_NOISE,
    common_target,
    interval_cells,
    journey_targets,
    judge,
    kpi_verdict,
    verdict,
)

if TYPE_CHECKING:
    from ccsim.compare import Row
    from ccsim.optimise.plan import Plan
    from ccsim.optimise.self_service import LeastCompletion, SelfServiceReport
    from ccsim.sim.runner import RunResult
    from ccsim.sim.scenario import Scenario
    from ccsim.sim.stats import Estimate
    from ccsim.sweep import Axis


def progress_bar(total: int, what: str) -> Progress:
    """A progress bar on stderr, shown only on a terminal."""
    return Progress(
        TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty(),
    )


VERDICT_STYLES = {MET: "bold green", WITHIN_NOISE: "bold yellow", MISSED: "bold red"}
"""Console colours of the verdicts (report.html uses the same green, amber and red)."""


def _cell(e: Estimate, key: str, sep: str = " ") -> str:
    """A KPI as the closing table shows it: a share in percent and an ASA in seconds with the
    95% CI in brackets after ``sep`` (a space, or a line break when the table is too wide); a
    count as its mean; "-" when undefined."""
    return format_kpi(e, key, sep)


def verdict_text(verdict: str | None) -> Text:
    """A verdict in its colour ("-" for none)."""
    return Text("-") if verdict is None else Text(verdict, style=VERDICT_STYLES[verdict])


def _target(target: float | None, threshold_s: float | None) -> str:
    """An SL target as "80% in 20 s"; "per type" when the types' targets differ, the share
    alone when only their thresholds (seconds) do."""
    if target is None:
        return "per type"
    return f"{target:.0%}" + ("" if threshold_s is None else f" in {threshold_s:g} s")


def _summary_table(result: RunResult, sep: str) -> Table:
    """The closing table of a run; ``sep`` separates each point from its interval."""
    s = result.summary
    scenario = result.scenario
    table = Table(title=f"{scenario.name}: {result.replications} replications, "
                        f"seed {result.seed} (95% CIs in brackets)")
    table.add_column("KPI")
    table.add_column("all", justify="right")
    for name in s.by_contact_type:
        table.add_column(name, justify="right")
    overall = common_target(scenario)
    thresholds = {scenario.service_level_of(t).threshold_s for t in scenario.contact_types}
    columns = [(s.kpis, overall, thresholds.pop() if len(thresholds) == 1 else None)]
    columns += [(s.by_contact_type[t.name], scenario.service_level_of(t).target,
                 scenario.service_level_of(t).threshold_s) for t in scenario.contact_types]
    journey = [journey_targets(scenario, None)]
    journey += [journey_targets(scenario, t.name) for t in scenario.contact_types]
    for key in kpi_keys(scenario):
        table.add_row(label(key), *(Text(_cell(kpis[key], key, sep)) for kpis, _, _ in columns))
        if key == "service_level":
            table.add_row("  target", *(_target(target, threshold) for _, target, threshold
                                        in columns))
            table.add_row("  verdict", *(
                verdict_text(None if target is None else verdict(
                    kpis[key].mean, kpis[key].hi, target)) for kpis, target, _ in columns))
        elif key in ("over_max_wait", "callback_on_time"):
            limits = [targets.get(key) for targets in journey]
            word = "at most" if key == "over_max_wait" else "at least"
            table.add_row("  target", *("-" if x is None else f"{word} {x:.1%}"
                                        for x in limits))
            table.add_row("  verdict", *(
                verdict_text(None if x is None else kpi_verdict(key, kpis[key], x))
                for (kpis, _, _), x in zip(columns, limits, strict=True)))
    return table


def _judgement_lines(result: RunResult) -> list[Text]:
    """The verdict over interval × type cells: counts, worst margin, and whether the run
    meets the target (DESIGN.md, "Verdict")."""
    j = judge(interval_cells(result.summary, result.scenario))
    counts = Text("service level per interval × type: ")
    for n, name in enumerate(VERDICTS):
        counts.append(", " if n else "")
        counts.append(f"{j.counts[name]} {name}", style=VERDICT_STYLES[name])
    counts.append(f" (of {j.judged} cells with contacts)")
    worst = j.worst
    if worst is not None:
        where = f"{worst.contact_type} at {worst.start}"
        counts.append(f"; worst margin {worst.margin * 100:+.1f} points ({where})")
    if j.meets_target:
        meets = Text("meets the target: yes (no cell missed, every cell's 95% CI within "
                     f"±{j.precision * 100:g} points)", style=VERDICT_STYLES[MET])
    else:
        meets = Text(f"meets the target: no ({'; '.join(j.why_not())})",
                     style=VERDICT_STYLES[MISSED])
    return [counts, meets]


def print_summary(result: RunResult, folder: Path) -> None:
    """The headline KPIs with their 95% CIs, overall and per contact type, the service
    level's target and verdict per type, the verdict over interval × type cells, and the
    cost. Each point and its interval share a line when the table fits the console, else
    the interval goes below the point."""
    console = Console()
    table = _summary_table(result, " ")
    unbounded = console.options.update_width(10_000)  # measure the table's natural width
    if Measurement.get(console, unbounded, table).maximum > console.width:
        table = _summary_table(result, "\n")
    console.print(table)
    for line in _judgement_lines(result):
        console.print(line)
    s = result.summary
    cost = ", ".join(f"{k.replace('_', ' ')} {v.mean:,.2f}" for k, v in s.cost.items())
    console.print(f"cost per day ({result.scenario.costs.currency}): {cost}", markup=False)
    console.print(f"results: {folder}", markup=False)


def print_plan(plan: Plan, folder: Path, report: SelfServiceReport | None = None) -> None:
    """The closing table: cost split, the verifying simulation, the comparisons."""
    console = Console()
    currency = plan.scenario.costs.currency
    table = Table(title=f"{plan.scenario.name}: optimised plan (cost per day, {currency})")
    table.add_column("")
    table.add_column("value", justify="right")
    cost = report.chosen.cost if report is not None else plan.cost
    for key, value in cost.items():
        table.add_row(f"cost: {key}", f"{value:,.2f}")
    if report is not None:
        for r in report.results:
            label = ", ".join(f"{t}={o}" for t, o in r.choice.items())
            mark = " (chosen)" if r.choice == report.chosen.choice else ""
            table.add_row(f"option: {label}{mark}", f"{r.cost['total']:,.2f}")
        for name, value in report.marginal_value.items():
            table.add_row(f"one more point of {name} completion saves", f"{value:,.2f}")
    kpis = plan.verification.summary.kpis
    table.add_row("verified service level", f"{kpis['service_level'].mean * 100:.1f}%")
    table.add_row("verified abandonment", f"{kpis['abandon_rate'].mean * 100:.1f}%")
    verdict = "yes" if plan.verified.within_ci else "NO (see plan.json verification.cells)"
    table.add_row("no cell missed on fresh days (95% CI)", verdict)
    for name, row in plan.comparisons.items():
        meets = "meets" if row["meets_target"] else "misses"
        agent_cost = float(row["agent_cost"])
        table.add_row(f"compare: {name} (agents)",
                      f"{agent_cost:,.2f} ({meets})" if math.isfinite(agent_cost) else "-")
    table.add_row("simulations / contacts / seconds",
                  f"{plan.simulations} / {plan.contacts:,} / {plan.seconds:.0f}")
    console.print(table)
    console.print(f"results: {folder}", markup=False)


def print_fixed_staffing(scenario: Scenario, answers: list[LeastCompletion], folder: Path) -> None:
    table = Table(title=f"{scenario.name}: least IVR completion meeting the target "
                        "with today's staffing")
    for column in ("contact type", "today", "least needed"):
        table.add_column(column, justify="right" if column != "contact type" else "left")
    for a in answers:
        least = "cannot (even full completion misses)" if a.least is None else f"{a.least:.0%}"
        table.add_row(a.contact_type, f"{a.current:.0%}", least)
    console = Console()
    console.print(table)
    if not answers:
        console.print("no contact type has a self_service block: nothing to vary")
    console.print(f"results: {folder}", markup=False)


def print_comparison(rows: list[Row], folder: Path) -> None:
    """The comparison table: one row per run, with its service-level target, whether it meets
    it, its interval × type cells per verdict and its worst margin ("–": not known)."""
    from ccsim.compare import cells_label, margin_label, meets_label, target_label

    styles = {"yes": VERDICT_STYLES[MET], "no": VERDICT_STYLES[MISSED]}
    table = Table(title="comparison (cost per day)")
    for column in ("run", label("service_level"), "target", "meets target", "cells",
                   "worst margin", label("asa_s"), label("abandon_rate"), label("occupancy"),
                   "cost"):
        table.add_column(column, justify="left" if column in ("run", "cells") else "right")
    for r in rows:
        meets = Text(meets_label(r), style=styles.get(str(r["meets_target"]), ""))
        table.add_row(str(r["run"]), f"{100 * float(r['service_level']):.1f}%", target_label(r),
                      meets, cells_label(r), margin_label(r),
                      f"{float(r['asa_s']):.1f} s", f"{100 * float(r['abandon_rate']):.1f}%",
                      f"{100 * float(r['occupancy']):.1f}%", f"{float(r['cost_total']):,.2f}")
    console = Console()
    console.print(table)
    console.print(f"results: {folder}", markup=False)


def print_sweep(rows: list[Row], axes: list[Axis], folder: Path) -> None:
    """The sweep table: one row per grid point, with its service-level target, whether it
    meets it, its interval × type cells per verdict and its worst margin."""
    from ccsim.compare import cells_label, margin_label, meets_label, target_label

    styles = {"yes": VERDICT_STYLES[MET], "no": VERDICT_STYLES[MISSED]}
    table = Table(title=f"sweep: {len(rows)} points on common random numbers")
    for a in axes:
        table.add_column(a.path)
    for column in (label("service_level"), "target", "meets target", "cells", "worst margin",
                   label("asa_s"), label("abandon_rate"), "cost"):
        table.add_column(column, justify="left" if column == "cells" else "right")
    for r in rows:
        meets = Text(meets_label(r), style=styles.get(str(r["meets_target"]), ""))
        table.add_row(*(str(r[a.path]) for a in axes), f"{100 * float(r['service_level']):.1f}%",
                      target_label(r), meets, cells_label(r),
                      margin_label(r), f"{float(r['asa_s']):.1f} s",
                      f"{100 * float(r['abandon_rate']):.1f}%", f"{float(r['cost_total']):,.2f}")
    console = Console()
    console.print(table)
    console.print(f"results: {folder}", markup=False)
