"""Errors for people, tracebacks for developers: how every command ends when something fails.

Bad input (``ScenarioError``) is one line per problem and exit 2. Anything else is a bug in
ccsim: exit 1 with the error, the last frame of ccsim's own code and a hint; ``--debug`` (or
``CCSIM_DEBUG=1``) shows the whole traceback instead.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import typer

F = TypeVar("F", bound=Callable[..., Any])

_debug = False


class Terminated(BaseException):
    """SIGTERM, raised where the command is, so that its clean-up runs (a temporary result
    folder removed, worker processes stopped) exactly as for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated


def handle_sigterm() -> None:
    """Turn SIGTERM into ``Terminated`` in this (the main) process."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def set_debug(on: bool) -> None:
    """Show full tracebacks of internal errors (the ``--debug`` option)."""
    global _debug
    _debug = on


def debugging() -> bool:
    """True when internal errors should show their whole traceback."""
    return _debug or os.environ.get("CCSIM_DEBUG", "") not in ("", "0")


def _frames(exc: BaseException) -> list[tuple[str, int, str]]:
    """(file, line, function) of every frame, innermost last. An error raised in a worker
    process carries the worker's traceback as text in its cause (``_RemoteTraceback``): those
    frames are the inner ones."""
    frames = [(f.filename, f.lineno or 0, f.name) for f in traceback.extract_tb(exc.__traceback__)]
    cause = exc.__cause__
    if cause is not None and type(cause).__name__ == "_RemoteTraceback":
        frames += [(path, int(line), name) for path, line, name in
                   re.findall(r'File "([^"]+)", line (\d+), in (\S+)', str(cause))]
    return frames


def _own_frame(exc: BaseException) -> tuple[str, int, str] | None:
    """The innermost frame (file, line, function) that lies in ccsim's own code."""
    from ccsim import optimise, sim  # the mapped sub-packages live in folders of their own

    roots = {Path(p).resolve() for m in (sim, optimise) for p in m.__path__}
    roots.add(Path(__file__).resolve().parent)
    own = None
    for frame in _frames(exc):
        path = Path(frame[0]).resolve()
        if any(root in path.parents for root in roots):
            own = frame
    return own


def internal_error(exc: BaseException) -> None:
    """Report a bug: the error, where in ccsim it happened and what to do next."""
    if debugging():
        traceback.print_exception(type(exc), exc, exc.__traceback__)
        return
    typer.echo(f"ccsim: internal error: {type(exc).__name__}: {exc}", err=True)
    frame = _own_frame(exc)
    if frame is not None:
        typer.echo(f"  at {frame[0]}:{frame[1]} in {frame[2]}", err=True)
    typer.echo("  this is a bug in ccsim: run again as `ccsim --debug COMMAND ...` (or with "
               "CCSIM_DEBUG=1) for the full traceback, and report it", err=True)


def guarded(command: F) -> F:
    """Turn bad input into exit 2 with its message, anything unexpected into exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ccsim.sim.loader import ScenarioError  # here, not at start-up: it loads pydantic

        try:
            return command(*args, **kwargs)
        except ScenarioError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort):
            raise
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None
        except Terminated:
            typer.echo("terminated", err=True)
            raise typer.Exit(143) from None
        except Exception as exc:  # an internal error: say so plainly, once
            internal_error(exc)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
