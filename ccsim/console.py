"""What the commands print: progress, and the closing tables of runs, plans, comparisons and
sweeps (on stdout; progress on stderr, only on a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from ccsim.report import period
from ccsim.sim.kpi_registry import format_kpi, label, wait_text
from ccsim.sim.kpis import kpi_keys
from ccsim.sim.verdict import (
    MET,
    MISSED,
    VERDICTS,
    WITHIN_NOISE,
    Judgement,
    common_target,
    interval_cells,
    journey_targets,
    judge,
    kpi_verdict,
    precision_of,
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


class RateColumn(ProgressColumn):
    """Work done per second so far, in the task's unit (``unit`` field, e.g. "days")."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed or not task.completed:
            return Text("", style="progress.data.speed")
        unit = task.fields.get("unit", "")
        return Text(f"{task.completed / elapsed:,.1f} {unit}/s", style="progress.data.speed")


def progress_bar(total: int, what: str, unit: str = "days") -> Progress:
    """A progress bar on stderr, shown only on a terminal: done / total, rate, time elapsed
    and time left. Add its task with ``unit=`` the name of the work done."""
    return Progress(
        TextColumn(what), BarColumn(), MofNCompleteColumn(), RateColumn(), TimeElapsedColumn(),
        TextColumn("left"), TimeRemainingColumn(),
        console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty(),
    )


class BudgetColumn(ProgressColumn):
    """Time used of a time limit, and at most how much is left (``limit`` field, seconds)."""

    def render(self, task: Task) -> Text:
        limit = float(task.fields["limit"])
        used = task.elapsed or 0.0
        return Text(f"{used:,.0f}/{limit:,.0f} s, ≤ {max(0.0, limit - used):,.0f} s left",
                    style="progress.remaining")


class DaysColumn(ProgressColumn):
    """Simulated days so far and their rate (``days`` field)."""

    def render(self, task: Task) -> Text:
        days = int(task.fields["days"])
        used = task.elapsed or 0.0
        rate = f" at {days / used:,.1f}/s" if used > 0 else ""
        return Text(f"{days:,} days{rate}", style="progress.data.speed")


class OptimiseProgress:
    """What ``ccsim optimise`` shows on a terminal while it works: a line per stage with the
    time elapsed, and a bar of the time limit used with the stage, the days simulated and
    their rate. The optimiser's total work is not known in advance; its time limit is, so the
    bar counts time against it (the command never runs longer)."""

    def __init__(self, time_limit_s: float) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description:>8}[/bold]"), BarColumn(), BudgetColumn(),
            DaysColumn(), console=Console(stderr=True), transient=True,
            disable=not sys.stderr.isatty())
        self.task = self.progress.add_task("start", total=time_limit_s, limit=time_limit_s,
                                           days=0)
        self.days = 0

    def __enter__(self) -> OptimiseProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(None, None, None)

    def _elapsed(self) -> float:
        return self.progress.tasks[0].elapsed or 0.0

    def stage(self, name: str, detail: str) -> None:
        """A stage line (above the bar) with the time elapsed."""
        if not self.progress.disable:
            self.progress.console.print(f"{self._elapsed():6.1f} s [bold]{name:>8}[/bold] "
                                        f"{detail}", highlight=False)
        self.progress.update(self.task, description=name, completed=self._elapsed())

    def add_days(self, n: int) -> None:
        """``n`` more simulated days."""
        self.days += n
        self.progress.update(self.task, days=self.days, completed=self._elapsed())


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
    return f"{target:.0%}" + ("" if threshold_s is None else f" in {wait_text(threshold_s)}")


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
    """The verdict over a run's interval × type cells (``judgement_lines``)."""
    return judgement_lines(judge(interval_cells(result.summary, result.scenario),
                                 precision_of(result.scenario)))


def judgement_lines(j: Judgement, stopped_by: str | None = None) -> list[Text]:
    """The verdict over interval × type cells: counts, worst margin, and whether the run or
    plan meets the target (DESIGN.md, "Verdict"); ``stopped_by`` ("cap" or "time") says what
    stopped a verification adding days."""
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
        why = j.why_not()
        if stopped_by:
            why.append("the replication cap" if stopped_by == "cap" else "the time limit")
            why[-1] = f"{why[-1]} stopped adding days first"
        meets = Text(f"meets the target: no ({'; '.join(why)})", style=VERDICT_STYLES[MISSED])
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
    loads = [f"{name} {_cell(k['chat_load'], 'chat_load')}" for name, k in s.by_group.items()
             if "chat_load" in k]
    if loads:
        console.print(f"{label('chat_load')} (mean chats held per agent holding any): "
                      + "; ".join(loads), markup=False)
    cost = ", ".join(f"{k.replace('_', ' ')} {v.mean:,.2f}" for k, v in s.cost.items())
    console.print(f"cost per {period(result.scenario)} ({result.scenario.costs.currency}): "
                  f"{cost}", markup=False)
    if s.days:
        console.print(_days_table(result))
    console.print(f"results: {folder}", markup=False)


def _days_table(result: RunResult) -> Table:
    """A multi-day run's days: each type's service level and verdict, the backlog of
    e-mails left, and the day's agent hours and cost."""
    scenario = result.scenario
    types = [t.name for t in scenario.contact_types]
    table = Table(title="per day: service level (verdict), agent hours, agent cost")
    table.add_column("day")
    for name in types:
        table.add_column(name, justify="right")
    table.add_column("agent h", justify="right")
    table.add_column(f"agents ({scenario.costs.currency})", justify="right")
    targets = {t.name: scenario.service_level_of(t).target for t in scenario.contact_types}
    rows = {(r.day, r.contact_type): r for r in result.summary.days}
    for d in range(scenario.horizon.days):
        cells = []
        for name in types:
            sl = rows[(d, name)].kpis["service_level"]
            judged = verdict(sl.mean, sl.hi, targets[name])
            cells.append("-" if sl.mean != sl.mean else f"{sl.mean * 100:.1f}% ({judged})")
        every = rows[(d, "all")].kpis
        table.add_row(scenario.horizon.day_label(d), *cells,
                      f"{every['staffed_hours'].mean:,.0f}", f"{every['agent_cost'].mean:,.0f}")
    return table


def print_plan(plan: Plan, folder: Path, report: SelfServiceReport | None = None) -> None:
    """The closing table: cost split, the verifying simulation, the comparisons."""
    console = Console()
    currency = plan.scenario.costs.currency
    table = Table(title=f"{plan.scenario.name}: optimised plan (cost per "
                        f"{period(plan.scenario)}, {currency})")
    table.add_column("")
    table.add_column("value", justify="right")
    cost = report.chosen.cost if report is not None else plan.cost
    for key, value in cost.items():
        table.add_row(f"cost: {key.replace('_', ' ')}", f"{value:,.2f}")
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
    unit = "days" if plan.scenario.horizon.days == 1 else "horizons"
    if plan.scenario.horizon.days == 7:
        unit = "weeks"
    table.add_row(f"simulated {unit} (asked / search / verification)",
                  f"{plan.replications} / {plan.search_replications} / "
                  f"{plan.verified.replications}")
    for name, row in plan.comparisons.items():
        table.add_row(f"compare: {name} (agents)", comparison_cell(row))
    table.add_row("simulations / contacts / wall time",
                  f"{plan.simulations} / {plan.contacts:,} / {plan.seconds:.0f} s")
    console.print(table)
    for note in plan.notes:
        console.print(Text(note, style=VERDICT_STYLES[MISSED]))
    for line in judgement_lines(plan.judgement, plan.checked.stopped_by):
        console.print(line)
    console.print(f"results: {folder}", markup=False)


def comparison_cell(row: dict[str, object]) -> Text:
    """A comparison's agent cost and verdict, by the rule that judges the plan."""
    if "skipped" in row:
        return Text(f"skipped: {row['skipped']}")
    cost = row["agent_cost"]
    assert isinstance(cost, int | float)
    cells = row.get("cells")
    missed = cells.get("missed", 0) if isinstance(cells, dict) else 0
    if row["meets_target"]:
        return Text(f"{cost:,.2f} meets", style=VERDICT_STYLES[MET])
    why = f"{missed} cells missed" if missed else "cells too wide"
    return Text(f"{cost:,.2f} does not meet ({why})", style=VERDICT_STYLES[MISSED])


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
