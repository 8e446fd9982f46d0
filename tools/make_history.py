"""Regenerate the bundled interval export ``scenarios/history/intervals.csv`` from the known
scenario ``scenarios/history/source.yaml`` (eight weeks, one simulated day per date).

Run by hand:  python tools/make_history.py [--weeks 8] [--out scenarios/history/intervals.csv]

Each date is one simulated day of the source scenario (replication = the date's index, so the
export is the same on every machine), its volume and staffing scaled by the weekday and its
volume by a trend of 1% a week; Sundays are closed (no rows). The day's per-contact records
become the ``intervals`` layout of ``ccsim import`` as an ACD counts: ``offered`` reached an
agent queue (redials included), ``answered`` / ``abandoned`` of those, ``aht_s`` / ``asa_s``
over the answered, ``agents`` on the queue's team, ``ivr_entered`` / ``ivr_completed`` (empty
for a queue without an IVR). Intervals are by arrival time, as ccsim counts them.
"""

from __future__ import annotations

import argparse
import csv
import math
from datetime import date, timedelta
from pathlib import Path

import yaml

from ccsim.sim import ivr
from ccsim.sim.model import simulate_day
from ccsim.sim.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scenarios" / "history" / "source.yaml"
FIRST_DAY = date(2024, 1, 1)  # a Monday
WEEKDAY_SCALE = (1.15, 1.05, 1.00, 0.98, 0.92, 0.55, 0.0)  # Monday first; Sunday closed
TREND_PER_WEEK = 0.01
COLUMNS = ("date", "interval_start", "queue", "offered", "answered", "abandoned", "aht_s",
           "asa_s", "agents", "ivr_entered", "ivr_completed")


def day_scenario(source: dict, day: int) -> Scenario:
    """The source scenario as it was on day ``day``: volume and staffing scaled."""
    scale = WEEKDAY_SCALE[day % 7]
    data = yaml.safe_load(yaml.safe_dump(source))
    for t in data["contact_types"]:
        t["arrivals"]["scale"] = scale * (1 + TREND_PER_WEEK * day / 7)
    for g in data["agent_groups"]:
        g["staffing"] = [max(1, round(n * scale)) for n in g["staffing"]]
    return Scenario.model_validate(data)


def _number(value: float) -> str:
    return "" if math.isnan(value) else f"{value:.1f}"


def day_rows(scenario: Scenario, day: int, when: date) -> list[list[str]]:
    """One simulated day as rows of the intervals layout."""
    records = simulate_day(scenario, scenario.seed, day)
    handle = records.end - records.answer
    wait = records.wait
    rows = []
    for k, t in enumerate(scenario.contact_types):
        team = next(g for g in scenario.agent_groups if t.name in g.skills)
        has_ivr = t.self_service is not None
        for i in range(scenario.horizon.intervals):
            mine = (records.ctype == k) & (records.interval == i)
            offered = mine & records.offered
            answered = mine & records.answered
            n = int(answered.sum())
            rows.append([
                when.isoformat(), scenario.horizon.clock(i), t.name, str(int(offered.sum())),
                str(n), str(int((mine & records.abandoned).sum())),
                _number(float(handle[answered].mean()) if n else math.nan),
                _number(float(wait[answered].mean()) if n else math.nan),
                str(team.staffing_at(i)),
                str(int((mine & (records.ivr != ivr.NO_IVR)).sum())) if has_ivr else "",
                str(int((mine & records.self_served).sum())) if has_ivr else "",
            ])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--out", type=Path, default=ROOT / "scenarios" / "history" /
                        "intervals.csv")
    args = parser.parse_args()
    source = yaml.safe_load(SOURCE.read_text())
    rows = []
    for day in range(7 * args.weeks):
        if WEEKDAY_SCALE[day % 7] > 0:
            rows += day_rows(day_scenario(source, day), day, FIRST_DAY + timedelta(days=day))
    with args.out.open("w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(COLUMNS)
        out.writerows(rows)
    size = args.out.stat().st_size
    print(f"wrote {args.out}: {len(rows):,} rows, {size / 1024:.0f} KB, "
          f"{len({r[0] for r in rows})} open days")


if __name__ == "__main__":
    main()
