"""Cross-links both ways, the concept map, hover-card data and the search index."""

from __future__ import annotations

import json
import re

import pytest
from bs4 import BeautifulSoup

from conftest import copy_site, soup
from test_site import build


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = copy_site("basic", tmp_path_factory.mktemp("links") / "project")
    build(project)
    return project / "site"


def relations(site, slug: str) -> dict[str, list[str]]:
    page = soup(site / f"concepts/{slug}.html")
    out = {}
    for dt in page.select(".relations dt"):
        dd = dt.find_next_sibling("dd")
        out[dt.get_text()] = [a["href"].split("/")[-1].removesuffix(".html") for a in dd.select("a")]
    return out


def test_uses_and_chunks_show_on_both_ends(site):
    attention = relations(site, "attention-weights")
    softmax = relations(site, "softmax")
    # A chunk implies "uses": listed once, under the more telling chunk groups.
    assert "Uses" not in attention and "Used by" not in softmax
    assert attention["Chunks in its formula"] == ["softmax"]
    assert softmax["Appears inside the formula of"] == ["attention-weights"]


def test_builds_on_and_leads_to_resolve_titles_and_aliases(site):
    assert relations(site, "context-vector")["Builds on"] == ["attention-weights"]
    assert relations(site, "attention-weights")["Leads to"] == ["context-vector"]


def test_see_also_is_symmetric_and_yields_to_a_more_telling_relation(site):
    # attention-weights and context-vector declare "see also" each other, but context-vector
    # builds on attention-weights: each is listed once, under the more telling relation.
    assert "See also" not in relations(site, "attention-weights")
    assert "See also" not in relations(site, "context-vector")
    assert relations(site, "context-vector")["Builds on"] == ["attention-weights"]


def test_wiki_links_resolve_by_alias_ignoring_case_and_give_mentioned_in(site):
    body = soup(site / "concepts/context-vector.html").select_one(".body")
    link = body.select_one("a.wikilink")
    assert link.get_text() == "alignment weights"
    assert link["href"] == "../concepts/attention-weights.html"
    # context-vector mentions it, but already shows under "Leads to" and "See also".
    assert "Mentioned in" not in relations(site, "attention-weights")
    piped = soup(site / "concepts/attention-weights.html").select_one(".body a.wikilink")
    assert piped.get_text() == "a softmax" and piped["href"].endswith("softmax.html")
    # attention-weights already shows under "Appears inside": a mention adds no repeat.
    assert relations(site, "softmax")["Mentioned in"] == ["moving-average"]


def test_concept_map_has_one_link_per_entry(site):
    svg = soup(site / "map.html").select_one("svg.concept-map")
    hrefs = sorted(a["href"] for a in svg.select("a.map-node"))
    assert hrefs == sorted(f"concepts/{p.stem}.html" for p in (site / "concepts").iterdir())
    kinds = {cls for line in svg.select("path.edge") for cls in line["class"] if cls.startswith("edge-")}
    assert kinds == {"edge-uses", "edge-builds_on", "edge-see_also", "edge-wikilink"}


def test_concept_map_layout_is_deterministic(site, tmp_path):
    other = copy_site("basic", tmp_path / "again")
    build(other)
    assert (other / "site/map.html").read_bytes() == (site / "map.html").read_bytes()


def _neighbour_map(site, slug):
    """Return the SVG of an entry's neighbour map, from ``neighbours/<slug>.js``."""
    text = (site / f"neighbours/{slug}.js").read_text("utf-8")
    prefix = f"(window.GLOSSARY_NEIGHBOURS = window.GLOSSARY_NEIGHBOURS || {{}})[{json.dumps(slug)}] = "
    assert text.startswith(prefix) and text.endswith(";\n")
    assert "</" not in text  # cannot close the script it is loaded by
    return BeautifulSoup(json.loads(text[len(prefix):-2]), "html.parser")


def test_neighbour_map_links_every_neighbour(site):
    page = soup(site / "concepts/attention-weights.html")
    assert page.select_one("svg.neighbour-map") is None  # drawn on demand, not in the page
    assert page.select_one("figure.neighbours").has_attr("hidden")  # no JS: no empty frame
    frame = page.select_one("figure.neighbours .map-frame")
    assert frame["data-map-src"] == "../neighbours/attention-weights.js"
    assert frame["data-slug"] == "attention-weights" and int(frame["data-height"]) > 0
    svg = _neighbour_map(site, "attention-weights").select_one("svg.neighbour-map")
    assert svg["height"] == frame["data-height"]
    slugs = sorted(a["data-entry"] for a in svg.select("a.map-node"))
    assert slugs == ["attention-weights", "context-vector", "softmax"]
    assert all(a["href"].startswith("../concepts/") for a in svg.select("a.map-node"))
    assert soup(site / "concepts/lonely.html").select_one("figure.neighbours") is None
    assert not (site / "neighbours/lonely.js").exists()


def _script_data(path, name):
    text = path.read_text("utf-8")
    assert text.startswith(f"window.{name} = ")
    return json.loads(text[len(f"window.{name} = "):].rstrip().rstrip(";"))


def _cards(site) -> dict[str, dict]:
    """Return every hover card from its shard (``window.glossaryCard("slug",{...});``)."""
    cards = {}
    for shard in (site / "cards").glob("*.js"):
        text = shard.read_text("utf-8")
        found = re.fullmatch(r'window\.glossaryCard\(("[^"]+"),(\{.*\})\);\n', text, re.S)
        assert found, shard
        cards[json.loads(found.group(1))] = json.loads(found.group(2))
        assert "</" not in text
    return cards


def test_card_data_is_complete_and_cannot_break_out_of_its_script(site, tmp_path):
    cards = _cards(site)
    assert set(cards) == {p.stem for p in (site / "concepts").iterdir()}
    softmax = cards["softmax"]
    assert softmax["chunk"] == "softmax" and "add up to one" in softmax["abstraction"]
    assert 'class="katex' in softmax["formula"]
    card_formula = cards["attention-weights"]["formula"]
    assert "<a " not in card_formula and 'class="chunk"' in card_formula  # lit, not linked


def test_entry_text_is_escaped_everywhere(tmp_path):
    project = copy_site("basic", tmp_path / "evil")
    page = project / "entries/softmax.md"
    text = page.read_text().replace("chunk: softmax\n", 'chunk: "<img src=x onerror=alert(1)>"\n')
    text = text.replace("title: Softmax", 'title: "Soft</script><b>max"')
    page.write_text(text)
    build(project)
    site = project / "site"
    for html in site.rglob("*.html"):
        raw = html.read_text("utf-8")
        assert "<img src=x" not in raw and "<b>max" not in raw, html
    for script in ("cards/softmax.js", "search-index.js"):
        assert "</script>" not in (site / script).read_text("utf-8")
    cards = _cards(site)
    assert cards["softmax"]["chunk"] == "<img src=x onerror=alert(1)>"


def test_search_index_has_aliases_chunks_body_and_tex(site):
    docs = {d["slug"]: d for d in _script_data(site / "search-index.js", "GLOSSARY_SEARCH")}
    softmax = docs["softmax"]
    assert "normalized exponential" in softmax["aliases"]
    assert "\\sum_j e^{z_j}" in softmax["tex"]
    assert "exponential makes every score positive" in softmax["body"]


def test_tag_pages_and_roads(site):
    tag = soup(site / "tags/attention.html")
    assert sorted(a.get_text() for a in tag.select(".entry-list a")) == ["Attention weights", "Softmax"]
    roads = soup(site / "roads.html")
    chunking = [a.get_text() for a in roads.select("#chunking .entry-list a")]
    assert chunking == ["Attention weights", "Softmax"]
    assert [a.get_text() for a in roads.select("#unsorted .entry-list a")] == ["Lonely"]


def test_check_reports_health_warnings(tmp_path, glossary):
    project = copy_site("basic", tmp_path / "health")
    run = glossary(project, "check")
    assert run.code == 0
    warnings = [line for line in run.diagnostics if ": warning: " in line]
    assert any("'lonely' is an orphan" in w for w in warnings)
    assert any(re.search(r"chunk name 'softmax' is also the chunk name of 'lonely'", w) for w in warnings)
    assert any("'context-vector' has no figure" in w for w in warnings)
    assert glossary(project, "check", "--strict").code == 1
