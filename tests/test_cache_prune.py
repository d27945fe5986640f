"""The cache cleans itself: values no build has used for ``cache_keep_days`` go, once a day."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_site
from generator.cache import PRUNE_MARKER
from test_site import build

DAY = 24 * 3600


def _cached_values(project: Path) -> list[Path]:
    return sorted(p for p in (project / ".glossary-cache").rglob("*.json"))


def _age_everything(project: Path, days: float) -> None:
    """Make every cached value and the prune marker look ``days`` old."""
    then = time.time() - days * DAY
    for path in (project / ".glossary-cache").rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def _stray_value(project: Path) -> Path:
    """A formula value no entry has any more (as after an edit of its TeX)."""
    stray = project / ".glossary-cache/katex/ff" / ("ff" + "0" * 62 + ".json")
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("{}", "utf-8")
    return stray


def _edit_prose(project: Path, words: str) -> None:
    page = project / "entries/softmax.md"
    page.write_text(page.read_text("utf-8") + f"\n{words}\n", "utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    project = copy_site("basic", tmp_path / "project")
    build(project)
    return project


def test_a_build_deletes_what_no_build_used_and_keeps_what_it_used(project):
    stray = _stray_value(project)
    _age_everything(project, 40)
    _edit_prose(project, "An added sentence.")
    report = build(project)
    assert not stray.exists()
    assert report["cache_pruned"]["files"] >= 3  # the stray, softmax's old render and page
    # What survived is exactly what this build read or wrote: every value is fresh.
    stale = [p for p in _cached_values(project) if p.stat().st_mtime < time.time() - DAY]
    assert stale == []
    # Nothing the site needs was deleted: a build without the manifest makes nothing again.
    (project / ".glossary-cache/builds").joinpath(
        next((project / ".glossary-cache/builds").iterdir()).name).unlink()
    again = build(project)
    assert again["snippets"]["run"] == 0 and again["formulas"]["rendered"] == 0
    assert {kind: counts["made"] for kind, counts in again["reused"].items()} == {
        kind: 0 for kind in again["reused"]}


def test_the_cache_is_looked_over_at_most_once_a_day(project):
    _stray_value(project)
    _age_everything(project, 40)
    (project / ".glossary-cache" / PRUNE_MARKER).touch()  # pruned an instant ago
    _edit_prose(project, "Another sentence.")
    report = build(project)
    assert report["cache_pruned"] is None
    assert (project / ".glossary-cache/katex/ff").is_dir()


def test_recent_values_stay_and_zero_days_keeps_everything(project):
    stray = _stray_value(project)
    _age_everything(project, 20)  # younger than the 30 days kept by default
    _edit_prose(project, "A third sentence.")
    assert build(project)["cache_pruned"] == {"files": 0, "bytes": 0}
    assert stray.exists()
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8") + "cache_keep_days = 0\n", "utf-8")
    _age_everything(project, 400)
    _edit_prose(project, "A fourth sentence.")
    assert build(project)["cache_pruned"] is None
    assert stray.exists()


def test_a_negative_keep_is_a_usage_error(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8") + "cache_keep_days = -3\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=project,
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert ("pyproject.toml: error: [tool.glossary] 'cache_keep_days' must be 0 (keep "
            "everything) or a number of days, not -3") in proc.stderr
    assert "Traceback" not in proc.stderr
