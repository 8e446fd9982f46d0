"""The ``ccsim`` command: the simulator's commands plus ``ccsim optimise``.

The CLI is the top layer; it lives here because ``optimise`` drives ``sim`` and not the other
way round.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from optimise.output import fixed_staffing_json, write_plan
from optimise.plan import Plan, optimise_staffing
from optimise.self_service import (
    LeastCompletion,
    SelfServiceReport,
    apply_option,
    least_completion,
    optimise_self_service,
    options_of,
)
from optimise.shifts import ShiftPlanError
from sim.cli import app, check_size, guarded, read_scenario
from sim.loader import ScenarioError
from sim.results import new_run_dir, write_run_files
from sim.runner import simulate
from sim.scenario import Scenario, SelfServiceOption


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
    fixed_staffing: Annotated[bool, typer.Option(
        "--fixed-staffing",
        help="Keep the scenario's staffing; find the least IVR completion meeting the target.",
    )] = False,
    force: Annotated[bool, typer.Option(help="Run even a huge scenario.")] = False,
) -> None:
    """Find the cheapest staffing on shifts (and self-service options) that meets the service
    level, verify it by simulation, and write plan.json and scenario.optimised.yaml."""
    spec, source = read_scenario(scenario)
    reps = spec.replications if replications is None else replications
    check_size(spec, source, reps, force)
    if fixed_staffing:
        answers = least_completion(spec, replications=reps, seed=seed)
        folder = write_fixed_staffing(spec, answers, seed, reps, out)
        print_fixed_staffing(spec, answers, folder)
        return
    if spec.optimise is None:
        raise ScenarioError(str(source), [
            "optimise (top level): is required by ccsim optimise (level, meet, shrinkage, "
            "shifts); see the README"])
    err = Console(stderr=True)

    def stage(name: str, detail: str) -> None:
        if sys.stderr.isatty():
            err.print(f"[bold]{name:>8}[/bold] {detail}", highlight=False)

    report = None
    try:
        if options_of(spec):
            report = optimise_self_service(spec, replications=reps, seed=seed, workers=workers,
                                           time_limit_s=time_limit, compare=compare,
                                           on_stage=stage)
            plan = report.chosen.plan
        else:
            plan = optimise_staffing(spec, replications=reps, seed=seed, workers=workers,
                                     time_limit_s=time_limit, compare=compare, on_stage=stage)
    except ShiftPlanError as exc:
        raise ScenarioError(str(source), str(exc).splitlines()) from None
    folder = write_plan(plan, spec, out, self_service=report)
    print_plan(plan, folder, report)


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


def write_fixed_staffing(
    scenario: Scenario, answers: list[LeastCompletion], seed: int | None, reps: int, out: Path
) -> Path:
    """The result folder of --fixed-staffing: plan.json with the answers, and the check
    simulation of the scenario at the least completions found."""
    run_seed = scenario.seed if seed is None else seed
    checked = scenario
    for a in answers:
        if a.least is not None:
            option = SelfServiceOption.model_validate(
                {"name": "least", "self_service": {"completion": a.least}})
            checked = apply_option(checked, a.contact_type, option)
    result = simulate(checked, replications=reps, seed=run_seed)
    document = fixed_staffing_json(scenario, answers, run_seed, reps)

    def write(folder: Path) -> None:
        write_run_files(result, folder, scenario=checked)
        (folder / "plan.json").write_text(json.dumps(document, indent=2) + "\n")

    return new_run_dir(out, f"{scenario.name}-fixed-staffing", write)


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


def main() -> None:
    """Entry point of the ``ccsim`` console script."""
    app()


__all__ = ["app", "main"]
