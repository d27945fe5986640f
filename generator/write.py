"""Stage 6: write the site, atomically. The only module that writes into the output folder.

The site is built in a temporary folder beside the output and swapped in only
when everything succeeded, so a failed build leaves the previous site as it was.
The swap is one atomic exchange of the two folders (``renameat2``), so a build
killed at any moment (SIGKILL included) leaves the previous site byte-identical;
the next build removes what the killed one left behind. Builds into one folder
take turns (a lock on its parent folder), so two never mix their files.
A marker file proves a folder is ours; a folder without it is never replaced.
A file whose bytes the last build already wrote (same SHA-256, same size on disk) is
not written again: the staging folder gets a hard link to it, so an edit rewrites
only the files it changed (and keeps the others' times for browsers and rsync).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import os
import shutil
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .diagnostics import UsageError

if TYPE_CHECKING:
    from .emitters import OutputFile

LOCK_WAIT = 600.0
"""Seconds a build waits for another build writing into the same folder."""

_remove_in_background = False
"""Delete the previous site in a background thread (``glossary serve``: the page is ready
as soon as the new folder is in place; a leftover is removed by the next build)."""

MARKER = ".glossary-site"
MARKER_TEXT = "This folder was written by the concept-glossary generator and is replaced on each build.\n"


def remove_old_sites_in_background(enabled: bool = True) -> None:
    """Let a long-lived process (``glossary serve``) delete each previous site in a thread."""
    global _remove_in_background
    _remove_in_background = enabled


def _remove(folder: Path) -> None:
    if _remove_in_background:
        threading.Thread(target=delete_ours, args=(folder,), daemon=True).start()
    else:
        delete_ours(folder)


def delete_ours(folder: Path) -> None:
    """Delete one of our folders with its marker last: a build killed at any moment leaves a
    folder still marked as ours, which the next build deletes (``_remove_leftovers``), or an
    empty one. (``shutil.rmtree`` could take the marker first and leave an unmarked rest.)"""
    with contextlib.suppress(OSError):
        for child in folder.iterdir():
            if child.name == MARKER:
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        if any(child.name != MARKER for child in folder.iterdir()):
            return  # something could not go: keep the mark, a later build tries again
        (folder / MARKER).unlink(missing_ok=True)
        folder.rmdir()


def check_output_dir(out: Path) -> None:
    """Refuse an output folder that exists, is not empty, and is not one of ours."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"error: output path '{out}' exists and is not a folder; "
                         "choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(f"error: refusing to build into '{out}': it is not empty and was not "
                         f"created by the glossary generator (no {MARKER} file); choose another "
                         "--out or empty it yourself")


@contextlib.contextmanager
def output_lock(out: Path, wait: float = LOCK_WAIT):
    """Hold the lock of ``out``'s parent folder: one build writes there at a time.

    The lock is an ``flock`` on the folder itself (no lock file to leave behind);
    the kernel releases it when the build ends, however it ends.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out.parent, os.O_RDONLY)
    try:
        deadline, told = time.monotonic() + wait, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise UsageError(f"error: another glossary build is still writing into "
                                     f"'{out}' after {wait:g} s; try again when it has finished") from None
                if not told:
                    print(f"glossary: waiting for another build writing into '{out}' to finish",
                          file=sys.stderr, flush=True)
                    told = True
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def write_site(out: Path, files: list[OutputFile],
               on_written: Callable[[dict[str, str]], None] | None = None,
               previous: dict[str, str] | None = None) -> list[str]:
    """Write ``files`` into ``out`` (through a staging folder); return the written paths.

    :param on_written: called with every written path and the SHA-256 of its bytes once
        the new site is in place, still under the folder's lock (the build records its
        manifest there).
    :param previous: path -> SHA-256 of the files the last build wrote into ``out``;
        those with the same bytes are linked, not written again.
    """
    dests = [f.dest for f in files]
    if len(set(dests)) != len(dests):  # the emit stage reports these; never write one over another
        raise ValueError("two output files share a path")
    with output_lock(out):
        check_output_dir(out)
        _remove_leftovers(out)
        written = _write_and_swap(out, files, previous or {})
        if on_written is not None:
            on_written(written)
        return sorted(written)


def _remove_leftovers(out: Path) -> None:
    """Delete staging folders of builds that were killed (ours: they hold the marker)."""
    for prefix in (f".{out.name}-new-", f".{out.name}-old-"):
        for folder in out.parent.glob(prefix + "*"):
            if not folder.is_dir() or folder.is_symlink():
                continue
            if (folder / MARKER).is_file():
                delete_ours(folder)
            else:  # killed before its marker was written, or after it went: empty, if ours
                with contextlib.suppress(OSError):
                    folder.rmdir()


def _write_and_swap(out: Path, files: list[OutputFile], previous: dict[str, str]) -> dict[str, str]:
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    (staging / MARKER).write_text(MARKER_TEXT, "utf-8")  # first: a leftover is recognisably ours
    try:
        written: dict[str, str] = {}
        folders: set[Path] = set()
        for file in files:
            target = staging / file.dest
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            data = file.content if file.content is not None else file.source.read_bytes()
            digest = written[file.dest] = hashlib.sha256(data).hexdigest()
            unchanged = previous.get(file.dest) == digest
            if not unchanged or not _link_unchanged(out / file.dest, target, len(data)):
                target.write_bytes(data)
        (staging / MARKER).write_text(MARKER_TEXT, "utf-8")
        os.chmod(staging, 0o755)
        _swap(staging, out)
    except BaseException:
        delete_ours(staging)
        raise
    return written


def _link_unchanged(old: Path, target: Path, size: int) -> bool:
    """Hard-link the last build's file (its bytes are the new ones) into the staging folder."""
    try:
        st = os.lstat(old)
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return False  # replaced or changed by hand since: write it again
        os.link(old, target)
        return True
    except OSError:
        return False  # a file system without hard links: write it


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux ``renameat2``); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        _remove(staging)  # it now holds the previous site
        return
    # Elsewhere two renames: a kill between them leaves the previous site beside the output.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)  # both renames are within one folder, so each is atomic
    os.rename(staging, out)
    _remove(old)
