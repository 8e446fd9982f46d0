"""``report.html``: one self-contained page per result folder, to mail to a manager.

Charts are embedded as base64 SVG or PNG (no network, no side files); tables carry the KPIs with
their 95% confidence intervals. Sections are plain HTML strings so the optimiser and the
comparison can add their own.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from datetime import datetime

from ccsim.sim.kpi_registry import format_kpi, label, wait_text
from ccsim.sim.kpis import kpi_keys
from ccsim.sim.runner import RunResult
from ccsim.sim.scenario import Scenario
from ccsim.sim.stats import Estimate
from ccsim.sim.verdict import (
    DEFAULT_PRECISION,
    MET,
    MISSED,
    VERDICTS,
    WITHIN_NOISE,
    Judgement,
    common_target,
    interval_cells,
    journey_targets,
    judge,
    kpi_verdict,
    precision_of,
    verdict,
)

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;
max-width:1100px;color:#222;line-height:1.4;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #4C72B0;padding-bottom:.2rem;margin-top:2rem}
.sub{color:#666;margin-top:0}table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f5f9}
figure{margin:1rem 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{color:#555;font-size:.85rem}.ok{color:#2b7a3d;font-weight:bold}
.bad{color:#b3261e;font-weight:bold}.noise{color:#9a6700;font-weight:bold}
details{margin:.8rem 0}.wide{overflow-x:auto}.wide table{font-size:.8rem}
.wide td{white-space:nowrap}.wide td,.wide th{padding:.25rem .45rem}
.verdict{background:#f7f7f7;border-left:4px solid #4C72B0;padding:.4rem .8rem}
.runs{overflow-x:auto}.runs td{white-space:nowrap}.runs td:first-child{white-space:normal;
min-width:17rem}
"""
VERDICT_CLASSES = {MET: "ok", WITHIN_NOISE: "noise", MISSED: "bad"}
"""CSS class of each verdict: green, amber and red, as the console's green, yellow and red."""


class Html(str):
    """A table cell that is already HTML (``table`` does not escape it)."""


def esc(value: object) -> str:
    return html.escape(str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table; cells are escaped text, except ``Html`` ones."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c if isinstance(c, Html) else esc(c)}</td>"
                                    for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


MIME = {"png": "image/png", "svg": "image/svg+xml"}
"""The chart formats a report embeds, by file extension."""


def figure(name: str, image: bytes, caption: str) -> str:
    """A chart (PNG or SVG, by the extension of ``name``) embedded as a data URI."""
    data = base64.b64encode(image).decode("ascii")
    mime = MIME[name.rsplit(".", 1)[1]]
    return (f'<figure><img src="data:{mime};base64,{data}" alt="{esc(caption)}" '
            f'data-chart="{esc(name)}"><figcaption>{esc(caption)}</figcaption></figure>')


def fmt(e: Estimate, key: str) -> str:
    """A KPI with its interval, as a planner reads it ("–" when undefined)."""
    return format_kpi(e, key, missing="–", count_decimals=1)


def horizons(scenario: Scenario) -> str:
    """What one replication is, in the plural: "days", "weeks" (seven days) or "runs of N
    days"."""
    days = scenario.horizon.days
    return "days" if days == 1 else "weeks" if days == 7 else f"runs of {days} days"


def runs_text(result: RunResult, simulated: str = "simulated") -> str:
    """The replications for titles: "20 simulated days", "10 simulated weeks"."""
    return f"{result.replications} {simulated} {horizons(result.scenario)}"


def period_of(days: int) -> str:
    """What a cost of a horizon of ``days`` is per: "day", "week" or "run of N days"."""
    return "day" if days == 1 else "week" if days == 7 else f"run of {days} days"


def period(scenario: Scenario) -> str:
    """What a cost of ``scenario``'s runs is per: its simulated horizon (``period_of``)."""
    return period_of(scenario.horizon.days)


def scenario_section(scenario: Scenario) -> str:
    """What was simulated: horizon, demand, IVR and agents."""
    h = scenario.horizon
    n = h.intervals
    types = []
    for t in scenario.contact_types:
        sl = scenario.service_level_of(t)
        ss = t.self_service
        types.append([
            t.name, f"{sum(t.arrivals.expected_slots(h)):,.0f}",
            f"{t.handle_time.build(0).mean:.0f} s",
            f"{t.patience.build(0).mean:.0f} s" if t.patience else "never hangs up",
            f"{ss.completion:.0%} / {ss.opt_out:.0%}" if ss else "no IVR",
            f"{sl.target:.0%} in {wait_text(sl.threshold_s)}",
        ])
    groups = []
    for g in scenario.agent_groups:
        row = [g.staffing_at(i, d) for d in range(h.days) for i in range(n)]
        hours = sum(row) * h.interval_minutes / 60
        groups.append([g.name, ", ".join(g.skill_names), f"{min(row)}–{max(row)}", f"{hours:,.1f}",
                       f"{g.cost_per_hour:,.2f} {scenario.costs.currency}"])
    return (
        "<h2>Scenario</h2>"
        f"<p>{esc(scenario.description)}</p>"
        + (f"<p>{h.days} days from {esc(h.day_name(0).capitalize())}, each "
           if h.days > 1 else "<p>")
        + f"{n} intervals of {h.interval_minutes} min from {esc(h.start)}"
        f"{f', warm-up {h.warmup_minutes:g} min' if h.warmup_minutes else ''}; "
        f"routing: {esc(scenario.routing.policy)}.</p>"
        + table(["contact type", f"forecast per {period(scenario)}", "mean handle time",
                 "mean patience",
                 "IVR completion / opt-out", "service-level target"], types)
        + table(["agent group", "skills", "agents on the phones", "agent-hours",
                 "cost per hour"], groups)
    )


def verdict_html(v: str | None) -> Html:
    """A verdict in its colour ("–" for none)."""
    return Html("–" if v is None else f'<span class="{VERDICT_CLASSES[v]}">{esc(v)}</span>')


def target_text(target: float | None, threshold_s: float | None) -> str:
    """An SL target as "80% in 20 s"; "per type" when the types' targets differ, the share
    alone when only their thresholds (seconds) do."""
    if target is None:
        return "per type"
    return f"{target:.0%}" + ("" if threshold_s is None else f" in {wait_text(threshold_s)}")


def judgement_html(j: Judgement, overall_target: float | None) -> str:
    """The verdict over interval × type cells: counts, worst margin, meets the target; and,
    when ``overall_target`` is None, why the overall service level has no verdict."""
    counts = ", ".join(f'<span class="{VERDICT_CLASSES[v]}">{j.counts[v]} {esc(v)}</span>'
                       for v in VERDICTS)
    worst = j.worst
    margin = ("" if worst is None else
              f"; worst margin <b>{worst.margin * 100:+.1f} points</b>".replace("-", "−")
              + f" ({esc(worst.contact_type)} at {esc(worst.start)})")
    if j.meets_target:
        meets = ('<span class="ok">yes</span> (no cell missed, every cell\'s 95% CI within '
                 f"±{j.precision * 100:g} points)")
    else:
        meets = f'<span class="bad">no</span> ({esc("; ".join(j.why_not()))})'
    overall = ("" if overall_target is not None else
               "<br>The service level of all types together has no single target (the "
               "types' targets differ), so no verdict.")
    return (f'<p class="verdict">Service level per interval × type: {counts} '
            f"(of {j.judged} cells with contacts){margin}.<br>Meets the target: {meets}."
            f"{overall}</p>")


def results_section(result: RunResult, heading: str = "Results", note: str = "") -> str:
    """Headline KPIs overall and per type, with the service level's target and verdict, the
    verdict over interval × type cells, groups, cost, and every interval."""
    s = result.summary
    scenario = result.scenario
    currency = scenario.costs.currency
    names = list(s.by_contact_type)
    levels = [scenario.service_level_of(t) for t in scenario.contact_types]
    thresholds = {sl.threshold_s for sl in levels}
    targets: dict[str, float | None] = {t.name: sl.target
                                        for t, sl in zip(scenario.contact_types, levels,
                                                         strict=True)}
    targets["all"] = common_target(scenario)
    columns = [("all", s.kpis, thresholds.pop() if len(thresholds) == 1 else None)]
    columns += [(t.name, s.by_contact_type[t.name], sl.threshold_s)
                for t, sl in zip(scenario.contact_types, levels, strict=True)]

    def judged(target: float | None, e: Estimate) -> Html:
        return verdict_html(None if target is None else verdict(e.mean, e.hi, target))

    kpi_rows: list[list[object]] = []
    limits = {n: journey_targets(scenario, None if n == "all" else n) for n, _, _ in columns}
    for key in kpi_keys(scenario):
        kpi_rows.append([label(key), *(fmt(kpis[key], key) for _, kpis, _ in columns)])
        if key == "service_level":
            kpi_rows.append(["service-level target", *(target_text(targets[n], threshold)
                                                        for n, _, threshold in columns)])
            kpi_rows.append(["verdict", *(judged(targets[n], kpis[key])
                                          for n, kpis, _ in columns)])
        elif key in ("over_max_wait", "callback_on_time"):  # journeys: a ceiling, a floor
            word = "at most" if key == "over_max_wait" else "at least"
            kpi_rows.append([f"{label(key)} target", *(
                "–" if key not in limits[n] else f"{word} {limits[n][key]:.1%}"
                for n, _, _ in columns)])
            kpi_rows.append(["verdict", *(verdict_html(
                kpi_verdict(key, kpis[key], limits[n][key]) if key in limits[n] else None)
                for n, kpis, _ in columns)])
    chat = any("chat_load" in k for k in s.by_group.values())
    group_rows = [[name, fmt(k["answered"], "answered"), fmt(k["occupancy"], "occupancy"),
                   *([fmt(k["chat_load"], "chat_load") if "chat_load" in k else "–"]
                     if chat else []),
                   fmt(k["asa_s"], "asa_s"), f"{k['staffed_hours'].mean:,.1f}",
                   f"{k['agent_cost'].mean:,.2f}"] for name, k in s.by_group.items()]
    cost_rows = [[key.replace("_", " ").capitalize(), f"{e.mean:,.2f}"]
                 for key, e in s.cost.items()]
    h = scenario.horizon
    interval_rows = [[r.start if h.days == 1 else f"{h.day_label(r.day)} {r.start}",
                      r.contact_type, r.staffed_agents,
                      fmt(r.kpis["service_level"], "service_level"),
                      target_text(targets[r.contact_type], None),
                      judged(targets[r.contact_type], r.kpis["service_level"]),
                      fmt(r.kpis["asa_s"], "asa_s"),
                      fmt(r.kpis["abandon_rate"], "abandon_rate"),
                      fmt(r.kpis["occupancy"], "occupancy"),
                      fmt(r.kpis["offered"], "offered")] for r in s.intervals]
    return (
        f"<h2>{esc(heading)}</h2><p>Means over {runs_text(result)} (seed "
        f"{result.seed}) with 95% confidence intervals in brackets. {esc(note)}</p>"
        + table(["KPI", "all", *names], kpi_rows)
        + judgement_html(judge(interval_cells(s, scenario), precision_of(scenario)),
                         targets["all"])
        + "<h3>Agent groups</h3>"
        + table(["group", *(label(k) for k in ("answered", "occupancy",
                                               *(("chat_load",) if chat else ()), "asa_s",
                                               "staffed_hours")),
                 f"{label('agent_cost')} ({currency})"], group_rows)
        + f"<h3>Cost per {period(scenario)} ({esc(currency)})</h3>"
        + table(["component", "mean"], cost_rows)
        + "<details><summary>Every interval</summary><div class=\"wide\">"
        + table(["start", "contact type", "agents", label("service_level"), "target",
                 "verdict", *(label(k) for k in ("asa_s", "abandon_rate", "occupancy",
                                                 "offered"))], interval_rows)
        + "</div></details>"
    )


DEFINITIONS = (
    "<h2>Definitions</h2><ul>"
    "<li><b>Service level</b>: answered within the threshold / (offered − abandons sooner "
    "than the short-abandon time); an abandon is a miss.</li>"
    "<li><b>ASA</b>: mean wait of answered contacts. <b>Abandonment</b>: abandoned / offered."
    "</li><li><b>Occupancy</b>: busy / staffed agent time, after the warm-up, until the end "
    "of the last interval.</li><li><b>Containment</b>: completed in self-service / entered "
    "the IVR.</li><li>Ratios over days are ratios of sums (the long-run share of contacts)."
    "</li><li><b>Verdict</b> of a service level: <i>met</i> if the point estimate reaches "
    "its target; <i>within noise</i> if it is below but the 95% upper bound reaches it; "
    "<i>missed</i> otherwise. The run <i>meets the target</i> when no interval × type cell "
    "is missed and every cell's 95% interval has a half-width, (upper − lower) / 2, of at "
    f"most the scenario's <code>optimise.precision</code> (default "
    f"{DEFAULT_PRECISION * 100:g} points). "
    "The margin is the point estimate minus the target.</li></ul>"
)


def page(title: str, subtitle: str, sections: Sequence[str]) -> str:
    """The whole self-contained page."""
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1><p class=\"sub\">{esc(subtitle)} · made by ccsim on {stamp}</p>"
        + "".join(sections) + DEFINITIONS + "</body></html>"
    )


def charts_section(charts: dict[str, bytes], captions: dict[str, str]) -> str:
    """Every chart, embedded (PNG or SVG)."""
    figures = [figure(name, data, captions.get(name.rsplit(".", 1)[0], name))
               for name, data in charts.items()]
    return "<h2>Charts</h2>" + "".join(figures) if figures else ""


CAPTIONS = {
    "service_level": "Service level by interval and contact type, with its 95% band and the "
                     "target.",
    "staffing": "On top, the simulated service-level verdict of every interval × contact "
                "type. Below, agents on the phones by interval and group, each bar coloured "
                "by the worst verdict of the group's skills in that interval (green met, "
                "amber within noise, red missed); for a plan, beside the "
                "simulation-corrected requirement.",
    "shifts": "Per group, how many agents start on each shift template it may work (grey: "
              "none; gaps are breaks), and below, the coverage through the day: agents on "
              "shift, agents on the phones (net of shrinkage and breaks) and the "
              "simulation-corrected requirement. Where the plan is below the requirement, "
              "trimming found by simulation that the target holds with fewer.",
    "roster": "Per group, the agents working each day of the week, stacked by shift "
              "template, the day's total on top.",
    "occupancy": "Share of staffed time the agents were busy, by group (an agent holding "
                 "at least one chat is busy).",
    "abandonment": "Share of offered contacts who hung up while waiting.",
    "self_service": "Daily cost of each self-service option with the staffing re-optimised "
                    "for it, and the service level it achieves.",
}


def overrides_html(overrides: Sequence[str]) -> str:
    """The ``--set`` changes a run was made with, as a line under the scenario's heading
    ("" for none)."""
    if not overrides:
        return ""
    return ("<p>Changed with <code>--set</code> (already in the tables below): "
            + ", ".join(f"<code>{esc(o)}</code>" for o in overrides) + ".</p>")


def run_report(result: RunResult, charts: dict[str, bytes],
               overrides: Sequence[str] = ()) -> str:
    """``report.html`` of a simulation run; ``overrides``: its ``--set`` changes."""
    s = result.scenario
    return page(f"{s.name}: contact-centre simulation",
                f"{runs_text(result)}, seed {result.seed}",
                [scenario_section(s) + overrides_html(overrides), results_section(result),
                 *week_sections(result, charts)])


def plan_report(verification: RunResult, charts: dict[str, bytes], plan_html: str) -> str:
    """``report.html`` of an optimised plan: the plan first, then its verifying simulation."""
    s = verification.scenario
    note = ("Agent cost here counts on-phone hours only; the plan's cost above is paid hours, "
            "gross of shrinkage.")
    return page(f"{s.name}: optimised staffing plan",
                f"verified on {runs_text(verification, 'fresh simulated')}",
                [plan_html, scenario_section(s),
                 results_section(verification, "Verifying simulation", note),
                 *week_sections(verification, charts)])


WEEK_CHARTS = ("heatmap", "days")
"""The charts of a multi-day run shown in its "The week" section, not among the others."""
WEEK_CAPTIONS = {
    "heatmap": "Service level of every day × interval cell, per contact type, coloured by its "
               "verdict (green met, amber within noise, red missed, grey: no contacts); the "
               "number is the service level in %.",
    "days": "Service level per day and contact type with its 95% interval and the targets "
            "(days that miss ringed in red, within noise in amber), and the agent hours on "
            "the phones per day by group with the day's total hours and agent cost.",
}


def week_sections(result: RunResult, charts: dict[str, bytes]) -> list[str]:
    """The charts section, after "The week" (days table and the week's charts) for a
    multi-day run; the charts section alone for one day."""
    if result.scenario.horizon.days == 1:
        return [charts_section(charts, CAPTIONS)]
    week = {n: c for n, c in charts.items() if n.rsplit(".", 1)[0] in WEEK_CHARTS}
    rest = {n: c for n, c in charts.items() if n not in week}
    figures = "".join(figure(n, c, WEEK_CAPTIONS[n.rsplit(".", 1)[0]])
                      for n, c in week.items())
    return [week_section(result) + figures, charts_section(rest, CAPTIONS)]


def week_section(result: RunResult) -> str:
    """"The week": per day, each type's service level with its target and verdict, the
    interval cells per verdict, the e-mail backlog left, agent hours and costs; the whole
    horizon in the last row."""
    scenario, s = result.scenario, result.summary
    h = scenario.horizon
    currency = scenario.costs.currency
    levels = {t.name: scenario.service_level_of(t) for t in scenario.contact_types}
    rows = {(r.day, r.contact_type): r.kpis for r in s.days}
    cells = interval_cells(s, scenario)
    email = scenario.has_email

    def judged_sl(name: str, kpis: dict[str, Estimate]) -> Html:
        e = kpis["service_level"]
        return Html(f"{esc(fmt(e, 'service_level'))}<br>"
                    f"{verdict_html(verdict(e.mean, e.hi, levels[name].target))}")

    def counts(chosen: list) -> str:
        j = judge(chosen, precision_of(scenario))
        return " / ".join(str(j.counts[v]) for v in VERDICTS)

    body: list[list[object]] = []
    for d in range(h.days):
        every = rows[(d, "all")]
        body.append([h.day_label(d), *(judged_sl(n, rows[(d, n)]) for n in levels),
                     counts([c for c in cells if c.interval is not None
                             and c.interval // h.intervals == d]),
                     *([fmt(every["backlog"], "backlog")] if email else []),
                     f"{every['staffed_hours'].mean:,.1f}", f"{every['agent_cost'].mean:,.2f}",
                     f"{every['total_cost'].mean:,.2f}"])
    hours = sum(k["staffed_hours"].mean for k in s.by_group.values())
    body.append([Html(f"<b>{esc(period(scenario))}</b>"),
                 *(judged_sl(n, s.by_contact_type[n]) for n in levels), counts(cells),
                 *([fmt(s.kpis["backlog"], "backlog")] if email else []),
                 f"{hours:,.1f}", f"{s.cost['agents'].mean:,.2f}", f"{s.cost['total'].mean:,.2f}"])
    headers = ["day", *(f"{n} ({target_text(sl.target, sl.threshold_s)})"
                        for n, sl in levels.items()),
               "interval cells met / within noise / missed",
               *([f"{label('backlog')} (e-mails)"] if email else []),
               "agent hours", f"agent cost ({currency})", f"total cost ({currency})"]
    backlog = (" Backlog left: e-mails of that day still waiting at the end of the "
               f"{period(scenario)}." if email else "")
    return (f"<h2>The {esc(period(scenario))}</h2><p>Each day's service level per contact type "
            "(95% CI in brackets) with its verdict against the target in the column's "
            "heading; a day can meet its target overall and still miss in some intervals, "
            f"counted beside it.{backlog} Costs per day, agent hours after any warm-up.</p>"
            f'<div class="wide">{table(headers, body)}</div>')
