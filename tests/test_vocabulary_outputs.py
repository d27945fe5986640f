"""Vocabulary as configuration, outputs as emitters: a project that extends the glossary's
vocabulary, the JSON and Anki formats, clashing outputs, themes and CI annotations."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from xml.etree import ElementTree
from pathlib import Path

import pytest

from conftest import copy_site, entry, soup, write_entries
from generator.diagnostics import Diagnostic, SourcePos, annotation, print_diagnostics
from test_site import build


@pytest.fixture(scope="module")
def extended(tmp_path_factory) -> Path:
    project = copy_site("extended", tmp_path_factory.mktemp("extended") / "project")
    report = build(project, "--format", "html,json,anki")
    assert report["entries"] == 2 and not report["diagnostics"], report
    return project / "site"


def relations(site: Path, slug: str) -> dict[str, list[str]]:
    page = soup(site / f"concepts/{slug}.html")
    return {dt.get_text(): [a.get_text() for a in dt.find_next_sibling("dd").select("a")]
            for dt in page.select(".relations dt")}


def test_a_configured_relation_kind_shows_on_both_pages(extended):
    assert relations(extended, "warm-front")["Contrasts with"] == ["Cold front"]
    assert relations(extended, "cold-front")["Contrasts with"] == ["Warm front"]
    dt = soup(extended / "concepts/cold-front.html").select_one("dt.rel-contrasts_with")
    assert dt is not None


def test_the_map_legend_and_strokes_come_from_the_vocabulary(extended):
    page = soup(extended / "map.html")
    legend = [li.contents[1].strip() for li in page.select(".legend li")]
    assert "contrasts with" in legend and "uses / used by" in legend
    assert page.select_one(".concept-map path.edge-contrasts_with") is not None
    css = (extended / "static/vocabulary.css").read_text()
    assert (".edge-contrasts_with { stroke: #b26b00; stroke: light-dark(#b26b00, #ffb86b); "
            "stroke-width: 1.4; stroke-dasharray: 5 2; }") in css


def test_a_fourth_road_and_a_project_field_and_the_subject(extended):
    index = soup(extended / "index.html")
    roads = [h.get_text() for h in index.select(".roads h2")]
    assert roads == ["Abstraction", "Chunking", "Action", "Intuition"]
    assert "concepts of weather" in index.select_one(".intro").get_text()
    assert "What does it feel like?" in soup(extended / "roads.html").select_one("#intuition").get_text()
    warm = soup(extended / "concepts/warm-front.html")
    assert warm.select_one(".breadcrumbs li").get_text() == "Intuition road"
    assert "Drizzle first" in warm.select_one(".field-rule_of_thumb").get_text()


def test_theme_templates_and_static_files_override_ours(extended):
    assert soup(extended / "404.html").h1.get_text() == "Lost in the weather"
    assert (extended / "static/extra.css").is_file()
    assert (extended / "static/style.css").is_file()  # the rest stays ours


def test_json_export_is_one_versioned_document(extended):
    doc = json.loads((extended / "glossary.json").read_text("utf-8"))
    assert doc["format"] == "concept-glossary" and doc["format_version"] == 1
    assert [k["key"] for k in doc["relation_kinds"]][-1] == "contrasts_with"
    warm = next(e for e in doc["entries"] if e["slug"] == "warm-front")
    assert warm["relations"]["contrasts_with"] == {"out": ["cold-front"], "in": []}
    cold = next(e for e in doc["entries"] if e["slug"] == "cold-front")
    assert cold["relations"]["contrasts_with"]["in"] == ["warm-front"]
    assert warm["formula"]["tex"].startswith("T_")
    # Pages leave <math>'s namespace to the HTML parser; the export declares it, for XML readers.
    mathml = ElementTree.fromstring(warm["formula"]["mathml"])
    assert mathml.tag == "{http://www.w3.org/1998/Math/MathML}math"
    assert warm["snippets"][0]["code"] == "assert 2 > 1\n" and warm["snippets"][0]["run"]
    assert warm["fields"] == {"rule_of_thumb": "Drizzle first, then warmth."}


def test_anki_deck_has_one_note_per_entry_with_stable_ids(extended, tmp_path):
    data = (extended / "glossary.apkg").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as deck:
        (tmp_path / "c.anki2").write_bytes(deck.read("collection.anki2"))
        media = json.loads(deck.read("media"))
    assert "_katex.min.css" in media.values()
    db = sqlite3.connect(tmp_path / "c.anki2")
    notes = db.execute("select guid, flds from notes order by sfld").fetchall()
    assert len(notes) == 2
    fields = notes[0][1].split("\x1f")
    assert fields[0] == "cold-front" and fields[2] == "cold air pushing"
    assert 'class="katex' in fields[1] and "<a " not in fields[1]
    import genanki
    assert notes[0][0] == genanki.guid_for("Glossary of Weather", "cold-front")


def test_outputs_are_reproducible(extended, tmp_path):
    again = copy_site("extended", tmp_path / "again")
    build(again, "--format", "html,json,anki", "--no-cache")
    for name in ("glossary.apkg", "glossary.json", "concepts/warm-front.html", "static/vocabulary.css"):
        assert (again / "site" / name).read_bytes() == (extended / name).read_bytes(), name


def test_two_outputs_at_one_path_are_an_error_naming_both(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu", tags="[ML]"), entry("gelu", tags="[ml]")]))
    run = glossary(tmp_path, "build")
    assert run.code == 1
    assert ("entries/gelu.md:6:8: error: two outputs at 'tags/ml.html': the page of tag 'ML' "
            "and the page of tag 'ml'; rename one of them") in run.diagnostics
    assert not (tmp_path / "site").exists()


def test_unknown_format_is_a_usage_error(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    run = glossary(tmp_path, "build", "--format", "pdf")
    assert run.code == 2 and "unknown format pdf" in run.stderr


def test_github_actions_annotations(monkeypatch):
    diagnostic = Diagnostic(SourcePos("entries/a b.md", 3, 7), "error", "unknown key 'x': 50%")
    assert annotation(diagnostic) == "::error file=entries/a b.md,line=3,col=7::unknown key 'x': 50%25"
    out = io.StringIO()
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    print_diagnostics([diagnostic], out)
    assert out.getvalue().splitlines() == [diagnostic.format(), annotation(diagnostic)]
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    out = io.StringIO()
    print_diagnostics([diagnostic], out)
    assert out.getvalue().splitlines() == [diagnostic.format()]


def test_a_bad_vocabulary_extension_is_a_usage_error(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.glossary.relations.rivals]\nsymmetric = "yes"\n'
        '[tool.glossary.roads.feel]\nname = "Feel"\n')
    run = glossary(tmp_path, "check")
    assert run.code == 2
    assert "relations.rivals: a new relation kind needs a 'label'" in run.stderr
    assert "roads.feel: a new road needs a one-line 'meaning'" in run.stderr
