"""Every input that changes an output is in a cache key; damaged cache files are never trusted.

Each key part has a test that fails when that part is dropped from the key: the
part is changed (a file edited, a runtime version faked) and the test checks the
build notices (runs or renders again, and the page shows the new result).
"""

from __future__ import annotations

import json
import shutil
from importlib import metadata

import pytest

import generator.assets
import generator.execute
import generator.formulas
import generator.katex
from conftest import entry, soup, write_entries
from generator.cache import FORMAT


def report(glossary, project, *args):
    # These tests are about the caches, which a build uses once it found an input changed:
    # drop the manifest of the last build so that the no-op check (test_noop.py) never stops it.
    shutil.rmtree(project / ".glossary-cache" / "builds", ignore_errors=True)
    run = glossary(project, "build", "--json", *args)
    assert run.code == 0, run.stdout
    return run.report


@pytest.fixture
def project(tmp_path):
    (tmp_path / "macros.tex").write_text("\\newcommand{\\RR}{\\mathbb{R}}\n")
    return write_entries(tmp_path, dict([entry(
        "relu", body="Inline $x^2$ here.", formula="x^2 \\in \\RR",
        code="import sys, numpy\nprint(sys.version_info[:2], numpy.__name__)")]))


def test_a_second_build_is_all_cached(project, glossary):
    first = report(glossary, project)
    assert first["snippets"] == {"run": 1, "cached": 0} and first["formulas"]["rendered"] == 2
    second = report(glossary, project)
    assert second["snippets"] == {"run": 0, "cached": 1}
    assert second["formulas"] == {"rendered": 0, "cached": 2}


# --- snippets ----------------------------------------------------------------------------

@pytest.mark.parametrize("package", ["numpy", "matplotlib"])
def test_a_new_package_version_reruns_the_snippets(project, glossary, monkeypatch, package):
    report(glossary, project)
    real = metadata.version
    monkeypatch.setattr(generator.execute.metadata, "version",
                        lambda name: "99.0" if name == package else real(name))
    assert report(glossary, project)["snippets"] == {"run": 1, "cached": 0}


def test_a_new_python_version_reruns_the_snippets(project, glossary, monkeypatch):
    report(glossary, project)
    monkeypatch.setattr(generator.execute.platform, "python_version", lambda: "3.99.0")
    assert report(glossary, project)["snippets"] == {"run": 1, "cached": 0}


def test_a_new_generator_version_reruns_the_snippets(project, glossary, monkeypatch):
    report(glossary, project)
    monkeypatch.setattr(generator.execute, "__version__", "99.0")
    assert report(glossary, project)["snippets"] == {"run": 1, "cached": 0}


def test_an_edited_snippet_worker_reruns_the_snippets(project, glossary, monkeypatch, tmp_path):
    """Editing the code that runs snippets (without a version bump) must not serve old results."""
    report(glossary, project)
    edited = tmp_path / "snippet_worker.py"
    edited.write_text(generator.execute.WORKER_SOURCES[0].read_text() + "\n# edited\n")
    monkeypatch.setattr(generator.execute, "WORKER_SOURCES",
                        (edited, *generator.execute.WORKER_SOURCES[1:]))
    assert report(glossary, project)["snippets"] == {"run": 1, "cached": 0}


def test_changed_code_reruns_and_shows_the_new_output(project, glossary):
    report(glossary, project)
    write_entries(project, dict([entry("relu", body="Inline $x^2$ here.", formula="x^2 \\in \\RR",
                                       code="print('changed')")]))
    assert report(glossary, project)["snippets"] == {"run": 1, "cached": 0}
    assert soup(project / "site/concepts/relu.html").select_one("pre.output").get_text() == "changed\n"


def test_a_moved_entry_reruns_its_snippets(project, glossary):
    """Tracebacks and __file__-like output name the entry's path, so the path is in the key."""
    report(glossary, project)
    (project / "entries/sub").mkdir()
    (project / "entries/relu.md").rename(project / "entries/sub/relu.md")
    assert report(glossary, project)["snippets"] == {"run": 1, "cached": 0}


@pytest.mark.parametrize("option", [("--memory", "1024"), ("--timeout", "30")])
def test_changed_limits_rerun_the_snippets(project, glossary, option):
    report(glossary, project)
    assert report(glossary, project, *option)["snippets"] == {"run": 1, "cached": 0}


def test_a_passing_result_cached_under_a_large_limit_is_not_trusted_under_a_small_one(tmp_path, glossary):
    hog = "block = bytearray(400 * 1024 * 1024)\nprint(len(block))"
    write_entries(tmp_path, dict([entry("hog", code=hog)]))
    assert glossary(tmp_path, "build", "--memory", "2048").code == 0
    run = glossary(tmp_path, "build", "--json", "--memory", "300")
    assert run.code == 1 and run.report["snippets"]["run"] == 1


# --- formulas ----------------------------------------------------------------------------

def test_editing_the_shared_macros_rerenders_the_formulas(project, glossary):
    report(glossary, project)
    (project / "macros.tex").write_text("\\newcommand{\\RR}{\\mathcal{R}}\n")
    assert report(glossary, project)["formulas"]["rendered"] >= 1
    page = (project / "site/concepts/relu.html").read_text()
    assert "mathcal" in page and "mathbb" not in page


def test_a_new_katex_version_rerenders_the_formulas(project, glossary, monkeypatch):
    report(glossary, project)
    monkeypatch.setattr(generator.assets.JsPackage, "version", property(lambda self: "0.0.1-other"))
    assert report(glossary, project)["formulas"] == {"rendered": 2, "cached": 0}


def test_a_new_generator_version_rerenders_the_formulas(project, glossary, monkeypatch):
    report(glossary, project)
    monkeypatch.setattr(generator.formulas, "__version__", "99.0")
    assert report(glossary, project)["formulas"] == {"rendered": 2, "cached": 0}


def test_an_edited_katex_worker_rerenders_the_formulas(project, glossary, monkeypatch, tmp_path):
    report(glossary, project)
    edited = tmp_path / "katex_worker.js"
    edited.write_text(generator.katex.WORKER.read_text() + "\n// edited\n")
    monkeypatch.setattr(generator.katex, "WORKER", edited)
    assert report(glossary, project)["formulas"] == {"rendered": 2, "cached": 0}


def test_the_same_tex_inline_and_displayed_are_cached_apart(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu", body="Inline $x$ here.", formula="x")]))
    for _ in range(2):  # the second build comes from the cache
        assert glossary(tmp_path, "build").code == 0
        page = soup(tmp_path / "site/concepts/relu.html")
        assert page.select_one(".formula .katex-display") is not None
        assert page.select_one(".body .katex") is not None
        assert page.select_one(".body .katex-display") is None


def test_changed_tex_is_rendered_again(project, glossary):
    report(glossary, project)
    write_entries(project, dict([entry("relu", body="Inline $y^3$ here.", formula="x^2 \\in \\RR",
                                       code="print(1)")]))
    assert report(glossary, project)["formulas"] == {"rendered": 1, "cached": 1}


# --- damaged cache files --------------------------------------------------------------------

def cache_files(project):
    return sorted(p for p in (project / ".glossary-cache").rglob("*.json") if p.parent.name != "builds")


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign-version", "wrong-name",
                                    "not-a-dict", "empty"])
def test_a_damaged_cache_file_is_ignored_and_rewritten(project, glossary, damage):
    first = report(glossary, project)
    pages = {p: p.read_bytes() for p in (project / "site").rglob("*.html")}
    scripts = {p: p.read_bytes() for p in (project / "site/static").glob("*.js")}
    files = cache_files(project)
    minified = [f for f in files if f.parts[-3] == "minified"]
    assert len(minified) == len([p for p in scripts if p.name != "minisearch.js"])
    assert len(files) - len(minified) == 4  # one snippet result, two formulas, one code block
    originals = {path: path.read_text() for path in files}
    for number, path in enumerate(files):
        text = originals[path]
        stored = json.loads(text)
        if damage == "truncate":
            path.write_text(text[:len(text) // 2])
        elif damage == "garbage":
            path.write_bytes(b"\x00\xff" * 50)
        elif damage == "foreign-version":
            path.write_text(json.dumps({**stored, "format": FORMAT + 1,
                                        "value": {"html": "<b>stale</b>", "status": "ok"}}))
        elif damage == "wrong-name":
            path.write_text(originals[files[(number + 1) % len(files)]])
        elif damage == "not-a-dict":
            path.write_text(json.dumps({**stored, "value": ["html"]}))
        else:
            path.write_text("")
    second = report(glossary, project)
    assert second["snippets"] == first["snippets"] and second["formulas"] == first["formulas"]
    assert {p: p.read_bytes() for p in (project / "site").rglob("*.html")} == pages
    assert {p: p.read_bytes() for p in (project / "site/static").glob("*.js")} == scripts
    third = report(glossary, project)  # rewritten: trusted again
    assert third["snippets"] == {"run": 0, "cached": 1}
    assert third["formulas"] == {"rendered": 0, "cached": 2}
