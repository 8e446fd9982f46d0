"""What ``ccsim optimise`` writes: the verifying run's files, ``plan.json`` and
``scenario.optimised.yaml``, in one result folder written atomically."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ccsim import report
from ccsim.results import new_run_dir, summary_json, write_run_files
from ccsim.roster_file import write_roster
from ccsim.sim.loader import dump_scenario
from ccsim.sim.runner import RunResult
from ccsim.sim.scenario import MeetProbability, Optimise, Scenario
from ccsim.sim.verdict import common_target, verdict

if TYPE_CHECKING:  # the optimiser (Pyomo) is loaded only by the commands that optimise
    from ccsim.optimise.plan import Plan
    from ccsim.optimise.self_service import LeastCompletion, SelfServiceReport
    from ccsim.records_file import RecordsFile


def _clean(value: object) -> object:
    """JSON-safe: numpy to Python, NaN and inf to null."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return _clean(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    return value


def meet_json(opt: Optimise) -> object:
    """``optimise.meet`` as written: "mean" or {"probability": p}."""
    return opt.meet.model_dump() if isinstance(opt.meet, MeetProbability) else opt.meet


def plan_json(plan: Plan) -> dict[str, object]:
    """The ``plan.json`` document (layout documented in the README)."""
    from ccsim.optimise.plan import VERIFY_SEED_OFFSET, verdict_row

    s = plan.scenario
    opt = s.optimise
    assert opt is not None
    h = s.horizon
    clocks = [h.clock(i % h.intervals) if h.days == 1
              else f"{h.day_label(i // h.intervals)} {h.clock(i % h.intervals)}"
              for i in range(h.slots)]
    groups = {
        g.name: {
            "erlang_a_start": plan.start[n],
            "requirement": plan.requirement[n],
            "staffing": plan.staffing[n],
            "paid_agents": plan.paid_agents[n],
        }
        for n, g in enumerate(s.agent_groups)
    }
    shifts, solver = [], None
    if plan.shifts is not None and plan.shift_data is not None:
        for g, group in enumerate(plan.shift_data.groups):
            for k, name in enumerate(plan.shift_data.shifts):
                if plan.shifts.agents[g, k] > 0:
                    template = opt.shifts[k]
                    shifts.append({
                        "group": group, "shift": name, "start": template.start,
                        "length_h": template.length_h, "agents": plan.shifts.agents[g, k],
                        "cost": plan.shifts.agents[g, k] * plan.shift_data.cost[g, k],
                    })
    if plan.ip is not None:
        solver = {"name": "highs", "status": plan.ip.status, "objective": plan.ip.cost,
                  "bound": plan.ip.bound, "gap": plan.ip.gap,
                  "covers": "the simulation-corrected requirement; the final plan's cost "
                            "(cost.agents) is lower after trimming and cutting planes"}
    verified = plan.verified
    cells = []
    for row in range(verified.score.shape[0]):
        for k in range(len(verified.types)):
            offered = verified.weight[row, k] > 0
            t = s.contact_types[verified.type_of[k] if verified.type_of else k]
            cells.append({
                "interval": row if opt.level == "interval" else None,
                "start": verified.starts[row],
                "contact_type": t.name,
                "criterion": verified.kinds[k] if verified.kinds else "service_level",
                "achieved": verified.score[row, k] if offered else None,
                "lower_95": verified.lower[row, k] if offered else None,
                "upper_95": verified.upper[row, k] if offered else None,
                "required": verified.required[row, k],
                "offered": verified.weight[row, k],
                "verdict": verdict(
                    verified.score[row, k] if offered else math.nan,
                    verified.upper[row, k], verified.required[row, k]),
            })
    summary = summary_json(plan.verification)
    meet = meet_json(opt)
    document = _clean({
        "scenario": s.name,
        "seed": plan.seed,
        "replications": plan.replications,
        "search_replications": plan.search_replications,
        "level": opt.level,
        "meet": meet,
        "precision": opt.precision,
        "shrinkage": opt.shrinkage,
        "max_occupancy": opt.max_occupancy,
        "intervals": clocks,
        "groups": groups,
        "shifts": shifts,
        "solver": solver,
        "cost": plan.cost,
        "verification": {
            "seed": plan.seed + VERIFY_SEED_OFFSET,
            "replications": verified.replications,
            "meets_target": plan.meets_target,
            "verdict": verdict_row(plan.judgement, verified.replications),
            "stopped_by": plan.checked.stopped_by,
            "kpis": summary["kpis"],
            "by_contact_type": summary["by_contact_type"],
            "by_group": summary["by_group"],
            "cells": cells,
        },
        "roster": _roster_json(plan),
        "comparisons": plan.comparisons,
        "notes": list(plan.notes),
        "effort": {"simulations": plan.simulations, "contacts_simulated": plan.contacts,
                   "seconds": round(plan.seconds, 2)},
    })
    assert isinstance(document, dict)
    return document


def _roster_json(plan: Plan) -> dict[str, object] | None:
    """The ``roster`` block of ``plan.json`` (None without ``optimise.roster``): the rules,
    agents per group, agents per day and template (``per_day``: group -> day -> template ->
    agents), the week's paid cost and each day's (``cost_per_day``, Monday first) and the
    solver's account of the roster IP as last solved."""
    from ccsim.optimise.roster import DAYS
    from ccsim.optimise.week import per_day_table

    roster, data = plan.roster, plan.roster_data
    opt = plan.scenario.optimise
    if roster is None or data is None or opt is None or opt.roster is None:
        return None
    agents = {group: sum(1 for r in roster.rows if r.group == group) for group in data.groups}
    paid = np.einsum("gds,gs->d", roster.per_day, data.cost)  # Monday first
    return {
        "rules": opt.roster.model_dump(),
        "agents": agents,
        "per_day": per_day_table(plan.scenario, data, roster),
        "cost": roster.cost,
        "cost_per_day": {day.capitalize(): float(v) for day, v in zip(DAYS, paid, strict=True)},
        "solver": {"name": "highs", "status": roster.status, "objective": roster.cost,
                   "bound": roster.bound, "gap": roster.gap},
        "file": "roster.csv",
    }


def self_service_json(report: SelfServiceReport) -> dict[str, object]:
    """The ``self_service`` section of ``plan.json``: every option tried and the choice."""
    options = []
    for r in report.results:
        kpis = summary_json(r.plan.verification)
        options.append({
            "choice": r.choice,
            "chosen": r.choice == report.chosen.choice,
            "cost": r.cost,
            "staffing": {g.name: r.plan.staffing[n]
                         for n, g in enumerate(r.plan.scenario.agent_groups)},
            "meets_target": r.plan.meets_target,
            "kpis": kpis["kpis"],
            "by_contact_type": kpis["by_contact_type"],
        })
    return {"chosen": report.chosen.choice, "options": options,
            "saving_per_point_of_completion": report.marginal_value}


def write_charts_and_report(
    folder: Path, result: RunResult, charts: dict[str, bytes], write_files: bool,
    plan_html: str | None = None, overrides: Sequence[str] = (),
) -> None:
    """``report.html`` with ``charts`` embedded (a plan's report when ``plan_html`` is given;
    a run's names its ``--set`` ``overrides``) and, when ``write_files``, the charts as files
    too: each chart is drawn once."""
    if write_files:
        for name, data in charts.items():
            (folder / name).write_bytes(data)
    page = (report.run_report(result, charts, overrides) if plan_html is None
            else report.plan_report(result, charts, plan_html))
    (folder / "report.html").write_text(page, encoding="utf-8")


def run_report_charts(result: RunResult, fmt: str) -> dict[str, bytes]:
    """A run's charts in ``fmt`` ("png" or "svg"), by file name.

    The staffing chart shows the staffing alone: a per-group analytic requirement means
    nothing for cross-skilled groups, and computing one loaded SciPy into every run.
    """
    from ccsim.charts import run_charts

    return run_charts(result, fmt)


def write_run_report(result: RunResult, parent: Path, chart_format: str | None,
                     records: RecordsFile | None = None,
                     overrides: Sequence[str] | None = None) -> Path:
    """The result folder of ``ccsim run``: the run's files, ``report.html`` and, when
    ``chart_format`` is given, the chart files; ``records.csv`` when ``records`` is given
    (``--records``). The charts are drawn once: in ``chart_format``, else as SVG (the quickest
    to draw) for the report alone. ``overrides``: the ``--set`` changes the run was made with
    (recorded in summary.json)."""
    charts = run_report_charts(result, chart_format or "svg")

    def write(folder: Path) -> None:
        write_run_files(result, folder, overrides=overrides)
        write_charts_and_report(folder, result, charts, chart_format is not None,
                                overrides=overrides or ())
        if records is not None:
            records.move_into(folder)

    return new_run_dir(parent, result.scenario.name, write)


def plan_section(plan: Plan, document: dict[str, object]) -> str:
    """The plan's part of ``report.html``: cost, shifts, verification, comparisons, options."""
    currency = plan.scenario.costs.currency
    cost = document["cost"]
    assert isinstance(cost, dict)
    per = report.period(plan.scenario)
    parts = [f"<h2>Optimised plan</h2><h3>Cost per {per} ({report.esc(currency)})</h3>",
             report.table(["component", "amount"],
                          [[k.replace("_", " ").capitalize(), f"{v:,.2f}"]
                           for k, v in cost.items()])]
    shifts = document["shifts"]
    assert isinstance(shifts, list)
    if shifts:
        parts.append("<h3>Shifts</h3>" + report.table(
            ["group", "shift", "start", "hours", "agents", f"cost ({currency})"],
            [[s["group"], s["shift"], s["start"], s["length_h"], s["agents"], f"{s['cost']:,.2f}"]
             for s in shifts]))
    roster = document.get("roster")
    if isinstance(roster, dict):
        per_day = roster["per_day"]
        days = list(next(iter(per_day.values())))
        rows = []
        for group, by_day in per_day.items():
            names = sorted({name for shifts_of in by_day.values() for name in shifts_of})
            rows += [[group, name, *(by_day[d].get(name, "") for d in days)] for name in names]
        rules = roster["rules"]
        parts.append(
            f"<h3>Weekly roster</h3><p>{sum(roster['agents'].values())} agents, each working "
            f"{rules['days_on']} days a week"
            + (" with the days off together" if rules["consecutive_days_off"] else "")
            + (", on one shift all week" if rules["same_start_all_week"] else "")
            + "; one row per agent in roster.csv. Agents per day and shift:</p>"
            + report.table(["group", "shift", *days], rows))
    stopped = {"cap": " The replication cap stopped adding days before every cell was "
                      "precise.",
               "time": " The time limit stopped adding days before every cell was precise.",
               None: ""}[plan.checked.stopped_by]
    parts.extend(f'<p class="bad">{report.esc(note)}</p>' for note in plan.notes)
    unit = {"day": "days", "week": "weeks"}.get(report.period(plan.scenario), "horizons")
    parts.append(f"<h3>Verdict on fresh simulated {unit}</h3><p>The plan was searched on "
                 f"{plan.search_replications} simulated {unit} (from {plan.replications} asked, "
                 f"more where cells were close to their target and noisy) and verified on "
                 f"{plan.verified.replications} {unit} it had never seen.{stopped}</p>"
                 + report.judgement_html(plan.judgement, common_target(plan.scenario)))
    if plan.comparisons:
        parts.append(f"<h3>Beside other methods (agent cost per {per})</h3><p>Each judged by the "
                     "same rule and precision as the plan, on its verification days.</p>"
                     + report.table(
                         ["method", f"agent cost ({currency})", "meets the target",
                          "cells met / within noise / missed", "worst margin"],
                         [comparison_html(name, r) for name, r in plan.comparisons.items()]))
    section = document.get("self_service")
    if isinstance(section, dict):
        rows = [[", ".join(f"{t}: {o}" for t, o in o_["choice"].items())
                 + (" (chosen)" if o_["chosen"] else ""),
                 *(f"{o_['cost'][k]:,.2f}" for k in ("agents", "self_service", "abandonment",
                                                     "self_service_options", "total"))]
                for o_ in section["options"]]
        parts.append("<h3>Self-service options</h3>" + report.table(
            ["option", "agents", "self-service", "abandonment", "option", "total"], rows))
        for name, value in section["saving_per_point_of_completion"].items():
            parts.append(f"<p>One more point of {report.esc(name)} completion saves about "
                         f"{value:,.2f} {report.esc(currency)} a day.</p>")
    return "".join(parts)


def comparison_html(name: str, row: dict[str, object]) -> list[object]:
    """A comparison's row of the plan's report: cost and verdict, or why it was skipped."""
    if "skipped" in row:
        return [name, "–", report.Html(f"skipped: {report.esc(str(row['skipped']))}"), "", ""]
    cells = row["cells"]
    assert isinstance(cells, dict)
    margin = row["worst_margin"]
    assert isinstance(margin, int | float) and isinstance(row["agent_cost"], int | float)
    meets = (report.Html('<span class="ok">yes</span>') if row["meets_target"]
             else report.Html('<span class="bad">no</span>'))
    return [name, f"{row['agent_cost']:,.2f}", meets,
            f"{cells['met']} / {cells['within noise']} / {cells['missed']}",
            f"{100 * margin:+.1f} points".replace("-", "−") if math.isfinite(margin) else "–"]


def write_plan(plan: Plan, original: Scenario, parent: Path,
               self_service: SelfServiceReport | None = None, chart_format: str = "png",
               overrides: Sequence[str] | None = None) -> Path:
    """Write the result folder of an optimisation under ``parent``; return its path.
    ``overrides``: the ``--set`` changes it was made with (recorded in summary.json).

    With a ``self_service`` report, ``plan`` is the chosen option's, ``plan.json`` gains the
    ``self_service`` section and the folder ``self_service.png``.
    """
    from ccsim.charts import run_charts
    from ccsim.shift_chart import plan_charts

    def write(folder: Path) -> None:
        write_run_files(plan.verification, folder, scenario=original, overrides=overrides)
        document = plan_json(plan)
        extra: dict[str, bytes] = {}
        if self_service is not None:
            document["cost"] = _clean(self_service.chosen.cost)
            document["self_service"] = _clean(self_service_json(self_service))
            extra[f"self_service.{chart_format}"] = self_service_image(
                self_service, original, chart_format)
        (folder / "plan.json").write_text(json.dumps(document, indent=2, allow_nan=False) + "\n")
        if plan.roster is not None:
            write_roster(plan.roster.rows, folder)
        charts = {**plan_charts(plan.scenario, document, chart_format),
                  **run_charts(plan.verification, chart_format, plan.requirement,
                               "requirement (simulation-corrected)")}
        roster = document.get("roster")
        if isinstance(roster, dict):
            from ccsim.roster_chart import roster_image

            charts = {f"roster.{chart_format}": roster_image(plan.scenario, roster["per_day"],
                                                             chart_format), **charts}
        write_charts_and_report(folder, plan.verification, {**charts, **extra}, True,
                                plan_section(plan, document))
        optimised = plan.scenario.with_changes(seed=original.seed,
                                               replications=original.replications)
        header = (f"# {original.name} with the staffing of ccsim optimise (agent cost "
                  f"{plan.cost['agents']:,.2f} per {report.period(original)}); run it with "
                  "ccsim run.\n")
        (folder / "scenario.optimised.yaml").write_text(header + dump_scenario(optimised))

    return new_run_dir(parent, f"{original.name}-optimised", write)


def self_service_image(options: SelfServiceReport, scenario: Scenario, fmt: str) -> bytes:
    """``self_service.png`` (or ``.svg``): each option's daily cost by component and its
    service level."""
    from ccsim.charts import self_service_chart

    results = options.results
    labels = [", ".join(f"{t}: {o}" for t, o in r.choice.items()) for r in results]
    chosen = next(i for i, r in enumerate(results) if r.choice == options.chosen.choice)
    levels = [r.plan.verification.summary.kpis["service_level"].mean for r in results]
    return self_service_chart(
        labels, [r.cost for r in results], levels, chosen, scenario.service_level.target,
        scenario.costs.currency,
        f"{scenario.name}: self-service options, staffing re-optimised for each", fmt)


def fixed_staffing_json(scenario: Scenario, answers: list[LeastCompletion], seed: int,
                        replications: int) -> dict[str, object]:
    """``plan.json`` of ``ccsim optimise --fixed-staffing``."""
    opt = scenario.optimise
    meet = meet_json(opt) if opt else "mean"
    return {
        "scenario": scenario.name, "seed": seed, "replications": replications,
        "level": opt.level if opt else "interval", "meet": meet,
        "fixed_staffing": [
            {"contact_type": a.contact_type, "current_completion": a.current,
             "least_completion": a.least,
             "answer": "cannot" if a.least is None else f"{a.least:.2f}",
             "simulations": a.evaluations}
            for a in answers
        ],
    }


def write_results(
    result: RunResult | Plan,
    out: str | Path = "results",
    *,
    scenario: Scenario | None = None,
    chart_format: str | None = None,
) -> Path:
    """Write the result folder of a run (``simulate``) or a plan (``optimise_staffing``) under
    ``out``, exactly as ``ccsim run`` / ``ccsim optimise`` do; return its path.

    For a plan, ``scenario`` is the scenario as given to the optimiser (written as
    ``scenario.yaml``; default: the plan's own); ``chart_format`` ("png" or "svg") also writes
    the charts as files (a plan's folder always has them, PNG by default).
    """
    if chart_format not in (None, *report.MIME):
        raise ValueError(f'"chart_format" must be one of {sorted(report.MIME)} or None, '
                         f"got {chart_format!r}.")
    if isinstance(result, RunResult):
        return write_run_report(result, Path(out), chart_format)
    return write_plan(result, scenario or result.scenario, Path(out),
                      chart_format=chart_format or "png")
