"""The ``ccsim`` command, top layer: ``run``, ``optimise``, ``compare``, ``sweep`` (plus the
simulator's ``validate`` and ``schema`` from ``sim.cli``).

It lives here because ``optimise`` drives ``sim`` and not the other way round: the reports
and charts every result folder gets are drawn by this layer. Each command reads, calls the
library, writes one result folder atomically and prints a closing table.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from optimise.compare import comparison_rows, load_run, write_comparison
from optimise.console import print_comparison, print_fixed_staffing, print_plan, print_sweep
from optimise.evaluate import TargetError
from optimise.output import (
    fixed_staffing_json,
    write_charts_and_report,
    write_plan,
    write_run_report,
)
from optimise.plan import optimise_staffing
from optimise.self_service import (
    LeastCompletion,
    least_completion,
    optimise_self_service,
    options_of,
    with_completion,
)
from optimise.shifts import ShiftPlanError
from optimise.sweep import grid, parse_vary, simulate_points, sweep_rows, write_sweep
from sim.cli import app, check_size, guarded, print_summary, progress_bar, read_scenario
from sim.loader import ScenarioError
from sim.results import new_run_dir, write_run_files
from sim.runner import executor_for, simulate
from sim.scenario import Scenario


class ChartFormat(str, Enum):
    png = "png"
    svg = "svg"


ScenarioArg = Annotated[Path | None, typer.Argument(
    help="Scenario YAML file (default: the bundled scenarios/default.yaml).")]
Replications = Annotated[int | None, typer.Option(
    min=2, help="Simulated days (default: the scenario's).")]
Seed = Annotated[int | None, typer.Option(min=0, help="Seed (default: the scenario's).")]
Out = Annotated[Path, typer.Option(help="Folder in which the result folder is made.")]
Workers = Annotated[int, typer.Option(min=1, help="Processes running replications.")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", help="What-if PATH=VALUE, e.g. contact_types.billing.arrivals.scale=1.1 "
                  "(repeatable; validated like the file).")]
Format = Annotated[ChartFormat, typer.Option("--format", help="Chart file format.")]
Force = Annotated[bool, typer.Option(help="Run even a huge scenario.")]
Scheduler = Annotated[str | None, typer.Option(
    help="Run on a Dask cluster: the scheduler's address, e.g. tcp://host:8786.")]


@app.command()
@guarded
def run(
    scenario: ScenarioArg = None,
    replications: Replications = None,
    seed: Seed = None,
    out: Out = Path("results"),
    workers: Workers = 1,
    set_: Sets = None,
    charts: Annotated[bool, typer.Option(help="Also write the charts as files.")] = False,
    chart_format: Format = ChartFormat.png,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Simulate a scenario and write results/<name>-<timestamp>/ (with report.html)."""
    spec, source = read_scenario(scenario, set_)
    reps = spec.replications if replications is None else replications
    check_size(spec, source, reps, force)
    with executor_for(workers, scheduler) as pool, progress_bar(reps, "simulating") as bar:
        task = bar.add_task("days", total=reps)
        result = simulate(spec, replications=reps, seed=seed, executor=pool,
                          on_replication=lambda done: bar.update(task, completed=done))
    folder = write_run_report(result, out, chart_format.value if charts else None)
    print_summary(result, folder)


@app.command()
@guarded
def optimise(
    scenario: ScenarioArg = None,
    replications: Replications = None,
    seed: Seed = None,
    out: Out = Path("results"),
    workers: Workers = 1,
    set_: Sets = None,
    time_limit: Annotated[float, typer.Option(
        min=1, help="Seconds for the improving searches (trimming, cutting planes) and for "
                    "each shift IP solve.")] = 90,
    compare: Annotated[bool, typer.Option(
        help="Also cost the two-step Erlang C method and separate specialists.")] = True,
    fixed_staffing: Annotated[bool, typer.Option(
        "--fixed-staffing",
        help="Keep the scenario's staffing; find the least IVR completion meeting the target.",
    )] = False,
    chart_format: Format = ChartFormat.png,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Find the cheapest staffing on shifts (and self-service options) that meets the service
    level, verify it by simulation, and write plan.json and scenario.optimised.yaml."""
    spec, source = read_scenario(scenario, set_)
    reps = spec.replications if replications is None else replications
    check_size(spec, source, reps, force)
    if fixed_staffing:
        with executor_for(workers, scheduler) as pool:
            answers = least_completion(spec, replications=reps, seed=seed, executor=pool)
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
        with executor_for(workers, scheduler) as pool:
            if options_of(spec):
                report = optimise_self_service(spec, replications=reps, seed=seed,
                                               executor=pool, time_limit_s=time_limit,
                                               compare=compare, on_stage=stage)
                plan = report.chosen.plan
            else:
                plan = optimise_staffing(spec, replications=reps, seed=seed, executor=pool,
                                         time_limit_s=time_limit, compare=compare,
                                         on_stage=stage)
    except (ShiftPlanError, TargetError) as exc:
        raise ScenarioError(str(source), str(exc).splitlines()) from None
    folder = write_plan(plan, spec, out, self_service=report, chart_format=chart_format.value)
    print_plan(plan, folder, report)


@app.command("compare")
@guarded
def compare_runs(
    result_dirs: Annotated[list[Path], typer.Argument(help="Result folders to compare.")],
    out: Out = Path("results"),
) -> None:
    """Compare result folders: cost, service level, ASA and abandonment side by side."""
    runs = [load_run(folder) for folder in result_dirs]
    labels = [r.label for r in runs]
    if len(set(labels)) != len(labels):
        raise ScenarioError("compare", ["the same result folder is given twice"])
    folder = new_run_dir(out, "compare", lambda f: write_comparison(runs, f))
    print_comparison(comparison_rows(runs), folder)


@app.command()
@guarded
def sweep(
    scenario: ScenarioArg = None,
    vary: Annotated[list[str] | None, typer.Option(
        help="PATH=v1,v2,... to vary (repeatable: the grid of all combinations).")] = None,
    replications: Replications = None,
    seed: Seed = None,
    out: Out = Path("results"),
    workers: Workers = 1,
    set_: Sets = None,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Simulate a grid of what-ifs on common random numbers: a result folder per point,
    sweep.csv and a chart."""
    spec, source = read_scenario(scenario, set_)
    if not vary:
        raise ScenarioError(str(source), ["--vary PATH=v1,v2,... is required"])
    axes = [parse_vary(v, str(source)) for v in vary]
    points = grid(source, axes, list(set_ or []))
    reps = spec.replications if replications is None else replications
    for _, point in points:
        check_size(point, source, reps, force)
    with executor_for(workers, scheduler) as pool, progress_bar(len(points), "sweeping") as bar:
        task = bar.add_task("points", total=len(points))
        results = simulate_points(points, replications=reps, seed=seed, executor=pool,
                                  on_point=lambda n: bar.update(task, completed=n))
    rows = sweep_rows(points, results)
    folder = new_run_dir(out, f"{spec.name}-sweep", lambda f: write_sweep(f, axes, results, rows))
    print_sweep(rows, axes, folder)


def write_fixed_staffing(
    scenario: Scenario, answers: list[LeastCompletion], seed: int | None, reps: int, out: Path
) -> Path:
    """The result folder of --fixed-staffing: plan.json with the answers, and the check
    simulation of the scenario at the least completions found."""
    run_seed = scenario.seed if seed is None else seed
    checked = scenario
    for a in answers:
        if a.least is not None:
            checked = with_completion(checked, a.contact_type, a.least)
    result = simulate(checked, replications=reps, seed=run_seed)
    document = fixed_staffing_json(scenario, answers, run_seed, reps)

    def write(folder: Path) -> None:
        write_run_files(result, folder, scenario=checked)
        (folder / "plan.json").write_text(json.dumps(document, indent=2) + "\n")
        write_charts_and_report(folder, result, None, "", None)

    return new_run_dir(out, f"{scenario.name}-fixed-staffing", write)


def main() -> None:
    """Entry point of the ``ccsim`` console script."""
    app()


__all__ = ["app", "main"]
