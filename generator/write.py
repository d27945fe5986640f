"""Stage 6: write the site, atomically. The only module that writes into the output folder.

The site is built in a temporary folder beside the output and swapped in only
when everything succeeded, so a failed build leaves the previous site as it was.
A marker file proves a folder is ours; a folder without it is never replaced.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .diagnostics import UsageError
from .emitters import OutputFile

MARKER = ".glossary-site"
MARKER_TEXT = "This folder was written by the concept-glossary generator and is replaced on each build.\n"


def check_output_dir(out: Path) -> None:
    """Refuse an output folder that exists, is not empty, and is not one of ours."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"error: output path '{out}' exists and is not a folder; "
                         "choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(f"error: refusing to build into '{out}': it is not empty and was not "
                         f"created by the glossary generator (no {MARKER} file); choose another "
                         "--out or empty it yourself")


def write_site(out: Path, files: list[OutputFile]) -> list[str]:
    """Write ``files`` into ``out`` (through a staging folder); return the written paths."""
    dests = [f.dest for f in files]
    if len(set(dests)) != len(dests):  # the emit stage reports these; never write one over another
        raise ValueError("two output files share a path")
    check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        written = []
        for file in files:
            target = staging / file.dest
            target.parent.mkdir(parents=True, exist_ok=True)
            if file.content is not None:
                target.write_bytes(file.content)
            else:
                shutil.copyfile(file.source, target)
            written.append(file.dest)
        (staging / MARKER).write_text(MARKER_TEXT, "utf-8")
        os.chmod(staging, 0o755)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(written)


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)  # both renames are within one folder, so each is atomic
    os.rename(staging, out)
    shutil.rmtree(old)
