"""Reading what a phone system exports: the ``intervals`` and ``contacts`` CSV layouts of
``ccsim import``, checked row by row, into one table of counts per queue, day and interval.

Every problem names the file, the row (the line of the file: the header is row 1) and the
column; a column that is wrong in many rows is one line with a count of the others. Nothing is
guessed from a bad value. pandas reads the file (every cell as text, so the checks see what
was written); it is imported here, only by ``ccsim import``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import numpy as np

from ccsim.sim.loader import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

KINDS = ("intervals", "contacts")
INTERVAL_COLUMNS = ("date", "interval_start", "queue", "offered", "answered", "abandoned",
                    "aht_s")
INTERVAL_OPTIONAL = ("asa_s", "agents", "ivr_entered", "ivr_completed")
CONTACT_COLUMNS = ("arrival", "queue", "wait_s", "outcome", "handle_s")
OUTCOMES = ("answered", "abandoned", "self_served")
CONTACT_INTERVAL_MINUTES = 30
"""Interval length of a scenario drafted from contacts (the contacts layout has none)."""
MAX_PROBLEMS = 10
"""Problems reported at most; the rest are counted."""
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


@dataclass(frozen=True)
class Grid:
    """The day's intervals: the first one's start (minutes after midnight), their length
    (minutes) and how many there are."""

    start_minute: int
    interval_minutes: int
    intervals: int

    @property
    def start(self) -> str:
        """The first interval's clock time, HH:MM."""
        return f"{self.start_minute // 60:02d}:{self.start_minute % 60:02d}"


@dataclass(frozen=True)
class ContactSample:
    """One queue's contacts (the ``contacts`` layout): what the estimators need.

    ``wait`` and ``abandoned`` cover every contact that queued for an agent (seconds; True for
    an abandon); ``handle`` and ``handle_interval`` cover the answered ones (seconds, interval
    of arrival); ``day`` is the day index of each queued contact, ``handle_day`` of each answered.
    """

    wait: np.ndarray
    abandoned: np.ndarray
    day: np.ndarray
    handle: np.ndarray
    handle_interval: np.ndarray
    handle_day: np.ndarray


@dataclass(frozen=True)
class History:
    """An export as counts per queue, day and interval: arrays ``[queue, day, interval]`` over
    every day from ``first_day`` for ``days`` days (a day or interval missing from the file is
    a closed one: 0).

    ``arrivals`` are contacts before the IVR (all contacts of the ``contacts`` layout;
    ``ivr_entered`` for a queue with an IVR, else ``offered``, for ``intervals``); ``offered``
    reached an agent queue (redials and repeats included, as an ACD counts them);
    ``handle_s``/``wait_answered_s`` are sums of seconds over the answered contacts (the
    latter None when the export has no ``asa_s``); ``agents`` is NaN where not recorded
    (None without the column).
    """

    source: str
    kind: str
    rows: int
    queues: list[str]
    first_day: np.datetime64
    days: int
    grid: Grid
    arrivals: np.ndarray
    offered: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray
    handle_s: np.ndarray
    wait_answered_s: np.ndarray | None
    agents: np.ndarray | None
    ivr_entered: np.ndarray
    ivr_completed: np.ndarray
    has_ivr: list[bool]
    contacts: list[ContactSample] | None
    grid_note: str

    def date(self, day: int) -> str:
        """The date of day index ``day``, YYYY-MM-DD."""
        return str(self.first_day + np.timedelta64(day, "D"))


class _Problems:
    """Problems found so far, one line each, with how many further rows each one covers."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []
        self.more = 0

    def rows(self, mask: np.ndarray, lines: np.ndarray, column: str, what: object) -> None:
        """Report the first row of ``mask`` (``what(i)`` says what is wrong with row i)."""
        bad = np.flatnonzero(mask)
        if bad.size == 0:
            return
        first = int(bad[0])
        others = f" (and {bad.size - 1:,} more rows like it)" if bad.size > 1 else ""
        reason = what(first) if callable(what) else what
        self.add(f"row {lines[first]}, column '{column}': {reason}{others}")

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_PROBLEMS:
            self.lines.append(line)
        else:
            self.more += 1

    def raise_any(self) -> None:
        if self.lines:
            extra = [f"... and {self.more} more problems"] if self.more else []
            raise ScenarioError(self.source, self.lines + extra)


def kind_of(path: Path) -> str:
    """The layout of ``path`` told from its header (``--kind`` not given)."""
    import csv

    with _opened(path) as f:
        header = {c.strip() for c in next(csv.reader(f), [])}
    if {"arrival", "outcome"} <= header:
        return "contacts"
    if {"offered", "interval_start"} <= header:
        return "intervals"
    raise ScenarioError(str(path), [
        "row 1 (header): neither an intervals export (date, interval_start, queue, offered, "
        "...) nor a contacts export (arrival, queue, wait_s, outcome, handle_s); give --kind"])


def _opened(path: Path) -> TextIO:
    """``path`` opened as text (a BOM skipped); a file that cannot be opened is a problem."""
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ScenarioError(str(path), ["no such file"]) from None
    except IsADirectoryError:
        raise ScenarioError(str(path), ["is a folder, not a CSV file"]) from None
    except OSError as exc:
        raise ScenarioError(str(path), [f"cannot be read: {exc.strerror or exc}"]) from None


def _read_csv(path: Path, required: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """Every cell as stripped text, and each row's line in the file; a missing column, a row
    with too many fields or an empty file is a problem."""
    import pandas as pd

    source = str(path)
    with _opened(path) as f:
        try:
            frame = pd.read_csv(f, dtype=str, keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, index_col=False)
        except pd.errors.EmptyDataError:
            raise ScenarioError(source, ["the file is empty"]) from None
        except pd.errors.ParserError as exc:
            found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
            reason = (f"row {found[2]}: {found[3]} fields, but the header has {found[1]}"
                      if found else f"not a readable CSV file: {exc}")
            raise ScenarioError(source, [reason]) from None
        except UnicodeDecodeError as exc:
            raise ScenarioError(source, [f"not UTF-8 text: {exc.reason} at byte {exc.start}"]
                                ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        raise ScenarioError(source, [
            f"row 1 (header), column {names}: missing; this layout needs "
            f"{', '.join(required)} (found: {', '.join(frame.columns) or 'nothing'})"])
    frame = frame.apply(lambda column: column.str.strip())
    lines = np.arange(len(frame)) + 2
    blank = (frame == "").all(axis=1).to_numpy()
    if blank.any():
        frame, lines = frame[~blank].reset_index(drop=True), lines[~blank]
    if frame.empty:
        raise ScenarioError(source, ["has a header but no rows"])
    return frame, lines


def _numbers(frame: pd.DataFrame, column: str, lines: np.ndarray, problems: _Problems,
             required: bool = True) -> np.ndarray:
    """A column as non-negative finite numbers; NaN where empty (a problem if ``required``)."""
    import pandas as pd

    text = frame[column]
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, copy=True)
    empty = (text == "").to_numpy()
    problems.rows(~np.isfinite(values) & ~empty, lines, column,
                  lambda i: f"{text.iat[i]!r} is not a number")
    problems.rows(values < 0, lines, column,
                  lambda i: f"must not be negative, got {text.iat[i]}")
    if required:
        problems.rows(empty, lines, column, "is empty")
    values[~np.isfinite(values)] = np.nan
    return values


def _texts(frame: pd.DataFrame, column: str, lines: np.ndarray, problems: _Problems) -> np.ndarray:
    values = frame[column].to_numpy(dtype=object)
    problems.rows(values == "", lines, column, "is empty")
    return values


def _duplicates(frame: pd.DataFrame, keys: list[str], lines: np.ndarray,
                problems: _Problems, what: str, among: np.ndarray | None = None) -> None:
    """Rows that repeat an earlier row's ``keys`` (among the rows of ``among``)."""
    rows = frame if among is None else frame[among]
    row_lines = lines if among is None else lines[among]
    repeated = rows.duplicated(subset=keys, keep="first").to_numpy()
    if not repeated.any():
        return
    first = int(np.flatnonzero(repeated)[0])
    twin = rows.iloc[:first][(rows.iloc[:first][keys] == rows.iloc[first][keys]).all(axis=1)]
    earlier = row_lines[rows.index.get_loc(twin.index[0])] if len(twin) else "?"
    count = int(repeated.sum())
    others = f" (and {count - 1:,} more duplicated rows)" if count > 1 else ""
    problems.add(f"row {row_lines[first]}, columns {', '.join(keys)}: duplicates row {earlier} "
                 f"({what}){others}")


def read_history(path: Path, kind: str | None = None) -> History:
    """Read and check an export of ``kind`` ("intervals" or "contacts"; told from the header
    when None); raise ``ScenarioError`` listing its problems."""
    kind = kind_of(path) if kind is None else kind
    if kind == "intervals":
        return _read_intervals(path)
    return _read_contacts(path)


def _queue_index(names: np.ndarray) -> tuple[list[str], np.ndarray]:
    queues, index = np.unique(names.astype(str), return_inverse=True)
    return [str(q) for q in queues], index


def _cube(q: np.ndarray, d: np.ndarray, i: np.ndarray, shape: tuple[int, int, int],
          weights: np.ndarray | None = None) -> np.ndarray:
    flat = (q * shape[1] + d) * shape[2] + i
    size = shape[0] * shape[1] * shape[2]
    return np.bincount(flat, weights, minlength=size).reshape(shape)


def _read_intervals(path: Path) -> History:
    import pandas as pd

    source = str(path)
    frame, lines = _read_csv(path, INTERVAL_COLUMNS)
    problems = _Problems(source)
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    problems.rows((dates.isna() & (frame["date"] != "")).to_numpy(), lines, "date",
                  lambda i: f"{frame['date'].iat[i]!r} is not a date (YYYY-MM-DD)")
    problems.rows((frame["date"] == "").to_numpy(), lines, "date", "is empty")
    clock = frame["interval_start"].str.extract(_CLOCK).astype(float).to_numpy()
    minute = clock[:, 0] * 60 + clock[:, 1]
    bad_clock = (np.isnan(minute) | (clock[:, 0] > 23) | (clock[:, 1] > 59)
                 | (np.nan_to_num(clock[:, 2]) != 0))
    problems.rows(bad_clock, lines, "interval_start",
                  lambda i: f"{frame['interval_start'].iat[i]!r} is not a clock time (HH:MM)")
    names = _texts(frame, "queue", lines, problems)
    counts = {c: _numbers(frame, c, lines, problems)
              for c in ("offered", "answered", "abandoned")}
    counts["aht_s"] = _numbers(frame, "aht_s", lines, problems, required=False)
    problems.rows((frame["aht_s"] == "").to_numpy() & (counts["answered"] > 0), lines, "aht_s",
                  "is empty, but contacts were answered")
    optional = {c: _numbers(frame, c, lines, problems, required=False)
                for c in INTERVAL_OPTIONAL if c in frame.columns}
    if problems.lines:
        problems.raise_any()
    key = frame.assign(interval_start=minute)
    _duplicates(key, ["date", "interval_start", "queue"], lines, problems,
                "the same date, interval_start and queue")
    entered, completed = optional.get("ivr_entered"), optional.get("ivr_completed")
    if completed is not None:
        if entered is None:
            problems.add("row 1 (header), column 'ivr_completed': needs 'ivr_entered' too")
        else:
            problems.rows(completed > entered, lines, "ivr_completed",
                          lambda i: f"{completed[i]:g} is more than ivr_entered "
                                    f"{entered[i]:g}")
    queues, q = _queue_index(names)
    has_ivr = [bool(entered is not None and np.nansum(entered[q == k]) > 0)
               for k in range(len(queues))]
    if entered is not None:
        in_ivr_queue = np.asarray(has_ivr)[q]
        problems.rows(in_ivr_queue & np.isnan(entered), lines, "ivr_entered",
                      lambda i: f"is empty, but other rows of queue {names[i]!r} have it")
    problems.raise_any()

    grid, grid_note = _interval_grid(np.unique(minute).astype(int))
    i = ((minute - grid.start_minute) // grid.interval_minutes).astype(int)
    day_numbers = dates.to_numpy().astype("datetime64[D]")
    first = day_numbers.min()
    d = (day_numbers - first).astype(int)
    shape = (len(queues), int(d.max()) + 1, grid.intervals)

    def cube(values: np.ndarray) -> np.ndarray:
        return _cube(q, d, i, shape, np.nan_to_num(values))

    offered = cube(counts["offered"])
    answered = cube(counts["answered"])
    zero = np.zeros(shape)
    ivr_entered = cube(entered) if entered is not None else zero
    ivr_completed = cube(completed) if completed is not None else zero
    arrivals = np.where(np.asarray(has_ivr)[:, None, None], ivr_entered, offered)
    asa = optional.get("asa_s")
    agents = None
    if "agents" in optional:
        agents = np.full(shape, np.nan)
        known = ~np.isnan(optional["agents"])
        agents[q[known], d[known], i[known]] = optional["agents"][known]
    return History(
        source=source, kind="intervals", rows=len(frame), queues=queues, first_day=first,
        days=shape[1], grid=grid, arrivals=arrivals, offered=offered, answered=answered,
        abandoned=cube(counts["abandoned"]),
        handle_s=cube(np.nan_to_num(counts["aht_s"]) * counts["answered"]),
        wait_answered_s=(cube(np.nan_to_num(asa) * counts["answered"]) if asa is not None
                         else None),
        agents=agents, ivr_entered=ivr_entered, ivr_completed=ivr_completed, has_ivr=has_ivr,
        contacts=None, grid_note=grid_note,
    )


def _interval_grid(minutes: np.ndarray) -> tuple[Grid, str]:
    """The grid of the interval starts found: the length is their greatest common step."""
    if minutes.size == 1:
        return (Grid(int(minutes[0]), 30, 1),
                "one interval_start only: its length is taken as 30 minutes")
    step = int(np.gcd.reduce(np.diff(minutes)))
    count = int((minutes[-1] - minutes[0]) // step) + 1
    return Grid(int(minutes[0]), step, count), ""


def _read_contacts(path: Path) -> History:
    import pandas as pd

    source = str(path)
    frame, lines = _read_csv(path, CONTACT_COLUMNS)
    problems = _Problems(source)
    text = frame["arrival"]
    arrival = pd.to_datetime(text, format="ISO8601", errors="coerce")
    problems.rows((arrival.isna() & (text != "")).to_numpy(), lines, "arrival",
                  lambda i: f"{text.iat[i]!r} is not a date and time (YYYY-MM-DD HH:MM:SS)")
    problems.rows((text == "").to_numpy(), lines, "arrival", "is empty")
    names = _texts(frame, "queue", lines, problems)
    outcome_text = frame["outcome"].str.lower()
    outcome = np.full(len(frame), -1)
    for code, name in enumerate(OUTCOMES):
        outcome[(outcome_text == name).to_numpy()] = code
    problems.rows(outcome < 0, lines, "outcome",
                  lambda i: f"{frame['outcome'].iat[i]!r} is not one of {', '.join(OUTCOMES)}")
    wait = _numbers(frame, "wait_s", lines, problems, required=False)
    handle = _numbers(frame, "handle_s", lines, problems, required=False)
    queued = (outcome == 0) | (outcome == 1)
    problems.rows(queued & np.isnan(wait) & (frame["wait_s"] == "").to_numpy(), lines,
                  "wait_s", lambda i: f"is empty for an {OUTCOMES[outcome[i]]} contact")
    problems.rows((outcome == 0) & np.isnan(handle) & (frame["handle_s"] == "").to_numpy(),
                  lines, "handle_s", "is empty for an answered contact")
    if problems.lines:
        problems.raise_any()
    _duplicates(frame, list(CONTACT_COLUMNS), lines, problems,
                "the same contact twice; self-served rows may repeat", among=queued)
    problems.raise_any()

    if getattr(arrival.dt, "tz", None) is not None:
        arrival = arrival.dt.tz_localize(None)
    stamp = arrival.to_numpy().astype("datetime64[ms]")
    day_numbers = stamp.astype("datetime64[D]")
    first = day_numbers.min()
    d = (day_numbers - first).astype(int)
    minute = (stamp - day_numbers).astype(np.int64) / 60_000.0
    step = CONTACT_INTERVAL_MINUTES
    start = int(minute.min() // step * step)
    intervals = max(1, math.ceil((minute.max() - start + 1e-9) / step))
    grid = Grid(start, step, intervals)
    i = ((minute - start) // step).astype(int)
    queues, q = _queue_index(names)
    shape = (len(queues), int(d.max()) + 1, intervals)
    answered, abandoned, served = outcome == 0, outcome == 1, outcome == 2
    ones = np.ones(len(frame))
    has_ivr = [bool(served[q == k].any()) for k in range(len(queues))]
    ivr_queue = np.asarray(has_ivr)[q]
    samples = [
        ContactSample(wait=wait[queued & (q == k)], abandoned=abandoned[queued & (q == k)],
                      day=d[queued & (q == k)], handle=handle[answered & (q == k)],
                      handle_interval=i[answered & (q == k)], handle_day=d[answered & (q == k)])
        for k in range(len(queues))
    ]
    return History(
        source=source, kind="contacts", rows=len(frame), queues=queues, first_day=first,
        days=shape[1], grid=grid, arrivals=_cube(q, d, i, shape, ones),
        offered=_cube(q, d, i, shape, queued.astype(float)),
        answered=_cube(q, d, i, shape, answered.astype(float)),
        abandoned=_cube(q, d, i, shape, abandoned.astype(float)),
        handle_s=_cube(q, d, i, shape, np.where(answered, np.nan_to_num(handle), 0.0)),
        wait_answered_s=_cube(q, d, i, shape, np.where(answered, np.nan_to_num(wait), 0.0)),
        agents=None,
        ivr_entered=_cube(q, d, i, shape, ivr_queue.astype(float)),
        ivr_completed=_cube(q, d, i, shape, served.astype(float)),
        has_ivr=has_ivr, contacts=samples,
        grid_note=f"the contacts layout has no intervals: {step}-minute intervals from the "
                  f"earliest arrival's, {grid.start}",
    )
