"""The ``ccsim`` command: one typer app with every verb (``run``, ``optimise``, ``compare``,
``sweep``, ``import``, ``validate``, ``schema``).

A thin layer: each command reads, calls the library (the same functions a script calls), writes
one result folder atomically and prints a closing table. Heavy libraries (numpy, SimPy, Pyomo,
matplotlib) are imported inside the commands that use them, so ``--help``, ``validate`` and
``schema`` answer at once. Exit codes: 0 ok, 2 bad input, 1 internal error (``ccsim.guard``).
"""

from __future__ import annotations

import json
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ccsim.guard import guarded, handle_sigterm, set_debug

if TYPE_CHECKING:
    from ccsim.optimise.self_service import LeastCompletion
    from ccsim.sim.scenario import Scenario

app = typer.Typer(
    name="ccsim",
    help="Contact-centre simulator and staffing optimiser.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the full traceback of an internal error (or CCSIM_DEBUG=1)."),
    ] = False,
) -> None:
    """Contact-centre simulator and staffing optimiser."""
    set_debug(debug)


class ChartFormat(str, Enum):
    png = "png"
    svg = "svg"


ScenarioArg = Annotated[Path | None, typer.Argument(
    metavar="SCENARIO", help="Scenario YAML file (default: the bundled default scenario).")]
Replications = Annotated[int | None, typer.Option(
    min=2, metavar="N", help="Simulated days (default: the scenario's).")]
Seed = Annotated[int | None, typer.Option(
    min=0, metavar="S", help="Seed (default: the scenario's).")]
Out = Annotated[Path, typer.Option(
    metavar="DIR", help="Folder in which the result folder is made.")]
Workers = Annotated[int, typer.Option(
    min=1, metavar="N", help="Processes running replications.")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", metavar="PATH=VALUE",
    help="What-if PATH=VALUE, e.g. contact_types.billing.arrivals.scale=1.1 (repeatable; "
         "validated like the file).")]
Format = Annotated[ChartFormat, typer.Option("--format", help="Chart file format.")]
Force = Annotated[bool, typer.Option(help="Run even a huge scenario.")]
Scheduler = Annotated[str | None, typer.Option(
    metavar="ADDR", help="Run on a Dask cluster: the scheduler's address, e.g. tcp://host:8786.")]


def read_scenario(path: Path | None, overrides: list[str] | None = None) -> tuple[Scenario, Path]:
    """The scenario at ``path`` (or the bundled default one) with ``--set`` overrides."""
    from ccsim.scenarios import bundled
    from ccsim.sim.loader import load_scenario

    path = bundled("default") if path is None else path
    point_to_bundled(path)
    return load_scenario(path, overrides or []), path


def point_to_bundled(path: Path) -> None:
    """A missing file named like a bundled scenario (``scenarios/erlang_c.yaml`` typed outside
    a checkout) is bad input that says where the bundled one is."""
    from ccsim.scenarios import bundled, names
    from ccsim.sim.loader import ScenarioError

    if not path.exists() and path.suffix in (".yaml", ".yml") and path.stem in names():
        raise ScenarioError(str(path), [
            f"no such file; the bundled scenario {path.stem!r} is {bundled(path.stem)}"])


def check_size(scenarios: list[Scenario], source: Path, replications: int, force: bool) -> None:
    """Refuse work whose expected number of contacts (over every scenario given: a sweep's
    points together) is absurd, unless forced."""
    from ccsim.sim.loader import ScenarioError
    from ccsim.sim.runner import MAX_CONTACTS, expected_contacts

    expected = sum(expected_contacts(s, replications) for s in scenarios)
    if expected > MAX_CONTACTS and not force:
        what = f"{len(scenarios)} points × " if len(scenarios) > 1 else ""
        raise ScenarioError(str(source), [
            f"about {expected:,.0f} contacts expected over {what}{replications} replications "
            f"(more than {MAX_CONTACTS:,}); lower the volume or the replications, "
            "or pass --force"
        ])


def check_out(out: Path) -> None:
    """Refuse, before any work and without creating anything, an output folder that cannot
    take a result folder."""
    from ccsim.sim.loader import ScenarioError

    if out.exists() and not out.is_dir():
        raise ScenarioError("--out", [f"{out} is a file, not a folder"])
    nearest = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not nearest.is_dir():
        raise ScenarioError("--out", [f"{out} cannot be made: {nearest} is a file"])
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise ScenarioError("--out", [f"{out} cannot be made: {nearest} is not writable"])


@app.command()
@guarded
def validate(
    scenario: Annotated[Path, typer.Argument(metavar="SCENARIO",
                                             help="Scenario YAML file to check.")],
) -> None:
    """Check a scenario file; print what it describes, or every problem (exit 2)."""
    from ccsim.sim.loader import load_scenario

    point_to_bundled(scenario)
    spec = load_scenario(scenario)
    h = spec.horizon
    days = "" if h.days == 1 else f" on each of {h.days} days"
    per = "a day" if h.days == 1 else "a week" if h.days == 7 else f"per {h.days} days"
    typer.echo(
        f"{scenario}: valid: {len(spec.contact_types)} contact types, "
        f"{len(spec.agent_groups)} agent groups, {h.intervals} intervals of "
        f"{h.interval_minutes} min from {h.start}{days}, about "
        f"{spec.expected_arrivals():,.0f} contacts {per}, {spec.replications} replications"
    )


@app.command()
@guarded
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checking)."""
    from ccsim.sim.scenario import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


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
    records: Annotated[bool, typer.Option(
        "--records", help="Also write records.csv: every contact, in the contacts layout of "
                          "ccsim import (replication r dated 2024-01-01 + r days).")] = False,
) -> None:
    """Simulate a scenario and write results/<name>-<timestamp>/ (with report.html)."""
    from contextlib import nullcontext

    from ccsim.console import print_summary, progress_bar
    from ccsim.output import write_run_report
    from ccsim.records_file import RecordsFile
    from ccsim.sim.runner import executor_for, simulate

    spec, source = read_scenario(scenario, set_)
    reps = spec.replications if replications is None else replications
    check_size([spec], source, reps, force)
    check_out(out)
    with RecordsFile(spec, out) if records else nullcontext() as contacts:
        with executor_for(workers, scheduler) as pool, progress_bar(reps, "simulating") as bar:
            task = bar.add_task("days", total=reps, unit="days")
            result = simulate(spec, replications=reps, seed=seed, executor=pool,
                              on_replication=lambda done: bar.update(task, completed=done),
                              on_contacts=contacts.add if contacts is not None else None)
        folder = write_run_report(result, out, chart_format.value if charts else None,
                                  records=contacts, overrides=set_ or [])
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
        min=1, metavar="S", help="Seconds the whole command may take, comparisons included: "
                                 "the search stops improving, the verification stops adding "
                                 "days and comparisons are skipped when it runs out (each "
                                 "says so).")] = 300,
    max_replications: Annotated[int | None, typer.Option(
        min=2, metavar="N", help="Most simulated days per decision and for the verification "
                                 "(days are added where cells are close to their target and "
                                 "wider than optimise.precision). Default: 10 × replications "
                                 "per decision, 25 × for the verification.",
    )] = None,
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
    """Find the cheapest staffing on shifts that meets the service level.

    Self-service options are chosen with it, and the plan is verified on fresh simulated days.

    Writes plan.json and scenario.optimised.yaml beside the verifying run's files.
    """
    from ccsim.console import OptimiseProgress, print_fixed_staffing, print_plan
    from ccsim.optimise.evaluate import TargetError
    from ccsim.optimise.plan import optimise_staffing
    from ccsim.optimise.self_service import least_completion, optimise_self_service, options_of
    from ccsim.optimise.shifts import ShiftPlanError
    from ccsim.output import write_plan
    from ccsim.sim.loader import ScenarioError
    from ccsim.sim.runner import executor_for

    spec, source = read_scenario(scenario, set_)
    if not fixed_staffing:
        from ccsim.optimise.week import week_problems
        if week_problems(spec):
            raise ScenarioError(str(source), week_problems(spec))
    reps = spec.replications if replications is None else replications
    check_size([spec], source, reps, force)
    check_out(out)
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
    report = None
    try:
        with executor_for(workers, scheduler) as pool, OptimiseProgress(time_limit) as shown:
            if options_of(spec):
                report = optimise_self_service(spec, replications=reps, seed=seed,
                                               executor=pool, time_limit_s=time_limit,
                                               compare=compare, on_stage=shown.stage,
                                               max_replications=max_replications,
                                               on_days=shown.add_days)
                plan = report.chosen.plan
            else:
                plan = optimise_staffing(spec, replications=reps, seed=seed, executor=pool,
                                         time_limit_s=time_limit, compare=compare,
                                         max_replications=max_replications,
                                         on_stage=shown.stage, on_days=shown.add_days)
    except (ShiftPlanError, TargetError) as exc:
        raise ScenarioError(str(source), str(exc).splitlines()) from None
    folder = write_plan(plan, spec, out, self_service=report, chart_format=chart_format.value,
                        overrides=set_ or [])
    print_plan(plan, folder, report)


@app.command("compare")
@guarded
def compare_runs(
    result_dirs: Annotated[list[Path], typer.Argument(
        metavar="RESULT_DIR", help="Result folders to compare.")],
    out: Out = Path("results"),
    label: Annotated[list[str] | None, typer.Option(
        "--label", metavar="NAME",
        help="A name for each folder, in order (repeat once per folder); default: the --set "
             "changes each run was made with.")] = None,
) -> None:
    """Compare result folders: cost, service level, ASA and abandonment side by side."""
    from ccsim.compare import comparison_rows, label_runs, load_run, write_comparison
    from ccsim.compare_table import print_comparison
    from ccsim.results import new_run_dir

    runs = label_runs([load_run(folder) for folder in result_dirs], label)
    check_out(out)
    folder = new_run_dir(out, "compare", lambda f: write_comparison(runs, f))
    print_comparison(comparison_rows(runs), [r.folder for r in runs],
                     runs[0].scenario.costs.currency, folder)


@app.command()
@guarded
def sweep(
    scenario: ScenarioArg = None,
    vary: Annotated[list[str] | None, typer.Option(
        metavar="PATH=v1,v2,...",
        help="PATH=v1,v2,... to vary (repeatable: the grid of all combinations).")] = None,
    replications: Replications = None,
    seed: Seed = None,
    out: Out = Path("results"),
    workers: Workers = 1,
    set_: Sets = None,
    scheduler: Scheduler = None,
    force: Force = False,
) -> None:
    """Simulate a grid of what-ifs on common random numbers.

    Writes a result folder per point, sweep.csv and a chart.
    """
    from ccsim.console import print_sweep, progress_bar
    from ccsim.results import new_run_dir
    from ccsim.sim.loader import ScenarioError
    from ccsim.sim.runner import executor_for
    from ccsim.sweep import grid, parse_vary, simulate_points, sweep_rows, write_sweep

    spec, source = read_scenario(scenario, set_)
    if not vary:
        raise ScenarioError(str(source), ["--vary PATH=v1,v2,... is required"])
    axes = [parse_vary(v, str(source)) for v in vary]
    points = grid(source, axes, list(set_ or []))
    reps = spec.replications if replications is None else replications
    check_size([point for _, point in points], source, reps, force)
    check_out(out)
    days = len(points) * reps
    with executor_for(workers, scheduler) as pool, \
            progress_bar(days, f"sweeping {len(points)} points") as bar:
        task = bar.add_task("days", total=days, unit="days")
        results = simulate_points(points, replications=reps, seed=seed, executor=pool,
                                  on_days=lambda n: bar.update(task, completed=n))
    rows = sweep_rows(points, results)
    folder = new_run_dir(out, f"{spec.name}-sweep",
                         lambda f: write_sweep(f, axes, results, rows, list(set_ or [])))
    print_sweep(rows, axes, folder)


class HistoryKind(str, Enum):
    intervals = "intervals"
    contacts = "contacts"


@app.command("import")
@guarded
def import_(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="CSV export: intervals (date, interval_start, queue, offered, "
                             "...) or contacts (arrival, queue, wait_s, outcome, handle_s).")],
    kind: Annotated[HistoryKind | None, typer.Option(
        help="The export's layout (default: told from its header).")] = None,
    out: Annotated[Path | None, typer.Option(
        metavar="FILE", help="The scenario draft to write (default: FILE's name with "
                             ".yaml, in this folder).")] = None,
    weeks: Annotated[int, typer.Option(min=1, max=52, metavar="N",
                                       help="Weeks to forecast.")] = 1,
    force: Annotated[bool, typer.Option(help="Replace an existing --out file.")] = False,
) -> None:
    """Draft a scenario from history: forecast, handle time, patience, IVR completion."""
    import time

    from ccsim.import_history import import_history, summary_lines, write_draft

    started = time.perf_counter()
    target = Path(f"{file.stem}.yaml") if out is None else out
    result = import_history(file, kind.value if kind else None, weeks)
    write_draft(result.text, target, force)
    for line in summary_lines(result, target, time.perf_counter() - started):
        typer.echo(line)


def write_fixed_staffing(
    scenario: Scenario, answers: list[LeastCompletion], seed: int | None, reps: int, out: Path
) -> Path:
    """The result folder of --fixed-staffing: plan.json with the answers, and the check
    simulation of the scenario at the least completions found."""
    from ccsim.optimise.self_service import with_completion
    from ccsim.output import fixed_staffing_json, run_report_charts, write_charts_and_report
    from ccsim.results import new_run_dir, write_run_files
    from ccsim.sim.runner import simulate

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
        write_charts_and_report(folder, result, run_report_charts(result, "svg"), False)

    return new_run_dir(out, f"{scenario.name}-fixed-staffing", write)


def main() -> None:
    """Entry point of the ``ccsim`` console script and of ``python -m ccsim``."""
    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show ± or × gets ?
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    handle_sigterm()
    _spare_workers_the_cli()
    app()


def _spare_workers_the_cli() -> None:
    """Keep spawned workers from importing this CLI.

    multiprocessing's spawn re-runs the parent's main module in every worker, and ccsim's main
    module (the console script, or ``ccsim.__main__``) imports this CLI. The workers only run
    functions of ``ccsim.sim``, so the main module is hidden from them by clearing the two
    attributes spawn reads (``__spec__`` and ``__file__``); a script of the user's that calls
    the API keeps its own main module untouched.
    """
    main_module = sys.modules.get("__main__")
    if main_module is not None and getattr(main_module, "main", None) is main:
        main_module.__spec__ = None
        main_module.__dict__.pop("__file__", None)
