"""``ccsim import``: an export of the phone system in, a checked scenario draft out.

Read and check the CSV (``ccsim.history``), estimate handle time, patience and IVR completion
(``ccsim.estimate``), forecast the volume (``ccsim.forecast``), write the commented draft
(``ccsim.draft``). The draft is validated as ``ccsim validate`` would before it is written, and
written atomically (a temporary file renamed into place): on any problem nothing is written.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ccsim.sim.loader import ScenarioError

if TYPE_CHECKING:  # numpy, pandas and statsmodels load only when an import runs
    from ccsim.estimate import QueueEstimate
    from ccsim.forecast import Forecast
    from ccsim.history import History


@dataclass(frozen=True)
class Imported:
    """A finished import: the draft's text and what went into it."""

    history: History
    forecast: Forecast
    estimates: list[QueueEstimate]
    text: str


def draft_name(path: Path) -> str:
    """The scenario name drawn from the export's file name."""
    name = re.sub(r"[^A-Za-z0-9_.\-]", "_", path.stem)[:64].lstrip(".-") or "imported"
    return name


def import_history(path: Path, kind: str | None = None, weeks: int = 1,
                   today: date | None = None) -> Imported:
    """Read ``path`` (an export of ``kind``; told from its header when None), forecast ``weeks``
    weeks and return the draft; ``ScenarioError`` on bad input."""
    from ccsim.draft import render
    from ccsim.estimate import estimate_queues
    from ccsim.forecast import forecast
    from ccsim.history import read_history
    from ccsim.sim.loader import parse_scenario

    history = read_history(path, kind)
    estimates = estimate_queues(history)
    ahead = forecast(history.arrivals, history.first_day, weeks)
    text = render(history, ahead, estimates, draft_name(path), today or date.today())
    parse_scenario(text, f"the draft from {path}")  # a draft validate refuses is a bug
    return Imported(history, ahead, estimates, text)


def write_draft(text: str, out: Path, force: bool) -> None:
    """Write ``text`` to ``out`` atomically; an existing file only with ``force``."""
    if out.is_dir():
        raise ScenarioError("--out", [f"{out} is a folder; give a file name"])
    if out.exists() and not force:
        raise ScenarioError("--out", [f"{out} exists; pass --force to replace it"])
    parent = out.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{out.name}-", dir=parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ScenarioError("--out", [f"cannot write {out}: {exc.strerror or exc}"]) from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def summary_lines(result: Imported, out: Path, seconds: float) -> list[str]:
    """What the import found, for the terminal: the forecast's errors and choice, and each
    queue's estimates (patience beside the mean wait of abandons)."""
    from ccsim.draft import method_summary, typical_day

    h, fc = result.history, result.forecast
    g = h.grid
    lines = [f"{h.source}: {h.rows:,} rows ({h.kind}), {len(h.queues)} queues, {h.days} days "
             f"{h.date(0)}..{h.date(h.days - 1)}, {g.intervals} intervals of "
             f"{g.interval_minutes} min from {g.start}"]
    if fc.held_out is not None:
        lines.append(f"forecast error on the held-out week {fc.held_out[0]}..{fc.held_out[1]} "
                     "(sum |forecast - actual| / sum actual, per interval):")
    width = max(len(q) for q in h.queues)
    for name, q in zip(h.queues, fc.queues, strict=True):
        lines.append(f"  {name:<{width}}  {method_summary(q)}")
    day = typical_day(fc)
    lines.append(f"the draft's day: {day.description}")
    for name, e, volume in zip(h.queues, result.estimates, day.arrivals, strict=True):
        parts = [f"{volume.sum():,.0f} contacts a day", f"AHT {e.handle.mean_s:.1f} s"]
        p = e.patience
        if p.mean_s is not None:
            text = f"patience {p.mean_s:.1f} s ({p.method}"
            if p.naive_mean_s is not None:
                text += f"; the mean wait of abandons would say {p.naive_mean_s:.1f} s"
            if "poorly determined" in p.note:
                text += "; poorly determined: see the draft"
            parts.append(text + ")")
        else:
            parts.append(f"no patience ({p.note or p.method})")
        if e.completion is not None:
            parts.append(f"IVR completion {100 * e.completion.share:.1f}%")
        lines.append(f"  {name:<{width}}  " + ", ".join(parts))
    lines.append(f"wrote {out} in {seconds:.1f} s (validated; a draft: check its comments)")
    return lines
