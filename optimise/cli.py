"""The ``ccsim`` command: the simulator's commands plus ``ccsim optimise``.

The CLI is the top layer; it lives here because ``optimise`` drives ``sim`` and not the other
way round.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from optimise.output import write_plan
from optimise.plan import Plan, optimise_staffing
from optimise.shifts import ShiftPlanError
from sim.cli import app, check_size, guarded, read_scenario
from sim.loader import ScenarioError


@app.command()
@guarded
def optimise(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file with an optimise: block (default: the bundled one).")] = None,
    replications: Annotated[int | None, typer.Option(
        min=2, help="Simulated days per evaluation (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(
        min=0, help="Seed (default: the scenario's).")] = None,
    out: Annotated[Path, typer.Option(help="Folder in which the result folder is made.")] = Path(
        "results"),
    workers: Annotated[int, typer.Option(min=1, help="Processes running replications.")] = 1,
    time_limit: Annotated[float, typer.Option(
        min=1, help="Seconds for the shift IP, and the budget of the trimming searches.")] = 120,
    compare: Annotated[bool, typer.Option(
        help="Also cost the two-step Erlang C method and separate specialists.")] = True,
    force: Annotated[bool, typer.Option(help="Run even a huge scenario.")] = False,
) -> None:
    """Find the cheapest staffing on shifts that meets the service level, verify it by
    simulation, and write plan.json and scenario.optimised.yaml."""
    spec, source = read_scenario(scenario)
    if spec.optimise is None:
        raise ScenarioError(str(source), [
            "optimise (top level): is required by ccsim optimise (level, meet, shrinkage, "
            "shifts); see the README"])
    reps = spec.replications if replications is None else replications
    check_size(spec, source, reps, force)
    err = Console(stderr=True)

    def stage(name: str, detail: str) -> None:
        if sys.stderr.isatty():
            err.print(f"[bold]{name:>8}[/bold] {detail}", highlight=False)

    try:
        plan = optimise_staffing(spec, replications=reps, seed=seed, workers=workers,
                                 time_limit_s=time_limit, compare=compare, on_stage=stage)
    except ShiftPlanError as exc:
        raise ScenarioError(str(source), str(exc).splitlines()) from None
    folder = write_plan(plan, spec, out)
    print_plan(plan, folder)


def print_plan(plan: Plan, folder: Path) -> None:
    """The closing table: cost split, the verifying simulation, the comparisons."""
    console = Console()
    table = Table(title=f"{plan.scenario.name}: optimised plan (cost per day)")
    table.add_column("")
    table.add_column("value", justify="right")
    for key, value in plan.cost.items():
        table.add_row(f"cost: {key}", f"{value:,.2f}")
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


def main() -> None:
    """Entry point of the ``ccsim`` console script."""
    app()


__all__ = ["app", "main"]
