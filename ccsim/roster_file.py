"""``roster.csv``: the weekly roster, one row per agent (``group``, ``agent`` number within the
group, then ``mon`` .. ``sun`` with the shift template's name or ``off``).

Written to a hidden file beside it and renamed into place, so the file is complete or absent.
``ccsim optimise`` writes it into the plan's result folder with ``optimise.roster``.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccsim.optimise.roster import RosterRow

FILE_NAME = "roster.csv"


def write_roster(rows: Sequence[RosterRow], folder: Path) -> Path:
    """Write ``roster.csv`` of ``rows`` into ``folder``; return its path."""
    from ccsim.optimise.roster import DAYS

    path = Path(folder) / FILE_NAME
    fd, tmp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=folder)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(["group", "agent", *DAYS])
            for row in rows:
                if len(row.days) != len(DAYS):
                    raise ValueError(f"agent {row.group} {row.agent} has {len(row.days)} days, "
                                     f"not {len(DAYS)}")
                out.writerow([row.group, row.agent, *row.days])
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path
