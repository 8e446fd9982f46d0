"""Command line of the simulator: ``ccsim run``, ``ccsim validate``, ``ccsim schema``.

A thin layer: it reads the scenario, calls the library, writes the result folder and prints.
Exit codes: 0 ok, 2 bad input (a one-line-per-problem message, never a traceback), 1 internal
error. ``optimise.cli`` adds the optimiser's commands to this same app.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.loader import ScenarioError, load_scenario
from sim.results import write_run
from sim.runner import MAX_CONTACTS, RunResult, expected_contacts, simulate
from sim.scenario import Scenario
from sim.stats import Estimate

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "default.yaml"

app = typer.Typer(
    name="ccsim",
    help="Contact-centre simulator and staffing optimiser.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])


def guarded(command: F) -> F:
    """Turn bad input into exit 2 with its message, anything unexpected into exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScenarioError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # an internal error: say so plainly, once
            typer.echo(f"ccsim: internal error: {type(exc).__name__}: {exc}", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def read_scenario(path: Path | None) -> tuple[Scenario, Path]:
    """The scenario at ``path``, or the bundled default one."""
    path = DEFAULT_SCENARIO if path is None else path
    return load_scenario(path), path


def check_size(scenario: Scenario, source: Path, replications: int, force: bool) -> None:
    """Refuse a run whose expected number of contacts is absurd, unless forced."""
    expected = expected_contacts(scenario, replications)
    if expected > MAX_CONTACTS and not force:
        raise ScenarioError(str(source), [
            f"about {expected:,.0f} contacts expected over {replications} replications "
            f"(more than {MAX_CONTACTS:,}); lower the volume or the replications, "
            "or pass --force"
        ])


def progress_bar(total: int, what: str) -> Progress:
    """A progress bar on stderr, shown only on a terminal."""
    return Progress(
        TextColumn(what), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty(),
    )


def _cell(e: Estimate, key: str) -> str:
    if e.mean != e.mean:
        return "-"
    if key in ("service_level", "abandon_rate", "occupancy", "containment"):
        ci = f" ±{(e.hi - e.lo) * 50:.1f}" if e.hi == e.hi else ""
        return f"{e.mean * 100:.1f}%{ci}"
    if key == "asa_s":
        return f"{e.mean:.1f} s" + (f" ±{(e.hi - e.lo) / 2:.1f}" if e.hi == e.hi else "")
    return f"{e.mean:,.0f}"


def print_summary(result: RunResult, folder: Path) -> None:
    """The headline KPIs with their 95% CIs, overall and per contact type, and the cost."""
    s = result.summary
    table = Table(title=f"{result.scenario.name}: {result.replications} replications, "
                        f"seed {result.seed} (± = 95% CI half-width)")
    table.add_column("KPI")
    table.add_column("all", justify="right")
    for name in s.by_contact_type:
        table.add_column(name, justify="right")
    for key in ("service_level", "asa_s", "abandon_rate", "occupancy", "containment",
                "offered", "answered", "abandoned", "self_served", "redials"):
        table.add_row(key, _cell(s.kpis[key], key),
                      *(_cell(k[key], key) for k in s.by_contact_type.values()))
    console = Console()
    console.print(table)
    cost = ", ".join(f"{k} {v.mean:,.2f}" for k, v in s.cost.items())
    console.print(f"cost per day: {cost}", markup=False)
    console.print(f"results: {folder}", markup=False)


@app.command()
@guarded
def run(
    scenario: Annotated[Path | None, typer.Argument(
        help="Scenario YAML file (default: the bundled scenarios/default.yaml).")] = None,
    replications: Annotated[int | None, typer.Option(
        min=1, help="Simulated days (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(
        min=0, help="Seed (default: the scenario's).")] = None,
    out: Annotated[Path, typer.Option(help="Folder in which the result folder is made.")] = Path(
        "results"),
    workers: Annotated[int, typer.Option(min=1, help="Processes running replications.")] = 1,
    force: Annotated[bool, typer.Option(help="Run even a huge scenario.")] = False,
) -> None:
    """Simulate a scenario and write results/<name>-<timestamp>/."""
    spec, source = read_scenario(scenario)
    reps = spec.replications if replications is None else replications
    check_size(spec, source, reps, force)
    with progress_bar(reps, "simulating") as bar:
        task = bar.add_task("days", total=reps)
        result = simulate(spec, replications=reps, seed=seed, workers=workers,
                          on_replication=lambda done: bar.update(task, completed=done))
    folder = write_run(result, out)
    print_summary(result, folder)


@app.command()
@guarded
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file to check.")],
) -> None:
    """Check a scenario file; print what it describes, or every problem (exit 2)."""
    spec = load_scenario(scenario)
    h = spec.horizon
    typer.echo(
        f"{scenario}: valid: {len(spec.contact_types)} contact types, "
        f"{len(spec.agent_groups)} agent groups, {h.intervals} intervals of "
        f"{h.interval_minutes} min from {h.start}, about {spec.expected_arrivals():,.0f} "
        f"contacts a day, {spec.replications} replications"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checking)."""
    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2))
