"""`pytest entries/` collects each entry as a test item named after it."""

from __future__ import annotations

import subprocess
import sys

from conftest import entry, write_entries


def test_pytest_collects_and_runs_entries(tmp_path):
    write_entries(tmp_path, dict([
        entry("good", code="assert sum([1, 2]) == 3"),
        entry("bad", code="x = 1\nassert x == 2, 'x is not two'"),
    ]))
    (tmp_path / "entries/notes.txt").write_text("not an entry")
    (tmp_path / "pyproject.toml").write_text("[tool.glossary]\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "entries", "-v", "-p", "no:cacheprovider"],
                          cwd=tmp_path, capture_output=True, text=True)
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "entries/good.md::good PASSED" in out
    assert "entries/bad.md::bad FAILED" in out
    assert "entries/bad.md:12: error: AssertionError: x is not two" in out
    assert "1 failed, 1 passed" in out


def test_markdown_outside_the_entries_folder_is_not_collected(tmp_path):
    write_entries(tmp_path, dict([entry("good")]))
    (tmp_path / "README.md").write_text("# not an entry\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "README.md", "-p", "no:cacheprovider"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode in (4, 5), proc.stdout  # nothing collected
    assert "passed" not in proc.stdout


def test_a_project_without_a_glossary_section_is_left_alone(tmp_path):
    """Another project's entries/monday.md is not ours to collect (plugin is installed globally)."""
    write_entries(tmp_path, dict([entry("monday", code="assert False")]))
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'diary'\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "entries", "-p", "no:cacheprovider"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 5, proc.stdout  # no tests: nothing of ours was collected
    assert "monday" not in proc.stdout
