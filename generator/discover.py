"""Stage 1: find the entry files.

Entries arrive by pull request, so the tree is untrusted: a symbolic link that
leads out of the entries folder is refused (never read: in a PR build it could
publish any file the runner can read), and so is anything that is not a regular
file (a FIFO would hang the build).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .diagnostics import Reporter, SourcePos


def discover(entries_dir: Path, reporter: Reporter | None = None) -> list[Path]:
    """Return every ``*.md`` file under ``entries_dir``, sorted, hidden folders skipped.

    Links that resolve inside the folder are followed; links that lead outside it,
    and entries that are not regular files, are reported to ``reporter`` and skipped.
    """
    root = entries_dir.resolve()
    found = []
    for folder, subfolders, files in os.walk(entries_dir):
        kept = []
        for name in sorted(d for d in subfolders if not d.startswith((".", "_"))):
            path = Path(folder) / name
            if path.is_symlink():
                _refuse_folder_link(path, root, reporter)
            else:
                kept.append(name)
        subfolders[:] = kept
        for name in files:
            if not name.endswith(".md") or name.startswith((".", "_")):
                continue
            path = Path(folder) / name
            problem = _file_problem(path, root)
            if problem is None:
                found.append(path)
            elif reporter is not None:
                reporter.error(SourcePos(_shown(path), 1, 1), problem)
    return sorted(found, key=lambda p: p.as_posix())


def _refuse_folder_link(path: Path, root: Path, reporter: Reporter | None) -> None:
    """Report a linked folder that leads outside; one that stays inside is already walked."""
    if reporter is not None and not _inside(path, root):
        reporter.error(SourcePos(_shown(path), 1, 1),
                       f"symbolic link to a folder outside the entries folder "
                       f"({os.readlink(path)}): refused; move the entries into "
                       f"'{display_path(root)}' instead")


def _file_problem(path: Path, root: Path) -> str | None:
    if path.is_symlink() and not _inside(path, root):
        return (f"symbolic link to a file outside the entries folder ({os.readlink(path)}): "
                "refused, nothing was read; copy the entry into the folder instead")
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read the entry: {exc.strerror}"
    if not stat.S_ISREG(mode):
        return "not a regular file: an entry must be a plain markdown file"
    return None


def _shown(path: Path) -> str:
    """Return the link's own path as diagnostics show it (not where it points)."""
    return f"{display_path(path.parent)}/{path.name}"


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):  # outside, or a link loop
        return False


def display_path(path: Path, cwd: Path | None = None) -> str:
    """Return ``path`` as diagnostics show it: relative to the working directory if inside it."""
    cwd = cwd or Path.cwd()
    try:
        return path.resolve().relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
