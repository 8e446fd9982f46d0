"""Start-up and whole-process speed: ccsim as a person runs it, timed as whole processes.

Run by hand (not part of the tests):  python benchmarks/startup.py [--repeat 5]

Measures, in one run on this machine (medians of ``--repeat`` runs):
* the bare interpreter (``python -c pass``), the reference for start-up;
* ``ccsim --help``, ``ccsim validate`` and ``ccsim schema`` on the bundled default scenario
  (target: under 0.4 s each on a 2-core machine);
* a whole ``ccsim run`` of the 200,000-contact M/M/n+M queue (2 calls/s, AHT 180 s, patience
  120 s, 380 agents, 4 replications of 14 half-hours, ``--workers 1``, report.html included)
  against the plain one-process-per-call SimPy model of the same queue and contacts
  (benchmarks/plain_simpy.py), also as a whole process (target: ccsim at least 3 times as
  fast).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
INTERVALS, INTERVAL_MINUTES, REPLICATIONS = 14, 30, 4


def mmn_yaml(folder: Path) -> Path:
    """The benchmark queue as a scenario file (the same queue as plain_simpy.py)."""
    sys.path.insert(0, str(HERE))
    from plain_simpy import AGENTS, AHT, PATIENCE, RATE

    per_interval = RATE * 60 * INTERVAL_MINUTES
    path = folder / "bench-mmn.yaml"
    path.write_text(yaml.safe_dump({
        "name": "bench-mmn",
        "horizon": {"interval_minutes": INTERVAL_MINUTES, "intervals": INTERVALS},
        "replications": REPLICATIONS,
        "contact_types": [{
            "name": "calls", "arrivals": {"per_interval": [per_interval] * INTERVALS},
            "handle_time": {"distribution": "exponential", "mean": AHT},
            "patience": {"distribution": "exponential", "mean": PATIENCE},
        }],
        "agent_groups": [{"name": "agents", "skills": ["calls"], "staffing": AGENTS}],
    }))
    return path


def median_time(command: list[str], repeat: int, cwd: Path) -> float:
    """Median wall time of ``command`` run ``repeat`` times as a whole process, seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="median of N runs")
    repeat = parser.parse_args().repeat
    ccsim = [sys.executable, "-m", "ccsim"]
    script = Path(sys.executable).parent / "ccsim"
    if script.exists():  # the console script, as a planner types it
        ccsim = [str(script)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        import ccsim as package

        default = str(package.bundled_scenario())
        bare = median_time([sys.executable, "-c", "pass"], repeat, folder)
        print(f"python -c pass      : {bare:6.3f} s (reference)")
        for name, args in (("--help", ["--help"]), ("validate", ["validate", default]),
                           ("schema", ["schema"])):
            t = median_time([*ccsim, *args], repeat, folder)
            verdict = "met" if t < 0.4 else "MISSED"
            print(f"ccsim {name:<13} : {t:6.3f} s = {t / bare:4.1f} × bare python "
                  f"(target < 0.4 s: {verdict})")
        scenario = mmn_yaml(folder)
        runs = max(1, repeat // 2)
        t_ccsim = median_time([*ccsim, "run", str(scenario), "--replications",
                               str(REPLICATIONS), "--workers", "1", "--out", "out"],
                              runs, folder)
        hours = INTERVALS * INTERVAL_MINUTES / 60
        t_plain = median_time([sys.executable, str(HERE / "plain_simpy.py"), "--hours",
                               str(hours), "--replications", str(REPLICATIONS)], runs, folder)
        ratio = t_plain / t_ccsim
        print(f"whole ccsim run     : {t_ccsim:6.3f} s (about 201,600 contacts, report included)")
        print(f"whole plain SimPy   : {t_plain:6.3f} s (the same queue and contacts)")
        print(f"ratio plain SimPy / ccsim run: {ratio:.2f} (target >= 3: "
              f"{'met' if ratio >= 3 else 'MISSED'})")


if __name__ == "__main__":
    main()
