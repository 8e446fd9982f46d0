"""The optimiser's figures from one run: what ``benchmarks/optimise.py`` and ``run.py`` print.

``optimise_run(name, workers)`` runs ``optimise_staffing(scenario, workers=W, compare=True)``
on a bundled scenario as ``ccsim optimise`` does (comparisons included in the wall time) and
returns plain data that a child process can send as JSON (``OptimiseRun.from_json``). A module
of its own because ``optimise`` is also the name of the repository's top-level package folder.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

ROOT = HERE.parent
SCENARIOS = ("default.yaml", "multiskill.yaml")
WEEK = "week.yaml"


@dataclass(frozen=True)
class Compared:
    """One comparison's agent cost (currency per simulated horizon) and whether it meets the
    target on the plan's verification days, or why it was skipped."""

    agent_cost: float | None
    meets_target: bool | None
    worst_margin: float | None
    skipped: str | None = None


@dataclass(frozen=True)
class OptimiseRun:
    """What one ``optimise_staffing(..., compare=True)`` took and found. Costs are agent cost
    per simulated horizon (a day, or a week for week.yaml); ``seconds`` is wall time."""

    scenario: str
    workers: int
    seconds: float
    agent_cost: float
    meets_target: bool
    worst_margin: float | None
    why_not: tuple[str, ...]
    """Why the plan does not meet the target, as the optimiser says it (empty when it does)."""
    simulations: int
    contacts: int
    search_replications: int
    verification_replications: int
    comparisons: dict[str, Compared] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict) -> OptimiseRun:
        """Rebuild from ``dataclasses.asdict`` output (sent by a child process as JSON)."""
        compared = {k: Compared(**v) for k, v in data["comparisons"].items()}
        return cls(**{**data, "notes": tuple(data["notes"]), "why_not": tuple(data["why_not"]),
                      "comparisons": compared})


def optimise_run(name: str, workers: int) -> OptimiseRun:
    """Optimise scenarios/``name`` with ``workers`` processes, comparisons included."""
    from ccsim.optimise.plan import optimise_staffing
    from ccsim.sim.loader import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / name)
    began = time.monotonic()
    plan = optimise_staffing(scenario, workers=workers, compare=True)
    seconds = time.monotonic() - began
    compared = {}
    for method, row in plan.comparisons.items():
        if "skipped" in row:
            compared[method] = Compared(None, None, None, str(row["skipped"]))
            continue
        margin = float(row["worst_margin"])
        compared[method] = Compared(float(row["agent_cost"]),
                                    bool(row["meets_target"]),
                                    None if math.isnan(margin) else margin)
    worst = plan.judgement.worst_margin
    return OptimiseRun(name, workers, seconds, float(plan.cost["agents"]), plan.meets_target,
                       None if worst is None else float(worst), tuple(plan.judgement.why_not()),
                       plan.simulations, plan.contacts, plan.search_replications,
                       plan.verified.replications, compared, tuple(plan.notes))
