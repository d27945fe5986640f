"""A content-addressed store: JSON values under ``<cache_dir>/<namespace>/<key[:2]>/<key>.json``.

It knows nothing about markdown, KaTeX or snippets; callers build keys from
exactly the inputs that change a result (jupyter-cache's ``create_hashed_notebook``).
A cache file is never trusted: one that is truncated, corrupted, written by
another format version or stored under the wrong name is ignored (a miss), and
the value is recomputed and written again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

FORMAT = 2
"""Version of the cache file layout; files of any other version are misses."""

_memory: dict[tuple[Path, str], dict] | None = None
"""Values read or written by this process, when it builds again and again (``glossary serve``)."""


def keep_in_memory(enabled: bool = True) -> None:
    """Keep every value read or written in memory too (a long-lived process that rebuilds).

    Values are keyed by their content hash, so a remembered one is as good as the file;
    callers must not change a value they got.
    """
    global _memory
    _memory = {} if enabled else None


def content_key(*parts: object) -> str:
    """Return a stable hash of ``parts`` (JSON-encoded, so order and types matter)."""
    blob = json.dumps([FORMAT, *parts], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def source_digest(*paths: Path) -> str:
    """Return a short hash of source files whose change changes results (the workers' code).

    The generator's version number is not bumped for every edit of the code that
    runs snippets or renders formulas, so that code's own text is in the keys too.
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ContentCache:
    """Read and write cached JSON values; a disabled cache misses and stores nothing."""

    def __init__(self, root: Path, namespace: str, enabled: bool = True):
        self.folder = root / namespace
        self.enabled = enabled

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """Return the value stored under ``key``, or None if missing or not to be trusted."""
        if not self.enabled:
            return None
        if _memory is not None and (self.folder, key) in _memory:
            return _memory[self.folder, key]
        try:
            stored = json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged: recompute
        if (not isinstance(stored, dict) or stored.get("format") != FORMAT
                or stored.get("key") != key or not isinstance(stored.get("value"), dict)):
            return None  # another version's file, or one copied under the wrong name
        _mark_used(self._path(key))
        if _memory is not None:
            _memory[self.folder, key] = stored["value"]
        return stored["value"]

    def put(self, key: str, value: dict) -> None:
        """Store ``value`` atomically: a reader sees the old file or the whole new one."""
        if _memory is not None:
            _memory[self.folder, key] = value
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "key": key, "value": value}, handle,
                          ensure_ascii=False, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def _mark_used(path: Path) -> None:
    """Set a value's modification time to now: ``prune`` deletes what no build has used."""
    with contextlib.suppress(OSError):
        os.utime(path)


PRUNE_MARKER = "last-pruned"
"""File in the cache folder whose modification time says when ``prune`` last ran."""
PRUNE_EVERY = 24 * 3600
"""Seconds between two prunes: a build looks at the whole cache at most once a day."""


@dataclass
class Pruned:
    """What ``prune`` deleted."""

    files: int = 0
    bytes: int = 0


def prune(root: Path, keep_days: int) -> Pruned | None:
    """Delete the cached values no build has read or written for ``keep_days`` days.

    Every read and write sets a value's modification time, so a value older than that
    belongs to an entry, a formula or a template that no longer exists, or to a
    branch nobody has built since (it is made again if needed). Runs at most once
    per ``PRUNE_EVERY``; returns None when it did not run (or ``keep_days`` is 0).
    Call it after a build, which has marked everything it used.
    """
    marker = root / PRUNE_MARKER
    now = time.time()
    try:
        if keep_days <= 0 or now - marker.stat().st_mtime < PRUNE_EVERY:
            return None
    except FileNotFoundError:
        pass  # never pruned: prune now
    oldest = now - keep_days * 24 * 3600
    pruned = Pruned()
    stale = [*root.glob("*/*/*.json"), *root.glob("*/*/*.tmp"), *root.glob("builds/*.json")]
    for path in sorted(stale):
        with contextlib.suppress(OSError):
            found = path.stat()
            if found.st_mtime < oldest:
                path.unlink()
                pruned.files += 1
                pruned.bytes += found.st_size
    with contextlib.suppress(OSError):
        root.mkdir(parents=True, exist_ok=True)
        marker.touch()
    return pruned
