"""Import speed: ``ccsim import`` of a year of half-hourly intervals for five queues.

Run by hand (not part of the tests):  python benchmarks/import_history.py [--repeat 3]

Writes a synthetic intervals export (365 days x 48 half-hours x 5 queues = 87,600 rows, with
the optional ``asa_s``, ``agents`` and IVR columns, so every estimator runs: Erlang A patience
matching, IVR completion, Holt-Winters against seasonal naive per queue) and times the whole
``ccsim import`` process on it (median of ``--repeat`` runs), and the import alone in this
process (reading and checking, estimating, forecasting, drafting).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

QUEUES, DAYS, INTERVALS = 5, 365, 48
WEEKLY = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.6, 0.4])


def export(path: Path, seed: int = 1) -> int:
    """Write the synthetic year; return its number of rows."""
    rng = np.random.default_rng(seed)
    hours = np.arange(INTERVALS) / 2
    profile = 0.2 + np.exp(-((hours - 11) / 4) ** 2) + 0.6 * np.exp(-((hours - 16) / 3) ** 2)
    start = np.datetime64("2023-01-02")
    lines = ["date,interval_start,queue,offered,answered,abandoned,aht_s,asa_s,agents,"
             "ivr_entered,ivr_completed"]
    clocks = [f"{i // 2:02d}:{30 * (i % 2):02d}" for i in range(INTERVALS)]
    for q in range(QUEUES):
        daily = 400 * (q + 1) * WEEKLY[np.arange(DAYS) % 7] * (1 + np.arange(DAYS) / 2000)
        mean = daily[:, None] * profile / profile.sum()
        entered = rng.poisson(mean)
        completed = rng.binomial(entered, 0.3) if q % 2 == 0 else np.zeros_like(entered)
        offered = entered - completed
        abandoned = rng.binomial(offered, 0.06)
        answered = offered - abandoned
        aht = 240 + 30 * q
        agents = np.ceil(offered * aht / 1800 * 1.1 + 1)
        for d in range(DAYS):
            day = start + np.timedelta64(d, "D")
            for i in range(INTERVALS):
                ivr = f"{entered[d, i]},{completed[d, i]}" if q % 2 == 0 else ","
                lines.append(f"{day},{clocks[i]},queue{q},{offered[d, i]},{answered[d, i]},"
                             f"{abandoned[d, i]},{aht},15.0,{agents[d, i]:.0f},{ivr}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "year.csv"
        rows = export(path)
        size = path.stat().st_size / 2**20
        print(f"export: {rows:,} rows, {size:.1f} MB")
        times = []
        for _ in range(args.repeat):
            began = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "ccsim", "import", str(path), "--out",
                                   str(Path(folder) / "draft.yaml"), "--force"],
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - began)
            if done.returncode != 0:
                sys.exit(done.stderr)
        print(f"ccsim import, whole process: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
        from ccsim.import_history import import_history

        import_history(path)  # libraries loaded once, as in the process above
        began = time.perf_counter()
        import_history(path)
        print(f"import_history() alone, libraries loaded: {time.perf_counter() - began:.2f} s")


if __name__ == "__main__":
    main()
