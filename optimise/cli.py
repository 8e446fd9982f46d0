"""The ``ccsim`` command: the simulator's commands plus the optimiser's.

The CLI is the top layer; it lives here because ``optimise`` drives ``sim`` and not the other
way round.
"""

from __future__ import annotations

from sim.cli import app


def main() -> None:
    """Entry point of the ``ccsim`` console script."""
    app()


__all__ = ["app", "main"]
