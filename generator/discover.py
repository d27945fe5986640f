"""Stage 1: find the entry files."""

from __future__ import annotations

import os
from pathlib import Path


def discover(entries_dir: Path) -> list[Path]:
    """Return every ``*.md`` file under ``entries_dir``, sorted, hidden folders skipped."""
    found = []
    for folder, subfolders, files in os.walk(entries_dir):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith((".", "_")))
        found.extend(Path(folder) / name for name in files
                     if name.endswith(".md") and not name.startswith((".", "_")))
    return sorted(found, key=lambda p: p.as_posix())


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Return ``path`` as diagnostics show it: relative to the working directory if inside it."""
    cwd = cwd or Path.cwd()
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
