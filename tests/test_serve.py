"""`glossary serve` without a browser: path safety and the live-reload status."""

from __future__ import annotations

import os

import pytest

from conftest import entry, write_entries
from generator.serve import BuildState, rebuild, safe_path
from generator.config import load_config


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "concepts").mkdir(parents=True)
    (root / "index.html").write_text("home")
    (root / "concepts/a.html").write_text("a")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", root / "link.txt")
    return root


@pytest.mark.parametrize("url, expected", [
    ("/", ""),
    ("/index.html", "index.html"),
    ("/concepts/a.html", "concepts/a.html"),
    ("/concepts/../index.html", None),
    ("/../secret.txt", None),
    ("/%2e%2e/secret.txt", None),
    ("/%252e%252e/secret.txt", None),
    ("/..%2fsecret.txt", None),
    ("/concepts/..%5c..%5csecret.txt", None),
    ("/link.txt", None),
    ("/index.html%00.txt", None),
])
def test_safe_path_refuses_everything_outside_the_site(site, url, expected):
    found = safe_path(site, url)
    if expected is None:
        assert found is None
    else:
        assert found == (site / expected).resolve()


def test_rebuild_records_errors_then_recovers(tmp_path):
    write_entries(tmp_path, dict([entry("relu")]))
    config = load_config(tmp_path)
    state = BuildState()
    assert rebuild(config, state) is True
    assert state.snapshot() == {"build": 1, "errors": []}
    write_entries(tmp_path, dict([entry("relu", body="[[nowhere]]")]))
    assert rebuild(config, state) is False
    snap = state.snapshot()
    assert snap["build"] == 2 and "unknown link target 'nowhere'" in snap["errors"][0]
    assert (tmp_path / "site/concepts/relu.html").is_file()  # the last good site stays
    write_entries(tmp_path, dict([entry("relu")]))
    assert rebuild(config, state) is True
    assert state.snapshot()["errors"] == []
