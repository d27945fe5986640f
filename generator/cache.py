"""A content-addressed store: JSON values under ``<cache_dir>/<namespace>/<key[:2]>/<key>.json``.

It knows nothing about markdown, KaTeX or snippets; callers build keys from
exactly the inputs that change a result (jupyter-cache's ``create_hashed_notebook``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def content_key(*parts: object) -> str:
    """Return a stable hash of ``parts`` (JSON-encoded, so order and types matter)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ContentCache:
    """Read and write cached JSON values; a disabled cache misses and stores nothing."""

    def __init__(self, root: Path, namespace: str, enabled: bool = True):
        self.folder = root / namespace
        self.enabled = enabled

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if not self.enabled:
            return None
        try:
            return json.loads(self._path(key).read_text("utf-8"))
        except (OSError, ValueError):
            return None  # missing or damaged: recompute

    def put(self, key: str, value: dict) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, path)
