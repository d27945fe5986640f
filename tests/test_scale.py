"""Scale: a synthetic glossary of 1000 entries builds, map included, and rebuilds as a no-op.

The corpus is the benchmark's (``bench/corpus.py``) with a three-line snippet per
entry, so the test measures the generator, not numpy and matplotlib.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from corpus import make_corpus, write  # noqa: E402

N = 1000


def build(project: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--json", "--jobs", "2", *args],
                          cwd=project, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_a_thousand_entries_build_with_their_map_and_rebuild_as_a_no_op(tmp_path):
    project = write(make_corpus(N, trivial=True), "ours", tmp_path / "project")
    report = build(project)
    assert report["entries"] == N and report["pages"] > N
    assert report["snippets"]["run"] == N
    assert set(report["stages"]) >= {"load", "link", "math", "execute", "render", "emit", "write"}
    site = project / "site"
    assert (site / "map.html").is_file()
    assert len(list((site / "concepts").glob("*.html"))) == N
    again = build(project)
    assert again["up_to_date"] is True and again["stages"].keys() == {"check"}
    assert again["seconds"] < 1.0  # near-constant: stat every input and output, parse nothing
