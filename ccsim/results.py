"""Result folders: ``results/<name>-<YYYYmmdd-HHMMSS>/`` written atomically.

Files are written into a hidden temporary folder beside the final one and renamed into place in
one step, so a result folder is either complete or absent, never half-written.
"""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from ccsim.sim.kpis import kpi_keys, per_replication, skilled_groups
from ccsim.sim.loader import ScenarioError, dump_scenario
from ccsim.sim.runner import RunResult
from ccsim.sim.scenario import Scenario
from ccsim.sim.stats import Estimate
from ccsim.sim.verdict import (
    common_target,
    interval_cells,
    journey_targets,
    judge,
    kpi_verdict,
    precision_of,
    verdict,
)


def _judged(kpis: dict[str, Estimate], target: float | None,
            journey: dict[str, float] | None = None) -> dict[str, object]:
    """A KPI block; its ``service_level`` gains ``target`` and ``verdict`` (null when there is
    no single target or no contact), and so do ``over_max_wait`` (target: the ceiling
    ``max_wait_share``) and ``callback_on_time`` where the scenario has them."""
    out: dict[str, object] = {k: v.to_json() for k, v in kpis.items()}
    sl = kpis["service_level"]
    out["service_level"] = {**sl.to_json(), "target": target,
                            "verdict": None if target is None
                            else verdict(sl.mean, sl.hi, target)}
    for key in ("over_max_wait", "callback_on_time"):
        if key in kpis:
            limit = (journey or {}).get(key)
            out[key] = {**kpis[key].to_json(), "target": limit,
                        "verdict": None if limit is None else kpi_verdict(key, kpis[key], limit)}
    return out


def verdict_json(result: RunResult) -> dict[str, object]:
    """The run's ``verdict`` block: the verdict over every interval × type cell of the
    service level (``ccsim.sim.verdict``)."""
    j = judge(interval_cells(result.summary, result.scenario),
              precision_of(result.scenario))
    worst = j.worst
    return {
        "meets_target": j.meets_target,
        "precision": j.precision,
        "cells": j.counts,
        "cells_wider_than_precision": j.too_wide,
        "worst_margin": j.worst_margin,
        "worst_cell": None if worst is None else {
            "interval": worst.interval, "start": worst.start,
            "contact_type": worst.contact_type},
    }


def summary_json(result: RunResult,
                 overrides: Sequence[str] | None = None) -> dict[str, object]:
    """The ``summary.json`` document of a run; with ``overrides`` (the ``--set PATH=VALUE``
    changes the run was made with, in order; empty: none), also the key ``overrides``, which
    ``ccsim compare`` labels runs by. Without it the key is left out: not known."""
    s = result.summary
    scenario = result.scenario

    def block(kpis: dict) -> dict:
        return {k: v.to_json() for k, v in kpis.items()}

    document: dict[str, object] = {
        "scenario": scenario.name,
        "seed": result.seed,
        "replications": result.replications,
        "kpis": _judged(s.kpis, common_target(scenario), journey_targets(scenario, None)),
        "by_contact_type": {
            t.name: _judged(s.by_contact_type[t.name], scenario.service_level_of(t).target,
                            journey_targets(scenario, t.name))
            for t in scenario.contact_types},
        "by_group": {name: block(k) for name, k in s.by_group.items()},
        "cost": block(s.cost),
        "verdict": verdict_json(result),
    }
    if overrides is not None:
        document["overrides"] = list(overrides)
    return document


def _number(v: float) -> str:
    return "" if not math.isfinite(v) else repr(float(v))


def write_intervals_csv(result: RunResult, path: Path) -> None:
    """One row per interval × contact type (and "all"), every KPI with its CI bounds, then the
    service level's target and verdict (empty where undefined: no contact, or an "all" row
    whose types have different targets)."""
    scenario = result.scenario
    targets: dict[str, float | None] = {
        t.name: scenario.service_level_of(t).target for t in scenario.contact_types}
    targets["all"] = common_target(scenario)
    keys = kpi_keys(scenario)
    h = scenario.horizon
    days = ["day", "weekday"] if h.days > 1 else []
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        header = [*days, "interval", "start", "contact_type", "staffed_agents"]
        for key in keys:
            header += [key, f"{key}_lo", f"{key}_hi"]
        out.writerow([*header, "service_level_target", "service_level_verdict"])
        for row in result.summary.intervals:
            day = [row.day, h.day_name(row.day)] if days else []
            cells = [*day, row.interval, row.start, row.contact_type, row.staffed_agents]
            for key in keys:
                e = row.kpis[key]
                cells += [_number(e.mean), _number(e.lo), _number(e.hi)]
            target = targets[row.contact_type]
            sl = row.kpis["service_level"]
            judged = None if target is None else verdict(sl.mean, sl.hi, target)
            out.writerow([*cells, "" if target is None else _number(target), judged or ""])


def write_days_csv(result: RunResult, path: Path) -> None:
    """One row per day of a multi-day horizon × contact type (and "all"): every KPI with its
    CI bounds, the service level's target and verdict, and on the "all" rows the day's
    staffed hours, agent cost and total cost (currency per day)."""
    scenario = result.scenario
    targets: dict[str, float | None] = {
        t.name: scenario.service_level_of(t).target for t in scenario.contact_types}
    targets["all"] = common_target(scenario)
    keys = kpi_keys(scenario) + ("staffed_hours", "agent_cost", "total_cost")
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        header = ["day", "weekday", "contact_type"]
        for key in keys:
            header += [key, f"{key}_lo", f"{key}_hi"]
        out.writerow([*header, "service_level_target", "service_level_verdict"])
        for row in result.summary.days:
            cells: list[object] = [row.day, row.name, row.contact_type]
            for key in keys:
                e = row.kpis.get(key)
                cells += ["", "", ""] if e is None else [_number(e.mean), _number(e.lo),
                                                         _number(e.hi)]
            target = targets[row.contact_type]
            sl = row.kpis["service_level"]
            judged = None if target is None else verdict(sl.mean, sl.hi, target)
            out.writerow([*cells, "" if target is None else _number(target), judged or ""])


def write_replications_csv(result: RunResult, path: Path) -> None:
    """Each replication's own day-level KPIs, overall ("all") and per contact type (a type's
    occupancy is that of the groups with its skill, as in ``summary.json``)."""
    scenario = result.scenario
    slices = [("all", None, None)] + [
        (t.name, [k], skilled_groups(scenario, [k])) for k, t in enumerate(scenario.contact_types)
    ]
    keys = kpi_keys(scenario)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["replication", "contact_type", *keys])
        for name, types, groups in slices:
            values = {k: per_replication(result.tallies, k, types=types, groups=groups)
                      for k in keys}
            for r in range(result.replications):
                out.writerow([r, name, *(_number(values[k][r]) for k in keys)])


def new_run_dir(parent: Path, name: str, write: Callable[[Path], None]) -> Path:
    """Create ``parent/<name>-<timestamp>`` atomically, filled by ``write(tmp_dir)``.

    A folder that cannot be made or written (read-only, full disk, a file in the way) is the
    user's problem, not a bug: ``ScenarioError`` naming the folder, and nothing is left.
    """
    try:
        return _new_run_dir(parent, name, write)
    except OSError as exc:
        where = exc.filename if exc.filename else parent
        raise ScenarioError(str(parent), [
            f"cannot write the result folder ({where}): {exc.strerror or exc}"]) from None


def _new_run_dir(parent: Path, name: str, write: Callable[[Path], None]) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=parent))
    try:
        umask = os.umask(0)  # mkdtemp makes the folder private (0700); give it the user's
        os.umask(umask)      # usual permissions, so colleagues on a shared drive can open it
        os.chmod(tmp, 0o777 & ~umask)
        write(tmp)
        for n in range(1, 1000):
            final = parent / (f"{name}-{stamp}" if n == 1 else f"{name}-{stamp}-{n}")
            if not final.exists():
                os.rename(tmp, final)  # one atomic step: the folder appears complete
                return final
        raise FileExistsError(f"no free result folder name for {name}-{stamp} in {parent}")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_run_files(result: RunResult, folder: Path, scenario: Scenario | None = None,
                    overrides: Sequence[str] | None = None) -> None:
    """Write a run's files into ``folder``; ``scenario.yaml`` is ``scenario`` if given (the
    scenario as the user wrote it), else the one simulated, with the run's seed and
    replications either way; ``overrides`` (the ``--set`` changes, when known) go into
    ``summary.json``."""
    (folder / "summary.json").write_text(
        json.dumps(summary_json(result, overrides), indent=2, allow_nan=False) + "\n"
    )
    write_intervals_csv(result, folder / "intervals.csv")
    if result.scenario.horizon.days > 1:
        write_days_csv(result, folder / "days.csv")
    write_replications_csv(result, folder / "replications.csv")
    ran = (scenario or result.scenario).with_changes(
        seed=result.seed, replications=result.replications
    )
    (folder / "scenario.yaml").write_text(dump_scenario(ran))
