"""The no-op build: nothing changed since the last build into a folder, so nothing is done.

Each test starts from one built copy of the fixture glossary, changes one input
(or none) and says whether the next build must do the work again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_site
from generator import manifest
from generator.config import load_config

HEAVY = ("matplotlib", "numpy", "networkx", "pygments", "markdown_it", "mdit_py_plugins",
         "jinja2", "yaml", "generator.render", "generator.katex", "generator.load")
PROBE = ("import json, sys\n"
         "from generator.cli import main\n"
         "rc = main(['build', '--json', *sys.argv[1:]])\n"
         "print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)\n"
         "sys.exit(rc)\n")


def build(project: Path, *args: str) -> tuple[dict, list[str]]:
    """Build in a fresh interpreter; return its report and the heavy modules it imported."""
    proc = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], cwd=project,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout), json.loads(proc.stderr.strip().splitlines()[-1])


def site_state(site: Path) -> dict[str, tuple[int, bytes]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_site("basic", tmp_path_factory.mktemp("noop") / "template")
    report, _ = build(project)
    assert report["up_to_date"] is False and report["snippets"]["run"] == 6
    return project


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A copy of the built project (site, caches and manifest): each test may change it.

    The manifest is keyed by the output folder's path, so the copy is rebuilt once
    (from the caches: nothing runs) to get its own.
    """
    copy = tmp_path / "project"
    shutil.copytree(built, copy, symlinks=True)
    report, _ = build(copy)
    assert report["snippets"]["run"] == 0 and report["up_to_date"] is False
    return copy


def test_nothing_changed_does_nothing_and_imports_nothing_heavy(project):
    before = site_state(project / "site")
    report, heavy = build(project)
    assert report["up_to_date"] is True
    assert heavy == []
    assert report["js_engine_started"] is False
    # Nothing ran; the counts say every block and formula is the last build's.
    assert report["snippets"]["run"] == 0 and report["snippets"]["cached"] > 0
    assert report["formulas"]["rendered"] == 0 and report["formulas"]["cached"] > 0
    assert (report["entries"], report["pages"]) == (5, 8) or report["pages"] > 5
    assert list(report["stages"]) == ["check"]
    assert site_state(project / "site") == before  # not one file rewritten, not even touched


def test_touched_but_unchanged_files_are_hashed_and_still_up_to_date(project):
    later = time.time_ns() + 5_000_000_000
    for path in (project / "entries").rglob("*.md"):
        os.utime(path, ns=(later, later))
    report, heavy = build(project)
    assert report["up_to_date"] is True and heavy == []


@pytest.mark.parametrize("change", ["edit entry", "add file", "remove entry", "macros", "pyproject",
                                    "output deleted", "output edited", "option"])
def test_a_changed_input_or_output_rebuilds(project, change):
    args: list[str] = []
    entry = project / "entries" / "softmax.md"
    if change == "edit entry":
        entry.write_text(entry.read_text("utf-8").replace("softmax", "softmax ", 1), "utf-8")
    elif change == "add file":  # any file: entries may read data or import code beside them
        (project / "entries" / "optim" / "helper.py").write_text("X = 1\n", "utf-8")
    elif change == "remove entry":
        (project / "entries" / "lonely.md").unlink()
    elif change == "macros":
        with (project / "macros.tex").open("a", encoding="utf-8") as handle:
            handle.write("\\newcommand{\\unused}{u}\n")
    elif change == "pyproject":
        with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n# a comment changes no setting, but the file is an input\n")
    elif change == "output deleted":
        (project / "site" / "index.html").unlink()
    elif change == "output edited":
        with (project / "site" / "index.html").open("a", encoding="utf-8") as handle:
            handle.write("<!-- edited by hand -->")
    elif change == "option":
        args = ["--format", "html,json"]
    report, _ = build(project, *args)
    assert report["up_to_date"] is False
    assert "render" in report["stages"] and "write" in report["stages"]
    again, heavy = build(project, *args)
    assert again["up_to_date"] is True and heavy == []


def test_same_size_edit_that_keeps_the_time_is_caught_when_recent(project):
    """An edit within the file system's time resolution of the last build: the hash decides."""
    entry = project / "entries" / "softmax.md"
    text = entry.read_text("utf-8").replace("softmax", "softmaY", 1)
    entry.write_text(text, "utf-8")
    now = entry.stat().st_mtime_ns
    report, _ = build(project)  # records the entry with a time too recent to trust alone
    assert report["up_to_date"] is False
    entry.write_text(text.replace("softmaY", "softmaX", 1), "utf-8")
    os.utime(entry, ns=(now, now))
    report, _ = build(project)
    assert report["up_to_date"] is False


def test_failed_build_keeps_the_last_manifest(project):
    entry = project / "entries" / "softmax.md"
    text = entry.read_text("utf-8")
    entry.write_text(text.replace("```python\n", "```python\nassert False\n", 1), "utf-8")
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--json"], cwd=project,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    entry.write_text(text, "utf-8")  # back as it was: the site on disk is that build's
    report, heavy = build(project)
    assert report["up_to_date"] is True and heavy == []


def test_no_cache_always_builds(project):
    report, _ = build(project, "--no-cache")
    assert report["up_to_date"] is False and report["snippets"]["run"] == 6


def test_manifest_covers_the_generator_the_runtime_and_stays_out_of_the_site(project):
    config = load_config(project)
    out = project / "site"
    keys = manifest.take_inputs(config, out).files.keys()
    for key in ("generator:build.py", "generator:snippet_worker.py", "generator:templates/base.html",
                "generator:vendor/katex/package.json", "package:numpy", "package:matplotlib",
                "project:macros", "project:pyproject.toml", "entries:softmax.md"):
        assert key in keys
    assert not any(k.startswith("generator:") and "__pycache__" in k for k in keys)
    assert manifest.manifest_path(config, out).is_file()
    assert not [p for p in out.rglob("*") if "manifest" in p.name]
    text = manifest.manifest_path(config, out).read_text("utf-8")
    assert str(project) not in text  # relative paths only
