"""A build killed at any moment, two builds at once: the site is always one whole build."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import copy_site, entry, write_entries
from generator.diagnostics import UsageError
from generator import write
from generator.write import MARKER, MARKER_TEXT, output_lock

KILLER = textwrap.dedent("""
    import os, shutil, signal, sys
    from pathlib import Path
    import generator.write as write

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    point = sys.argv[1]
    if point == "pages":  # in the middle of writing the new site
        count, real = [0], Path.write_bytes
        def write_bytes(self, data):
            count[0] += 1
            if count[0] == 4:
                die()
            return real(self, data)
        Path.write_bytes = write_bytes
    elif point == "before-swap":
        write._swap = die
    elif point == "mid-swap":  # where renames are two steps: after the first
        real_rename = write.os.rename
        def rename(a, b):
            real_rename(a, b)
            if Path(b).name.startswith(".site-old-"):
                die()
        write.os.rename = rename
    elif point == "after-exchange":  # the new site is in place, the old one not yet removed
        real_exchange = write._exchange
        def exchange(a, b):
            real_exchange(a, b)
            die()
        write._exchange = exchange
    from generator.cli import main
    sys.exit(main(["build", "--json"]))
""")


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "build", *args], cwd=project,
                          capture_output=True, text=True, timeout=300)


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name.startswith(".site-"))


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """A project built at version 1, and the site version 2 of its entries must give."""
    base = tmp_path_factory.mktemp("safety")
    project = copy_site("basic", base / "project")
    assert build(project).returncode == 0
    reference = copy_site("basic", base / "reference")
    edit(reference)
    assert build(reference).returncode == 0
    return project, snapshot(project / "site"), snapshot(reference / "site")


def edit(project: Path) -> None:
    path = project / "entries/softmax.md"
    path.write_text(path.read_text().replace("title: Softmax", "title: Softmax, version two"))


@pytest.mark.slow
@pytest.mark.parametrize("point", ["pages", "before-swap", "mid-swap", "after-exchange"])
def test_a_build_killed_at_each_write_step_leaves_one_whole_site(versions, tmp_path, point):
    _, old, new = versions
    project = copy_site("basic", tmp_path / "project")
    assert build(project).returncode == 0
    assert snapshot(project / "site") == old
    edit(project)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    killed = subprocess.run([sys.executable, str(script), point], cwd=project,
                            capture_output=True, timeout=300)
    # "mid-swap" is never reached where the swap is one atomic exchange: the build ends.
    assert killed.returncode == (0 if point == "mid-swap" else -9)
    expected = new if point == "after-exchange" or killed.returncode == 0 else old
    assert snapshot(project / "site") == expected
    assert build(project).returncode == 0  # the next build is correct and cleans up
    assert snapshot(project / "site") == new
    assert leftovers(project) == []


@pytest.mark.slow
def test_a_build_killed_at_random_moments_never_leaves_a_mixed_site(versions, tmp_path):
    _, old, new = versions
    project = copy_site("basic", tmp_path / "project")
    assert build(project).returncode == 0
    edit(project)
    started = time.monotonic()
    assert build(project, "--no-cache").returncode == 0
    duration = time.monotonic() - started
    edit_back = (project / "entries/softmax.md")
    edit_back.write_text(edit_back.read_text().replace(", version two", ""))
    assert build(project).returncode == 0
    seen = set()
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.0):
        edit(project)
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--no-cache"],
                                cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.kill()
        proc.wait()
        site = snapshot(project / "site")
        assert site in (old, new), f"mixed site after a kill at {fraction:.0%} of a build"
        seen.add("new" if site == new else "old")
        edit_back.write_text(edit_back.read_text().replace(", version two", ""))
        assert build(project).returncode == 0
        assert snapshot(project / "site") == old and leftovers(project) == []
    assert "old" in seen


def test_a_second_build_waits_for_the_first(tmp_path):
    write_entries(tmp_path, dict([entry("relu")]))
    assert build(tmp_path).returncode == 0
    with output_lock(tmp_path / "site"):  # a build that is writing right now
        write_entries(tmp_path, dict([entry("relu", title="Second")]))
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        line = ""
        while "waiting" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        assert "waiting for another build writing into" in line
        time.sleep(0.5)
        assert proc.poll() is None
        assert "Second" not in (tmp_path / "site/concepts/relu.html").read_text()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "<h1>Second</h1>" in (tmp_path / "site/concepts/relu.html").read_text()


def test_a_build_that_waited_too_long_refuses_clearly(tmp_path):
    with output_lock(tmp_path / "site"):
        with pytest.raises(UsageError, match="another glossary build is still writing into"):
            with output_lock(tmp_path / "site", wait=0.3):
                pass


@pytest.mark.slow
def test_two_builds_at_once_give_one_whole_site(tmp_path):
    project = copy_site("basic", tmp_path / "project")
    reference = copy_site("basic", tmp_path / "reference")
    assert build(reference).returncode == 0
    procs = [subprocess.Popen([sys.executable, "-m", "generator", "build"], cwd=project,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(3)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    assert snapshot(project / "site") == snapshot(reference / "site")
    assert leftovers(project) == []


def _old_site(folder: Path) -> Path:
    (folder / "concepts").mkdir(parents=True)
    for number in range(12):
        (folder / f"page-{number}.html").write_text("old", "utf-8")
    (folder / "concepts/a.html").write_text("old", "utf-8")
    (folder / MARKER).write_text(MARKER_TEXT, "utf-8")
    return folder


def test_an_old_site_loses_its_marker_last(tmp_path, monkeypatch):
    """Deleting the previous site can be killed at any moment; until the very end the folder
    must keep the marker that lets the next build know it is ours and delete the rest."""
    old = _old_site(tmp_path / ".site-old-abc")
    unlinked = []
    real_unlink = os.unlink
    monkeypatch.setattr(os, "unlink", lambda path, *a, **kw: (unlinked.append(Path(path).name),
                                                              real_unlink(path, *a, **kw)))
    write.delete_ours(old)
    assert not old.exists()
    assert len(unlinked) == 14 and unlinked[-1] == MARKER


def test_the_next_build_deletes_what_a_killed_one_left_and_nothing_else(tmp_path):
    write_entries(tmp_path, dict([entry("relu")]))
    half_deleted = _old_site(tmp_path / ".site-old-half")
    (half_deleted / "page-3.html").unlink()
    empty = tmp_path / ".site-new-empty"  # killed before its marker was written
    empty.mkdir()
    foreign = tmp_path / ".site-new-mine"  # not ours: no marker, not empty
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", "utf-8")
    assert build(tmp_path).returncode == 0
    assert not half_deleted.exists() and not empty.exists()
    assert (foreign / "notes.txt").read_text("utf-8") == "keep me"
