"""``records.csv`` of ``ccsim run --records``: every simulated contact in the ``contacts``
layout of ``ccsim import`` (``arrival``, ``queue``, ``wait_s``, ``outcome``, ``handle_s``), so a
simulated history can be imported again.

Replication r is dated ``FIRST_DAY`` + r days (``FIRST_DAY`` is a Monday): 28 replications are
four weeks of history. Days are appended as the replications finish, in replication order (the
same file for any number of workers), into a hidden file beside the result folder; the result
folder takes it in when it is written, so the folder stays complete or absent and a day's
contacts are never all held in memory at once.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from pathlib import Path
from types import TracebackType
from typing import TextIO

import numpy as np

from ccsim.sim.records import OUTCOMES, ContactLog
from ccsim.sim.scenario import Scenario

FIRST_DAY = date(2024, 1, 1)
"""The date of replication 0 (a Monday)."""
HEADER = "arrival,queue,wait_s,outcome,handle_s\n"
FILE_NAME = "records.csv"


def _seconds(values: np.ndarray) -> list[str]:
    """Durations in seconds to the millisecond; empty where NaN."""
    return ["" if v != v else f"{v:.3f}" for v in values.tolist()]


def contact_lines(log: ContactLog, scenario: Scenario, replication: int) -> list[str]:
    """The CSV lines of one day's contacts (``arrival`` as ``YYYY-MM-DD HH:MM:SS.mmm``)."""
    hours, minutes = map(int, scenario.horizon.start.split(":"))
    # cut to the millisecond, not rounded: an arrival stays in its interval
    ms = np.floor((hours * 3600 + minutes * 60 + log.arrival) * 1000).astype(np.int64)
    day, ms_of_day = np.divmod(ms, 86_400_000)
    first = FIRST_DAY + timedelta(days=replication)
    dates = {int(d): (first + timedelta(days=int(d))).isoformat() for d in np.unique(day)}
    names = [t.name for t in scenario.contact_types]
    waits, handles = _seconds(log.wait), _seconds(log.handle)
    columns = (day.tolist(), ms_of_day.tolist(), log.ctype.tolist(), waits,
               log.outcome.tolist(), handles)
    lines = []
    for d, t, k, wait, o, handle in zip(*columns, strict=True):
        second, milli = divmod(t, 1000)
        minute, s = divmod(second, 60)
        h, m = divmod(minute, 60)
        lines.append(f"{dates[d]} {h:02d}:{m:02d}:{s:02d}.{milli:03d},{names[k]},"
                     f"{wait},{OUTCOMES[o]},{handle}\n")
    return lines


class RecordsFile:
    """A ``records.csv`` being written: ``add`` each replication's contacts, then ``move_into``
    the result folder. Used as a context manager: a file not moved in is removed on exit."""

    def __init__(self, scenario: Scenario, parent: Path) -> None:
        self.scenario = scenario
        parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".records-", suffix=".csv", dir=parent)
        self.path: Path | None = Path(name)
        self._file: TextIO = os.fdopen(handle, "w", encoding="utf-8", newline="")
        self._file.write(HEADER)

    def add(self, replication: int, log: ContactLog) -> None:
        """Append one replication's contacts (called in replication order)."""
        self._file.writelines(contact_lines(log, self.scenario, replication))

    def move_into(self, folder: Path) -> None:
        """Finish the file and move it into ``folder`` as ``records.csv``."""
        self._file.close()
        assert self.path is not None
        os.replace(self.path, folder / FILE_NAME)
        self.path = None

    def __enter__(self) -> RecordsFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._file.close()
        if self.path is not None:
            self.path.unlink(missing_ok=True)
