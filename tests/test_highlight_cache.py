"""Highlighted code is cached by its code, language, Pygments' version and the highlighter's text."""

from __future__ import annotations

import shutil

import generator.markdown
from conftest import entry, write_entries

CODE = "def f(x):\n    return [x * 2 for x in range(3)]  # a comment\nprint(f(1))"


def build(glossary, project):
    shutil.rmtree(project / ".glossary-cache" / "builds", ignore_errors=True)  # past the no-op check
    run = glossary(project, "build", "--json")
    assert run.code == 0, run.stdout + run.stderr
    return (project / "site" / "concepts" / "relu.html").read_bytes()


def highlight_files(project):
    return sorted((project / ".glossary-cache" / "highlight").rglob("*.json"))


def test_cached_highlighting_gives_the_same_page_and_is_used(tmp_path, glossary, monkeypatch):
    project = write_entries(tmp_path, dict([entry("relu", code=CODE)]))
    first = build(glossary, project)
    assert len(highlight_files(project)) == 1
    assert b'<span class="k">def</span>' in first
    calls = []
    real = generator.markdown.highlight
    monkeypatch.setattr(generator.markdown, "highlight", lambda *a: calls.append(a) or real(*a))
    assert build(glossary, project) == first
    assert calls == []  # taken from the cache


def test_a_new_pygments_version_or_damaged_file_highlights_again(tmp_path, glossary, monkeypatch):
    project = write_entries(tmp_path, dict([entry("relu", code=CODE)]))
    first = build(glossary, project)
    highlight_files(project)[0].write_text('{"format": 2, "key": "x", "value": {"html": "<b>stale</b>"}}')
    assert build(glossary, project) == first
    monkeypatch.setattr(generator.markdown, "_highlight_salt", ("99.0", "other"))
    assert build(glossary, project) == first
    assert len(highlight_files(project)) == 2
