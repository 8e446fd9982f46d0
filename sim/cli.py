"""The simulator's part of the command line: the ``ccsim`` app, ``validate``, ``schema``, and
the pieces every command shares (reading a scenario, error handling, progress, the KPI table).

A thin layer: it reads, calls the library and prints. Exit codes: 0 ok, 2 bad input (one line
per problem, never a traceback), 1 internal error. ``optimise.cli``, the top layer, adds the
commands that write result folders (``run``, ``optimise``, ``compare``, ``sweep``), because
their reports and charts belong to it.
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
from sim.runner import MAX_CONTACTS, RunResult, expected_contacts
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


def read_scenario(
    path: Path | None, overrides: list[str] | None = None
) -> tuple[Scenario, Path]:
    """The scenario at ``path`` (or the bundled default one) with ``--set`` overrides."""
    path = DEFAULT_SCENARIO if path is None else path
    return load_scenario(path, overrides or []), path


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
