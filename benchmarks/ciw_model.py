"""The M/M/n+M queue of plain_simpy.py in Ciw (https://ciw.readthedocs.io), if installed.

Ciw expresses the queue whole: exponential arrivals and services, ``AGENTS`` servers, and
reneging (abandonment) with ``reneging_time_distributions``: a customer still waiting when
their exponential patience runs out leaves the queue (a ``renege`` record). Ciw seeds its
own global generators (``ciw.seed``); it simulates until a time, so customers still in the
system at the end have no record and are not counted.

Ciw is an optional extra: ``pip install 'ccsim[bench]'``. Run as a script it prints contacts,
abandonment share and contacts/s: ``python benchmarks/ciw_model.py [--hours 4]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import time

from plain_simpy import AGENTS, AHT, PATIENCE, RATE

NOT_INSTALLED = "Ciw: not installed (pip install 'ccsim[bench]')"


def ciw_available() -> bool:
    """Whether Ciw can be imported."""
    return importlib.util.find_spec("ciw") is not None


def ciw_version() -> str:
    """Ciw's version string."""
    import ciw

    return str(ciw.__version__)


def ciw_mmn(seed: int, hours: float, warmup_hours: float = 1.0) -> tuple[int, float]:
    """Simulate ``hours`` of the queue in Ciw, from empty; return (contacts with an outcome,
    abandonment share of those that arrived after ``warmup_hours``).

    The warm-up is left out of the share because a short run from an empty centre abandons
    less than the stationary queue (the other models run 28 hours, where it does not matter).
    """
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=RATE)],
        service_distributions=[ciw.dists.Exponential(rate=1 / AHT)],
        number_of_servers=[AGENTS],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / PATIENCE)],
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    simulation.simulate_until_max_time(hours * 3600.0)
    records = simulation.get_all_records(only=["service", "renege"])
    counted = [r for r in records if r.arrival_date >= warmup_hours * 3600.0]
    reneged = sum(r.record_type == "renege" for r in counted)
    return len(records), reneged / len(counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not ciw_available():
        print(NOT_INSTALLED)
        return
    began = time.perf_counter()
    calls, share = ciw_mmn(args.seed, args.hours)
    seconds = time.perf_counter() - began
    print(f"Ciw {ciw_version()}: {calls:,} contacts in {seconds:.3f} s "
          f"({calls / seconds:,.0f} contacts/s), abandonment {share:.4f} after 1 h warm-up")


if __name__ == "__main__":
    main()
