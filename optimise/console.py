"""What the commands print: closing tables of plans and of the reverse question."""

from __future__ import annotations

import math
from pathlib import Path

from rich.console import Console
from rich.table import Table

from optimise.plan import Plan
from optimise.self_service import LeastCompletion, SelfServiceReport
from sim.scenario import Scenario


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
    table.add_row("target met on fresh days (95% CI)", verdict)
    for name, row in plan.comparisons.items():
        meets = "meets" if row["meets_target"] else "misses"
        cost = float(row["agent_cost"])
        table.add_row(f"compare: {name} (agents)",
                      f"{cost:,.2f} ({meets})" if math.isfinite(cost) else "-")
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


def print_comparison(rows: list[dict[str, object]], folder: Path) -> None:
    """The comparison table: one row per run."""
    table = Table(title="comparison (cost per day)")
    for column in ("run", "service level", "ASA", "abandoned", "occupancy", "cost"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for r in rows:
        table.add_row(str(r["run"]), f"{100 * float(r['service_level']):.1f}%",
                      f"{float(r['asa_s']):.1f} s", f"{100 * float(r['abandon_rate']):.1f}%",
                      f"{100 * float(r['occupancy']):.1f}%", f"{float(r['cost_total']):,.2f}")
    console = Console()
    console.print(table)
    console.print(f"results: {folder}", markup=False)


def print_sweep(rows: list[dict[str, object]], axes: list, folder: Path) -> None:
    """The sweep table: one row per grid point."""
    table = Table(title=f"sweep: {len(rows)} points on common random numbers")
    for a in axes:
        table.add_column(a.path)
    for column in ("service level", "ASA", "abandoned", "cost"):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(*(str(r[a.path]) for a in axes), f"{100 * float(r['service_level']):.1f}%",
                      f"{float(r['asa_s']):.1f} s", f"{100 * float(r['abandon_rate']):.1f}%",
                      f"{float(r['cost_total']):,.2f}")
    console = Console()
    console.print(table)
    console.print(f"results: {folder}", markup=False)
