"""The scenarios bundled with ccsim (package data): ``default`` (the quick start), ``erlang_c``,
``multiskill`` and ``self_service``. Installed, they are found with ``importlib.resources``, so a
wheel works like a checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def names() -> list[str]:
    """The bundled scenarios' names (file names without ``.yaml``), sorted."""
    return sorted(p.name[:-5] for p in files(__name__).iterdir() if p.name.endswith(".yaml"))


def bundled(name: str = "default") -> Path:
    """The path of the bundled scenario ``name`` (``default``, ``erlang_c``, ...)."""
    path = Path(str(files(__name__) / f"{name}.yaml"))
    if not path.is_file():
        raise FileNotFoundError(f"no bundled scenario {name!r} (bundled: {', '.join(names())})")
    return path
