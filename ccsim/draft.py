"""The scenario draft of ``ccsim import``: the forecast and the estimates as a commented
scenario file that ``ccsim validate`` accepts, every number saying where it comes from.

ccsim simulates one day (a multi-day horizon is not there yet), so the draft's day is the mean
of the forecast's Monday to Friday in its first week, and the forecast of every day of the
``--weeks`` asked for is listed in the comments. ``typical_day`` is the one place that picks the
day, so a week can be emitted from the same forecast once the horizon has days.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from ccsim.estimate import RECENT_DAYS, QueueEstimate
from ccsim.forecast import DAY_MEAN, Forecast, QueueForecast
from ccsim.history import History

THRESHOLD_S, TARGET = 20.0, 0.8
"""The service level the draft's staffing is sized for (the scenario's default)."""
IVR_TIME_S = 60.0
"""Mean time in the IVR written when the export has none, seconds (a placeholder)."""
UNKNOWN_CV = 1.0
"""Handle-time cv written when the export cannot show it (a placeholder)."""
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_BAD_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass(frozen=True)
class Day:
    """The draft's day: expected arrivals per interval of each queue, and what it is."""

    arrivals: list[np.ndarray]
    description: str


def weekday(day: np.datetime64) -> int:
    """0 = Monday."""
    return int((day.astype("datetime64[D]").astype(np.int64) + 3) % 7)


def typical_day(forecast: Forecast) -> Day:
    """The mean of the forecast's Monday to Friday in its first week (all its days when the
    centre has no weekday volume)."""
    days = range(min(7, forecast.days))
    weekdays = [d for d in days if weekday(forecast.date(d)) < 5]
    if not weekdays or all(q.values[weekdays].sum() == 0 for q in forecast.queues):
        weekdays = list(days)
    first, last = forecast.date(weekdays[0]), forecast.date(weekdays[-1])
    names = "Monday to Friday" if len(weekdays) == 5 else f"{len(weekdays)} days"
    return Day([q.values[weekdays].mean(axis=0) for q in forecast.queues],
               f"the mean of the forecast's {names}, {first}..{last}")


def safe_names(names: list[str]) -> list[str]:
    """Queue names as ccsim names (letters, digits, ``_ . -``; unique; at most 64)."""
    out: list[str] = []
    for name in names:
        clean = _BAD_NAME.sub("_", name)[:60] or "queue"
        if clean[0] in ".-":
            clean = "_" + clean[1:]
        candidate, n = clean, 2
        while candidate in out:
            candidate, n = f"{clean}_{n}", n + 1
        out.append(candidate)
    return out


def _number(value: float, digits: int = 1) -> str:
    """A YAML float (always with a dot, never an exponent, which YAML 1.1 reads as text)."""
    return f"{value:.{digits}f}"


def _flow(values: list[str], indent: int, width: int = 96) -> str:
    """A YAML flow list, wrapped under its first item."""
    lines, line = [], "["
    for n, v in enumerate(values):
        item = v + (", " if n < len(values) - 1 else "]")
        if len(line) + len(item) + indent > width and line != "[":
            lines.append(line.rstrip())
            line = " " * (indent + 1)
        line += item
    lines.append(line)
    return "\n".join(lines)


def _comment(line: str, width: int = 100, prefix: str = "# ") -> list[str]:
    """A comment line wrapped to ``width``: a bullet's lines continue under its text, an
    indented row's further in."""
    import textwrap

    stripped = line.lstrip()
    lead = line[:len(line) - len(stripped)]
    extra = "  " if stripped.startswith("- ") else ("    " if lead else "")
    return textwrap.wrap(line, width=width, initial_indent=prefix,
                         subsequent_indent=f"{prefix}{lead}{extra}", break_long_words=False,
                         break_on_hyphens=False) or [prefix.rstrip()]


def _share(value: float) -> str:
    return f"{100 * value:.1f}%"


def staffing(arrivals: np.ndarray, estimate: QueueEstimate, interval_s: float) -> list[int]:
    """Agents per interval that Erlang A (C without patience) says meet THRESHOLD_S/TARGET on
    the load after the IVR: a starting point for ``ccsim optimise``."""
    from ccsim.optimise.erlang import min_agents

    to_agents = 1.0 - (estimate.completion.share if estimate.completion else 0.0)
    patience = estimate.patience.mean_s
    out = []
    for volume, handle in zip(arrivals, estimate.handle.per_interval_s, strict=True):
        lam = volume * to_agents / interval_s
        if lam <= 0 or not math.isfinite(handle):
            out.append(0)
            continue
        out.append(min_agents(round(lam, 9), round(1.0 / handle, 12), patience, THRESHOLD_S,
                              TARGET))
    return out


def header(history: History, forecast: Forecast, day: Day, today: date) -> list[str]:
    """The comment block at the top: source, mapping notes, forecast."""
    g = history.grid
    last = history.date(history.days - 1)
    lines = [
        f"Scenario draft written by `ccsim import` on {today.isoformat()} from {history.source}",
        f"({history.kind} export, {history.rows:,} rows): {len(history.queues)} queues, "
        f"{history.days} days {history.date(0)}..{last}, {g.intervals} intervals of "
        f"{g.interval_minutes} min from {g.start}.",
        "Every number below says where it comes from; those marked 'not in the export' are "
        "placeholders to check.",
        "",
        "How the export maps onto ccsim:",
        "- ccsim's arrivals are contacts before the IVR, redials and repeats excluded; an ACD's "
        "'offered' counts contacts after the IVR, redials and repeats included. The arrivals "
        "below are " + ("ivr_entered where a queue has an IVR, else offered."
                        if history.kind == "intervals"
                        else "every contact of the export, self-served included."),
        "- The export cannot tell a redial or a repeat from a first call (no caller id), so the "
        "arrivals include them and no `redial:` block is written: ccsim then offers the volume "
        "the centre saw. Adding a `redial: {probability: p, ...}` block means lowering the "
        "arrivals by p x the abandons (given per queue), or redials are counted twice.",
        "- Intervals are by arrival time, as ccsim counts them; a day or interval missing from "
        "the export is a closed one (0).",
        f"- Handle time, patience, IVR completion and the intraday profile come from the last "
        f"{min(history.days, RECENT_DAYS)} days.",
    ]
    if history.grid_note:
        lines.append(f"- {history.grid_note}.")
    lines += ["", *forecast_lines(history, forecast), "", f"The day below is {day.description}: "
              "ccsim simulates one day (a multi-day horizon is not there yet)."]
    return lines


def forecast_lines(history: History, forecast: Forecast) -> list[str]:
    """The forecast part of the comments: the held-out errors, the method used and the
    forecast's daily totals."""
    lines = []
    if forecast.held_out is not None:
        lines.append(f"Forecast: the last week of the history ({forecast.held_out[0]}.."
                     f"{forecast.held_out[1]}) held out; error = sum |forecast - actual| / "
                     "sum actual over its intervals:")
    else:
        lines.append("Forecast: no held-out week (less than two weeks of history).")
    width = max(len(q) for q in history.queues)
    for name, q in zip(history.queues, forecast.queues, strict=True):
        lines.append(f"  {name:<{width}}  {method_summary(q)}")
    lines.append("Forecast contacts per day (before the IVR):")
    for name, q in zip(history.queues, forecast.queues, strict=True):
        totals = q.values.sum(axis=1)
        for start in range(0, forecast.days, 7):
            cells = [f"{forecast.date(d)} {WEEKDAYS[weekday(forecast.date(d))]} "
                     f"{totals[d]:,.0f}" for d in range(start, min(start + 7, forecast.days))]
            lines.append(f"  {name:<{width}}  " + ", ".join(cells))
    return lines


def method_summary(q: QueueForecast) -> str:
    """``Holt-Winters 5.1%, seasonal naive 9.8% -> Holt-Winters (the lower error)``."""
    if not q.errors:
        return f"{q.method} ({q.note})" if q.note else q.method
    tried = ", ".join(f"{m} {_share(e) if math.isfinite(e) else 'n/a'}"
                      for m, e in q.errors.items())
    why = "the lower error" if len(q.errors) > 1 else "the only method"
    note = f"; {q.note}" if q.note else ""
    return f"{tried} -> {q.method} ({why}{note})"


def queue_block(name: str, arrivals: np.ndarray, e: QueueEstimate) -> list[str]:
    """One contact type, commented."""
    per = [_number(v) for v in arrivals]
    handle_known = math.isfinite(e.handle.mean_s)
    means = e.handle.per_interval_s if handle_known else [300.0] * len(arrivals)
    lines = [
        f"  - name: {name}",
        f"    # {e.offered:,.0f} offered to agents and {e.abandoned:,.0f} abandoned in the "
        f"last {e.days} days of the history",
        "    arrivals:",
        f"      per_interval: {_flow(per, 20)}",
    ]
    handle_note = (f"mean of {e.handle.answered:,.0f} answered contacts, per interval "
                   f"(the queue's {e.handle.mean_s:.1f} s where fewer than 30)"
                   if handle_known else "NOT in the export (nothing answered): a placeholder")
    if e.handle.cv is not None:
        cv, cv_note = e.handle.cv, "the sample's cv within intervals"
        if e.handle.lognormal_mle is not None:
            m, c = e.handle.lognormal_mle
            cv_note += f"; a lognormal fit by maximum likelihood says mean {m:.1f} s, cv {c:.2f}"
    else:
        cv, cv_note = UNKNOWN_CV, "cv not in the export: a placeholder"
    lines += [
        f"    # handle time: {handle_note}; {cv_note}",
        "    handle_time:",
        "      distribution: lognormal",
        f"      mean: {_flow([_number(v) for v in means], 12)}",
        f"      cv: {_number(cv, 3)}",
    ]
    p = e.patience
    if p.mean_s is not None:
        detail = f"{p.method}, {p.abandons:,.0f} abandons"
        if p.lo_s is not None and p.hi_s is not None:
            detail += f", 95% CI [{p.lo_s:.1f}, {p.hi_s:.1f}] s"
        lines.append(f"    # patience: {detail}")
        if p.naive_mean_s is not None:
            lines.append(f"    # (the mean wait of abandons, {p.naive_mean_s:.1f} s, would "
                         "under-estimate it: answered callers were patient for at least "
                         "their wait)")
        if p.note:
            lines.append(f"    # {p.note}")
        lines.append(f"    patience: {{distribution: exponential, mean: {_number(p.mean_s)}}}")
    else:
        why = p.note or p.method
        lines.append(f"    # patience left out (never hangs up): {p.method}; {why}")
    ivr = e.completion
    if ivr is not None:
        lines += [
            f"    # IVR: {ivr.entered:,.0f} entered, completion {_share(ivr.share)} (95% CI "
            f"{_share(ivr.lo)}-{_share(ivr.hi)}); whoever does not complete reaches an agent "
            "(the export cannot tell opt-outs from failures); time in the IVR: NOT in the "
            "export, a placeholder",
            "    self_service:",
            f"      time_in_ivr: {{distribution: lognormal, mean: {_number(IVR_TIME_S)}, "
            "cv: 0.5}",
            f"      completion: {_number(ivr.share, 4)}",
            f"      opt_out: {_number(1.0 - ivr.share, 4)}",
        ]
    return lines


def render(history: History, forecast: Forecast, estimates: list[QueueEstimate],
           name: str, today: date) -> str:
    """The draft's text."""
    day = typical_day(forecast)
    names = safe_names(history.queues)
    g = history.grid
    interval_s = g.interval_minutes * 60.0
    out = [wrapped for line in header(history, forecast, day, today)
           for wrapped in _comment(line)]
    renamed = [f"{a} -> {b}" for a, b in zip(history.queues, names, strict=True) if a != b]
    if renamed:
        out.append(f"# Queue names made into ccsim names: {', '.join(renamed)}")
    out += [
        f"name: {name}",
        f"description: Drafted by ccsim import from {history.kind} history, "
        f"{history.date(0)} to {history.date(history.days - 1)}.",
        "horizon:",
        f"  start: \"{g.start}\"",
        f"  interval_minutes: {g.interval_minutes}",
        f"  intervals: {g.intervals}",
        "seed: 7",
        "replications: 20",
        "service_level:           # not in the export: the centre's target here",
        f"  threshold_s: {_number(THRESHOLD_S)}",
        f"  target: {_number(TARGET, 2)}",
        "contact_types:",
    ]
    for k, queue in enumerate(names):
        for line in queue_block(queue, day.arrivals[k], estimates[k]):
            out += _comment(line[6:], prefix="    # ") if line.startswith("    # ") else [line]
    out += ["agent_groups:",
            *_comment(f"staffing: Erlang A agents per interval for {TARGET:.0%} in "
                      f"{THRESHOLD_S:.0f} s on the forecast (a start: run `ccsim optimise`)",
                      prefix="  # ")]
    for k, queue in enumerate(names):
        agents = staffing(day.arrivals[k], estimates[k], interval_s)
        out += [f"  - name: {queue}_team", f"    skills: [{queue}]",
                f"    staffing: {_flow([str(a) for a in agents], 14)}"]
        recorded = estimates[k].agents_per_interval
        if recorded is not None:
            shown = ["-" if math.isnan(v) else f"{v:.1f}" for v in recorded]
            out += _comment(f"the history's mean agents per interval: {', '.join(shown)}",
                            prefix="    # ")
        out.append("    cost_per_hour: 20.0    # not in the export: a placeholder")
    out += [
        "routing: {policy: longest_idle}",
        "# ccsim optimise: per-interval staffing (add shift templates under `shifts:`);",
        "# the shrinkage is not in the export: a placeholder",
        "optimise:",
        "  level: interval",
        "  meet: mean",
        "  shrinkage: 0.30",
    ]
    return "\n".join(out) + "\n"


def used_methods(forecast: Forecast) -> set[str]:
    """The forecasting methods the queues use."""
    return {q.method for q in forecast.queues} - {DAY_MEAN}
