"""The shipped glossary itself: complete, connected, every snippet asserting something."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from conftest import copy_shipped, soup
from generator.build import build
from generator.config import load_config
from generator.diagnostics import Reporter

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def linked():
    """The shipped glossary, loaded and linked by the build's own stages (no snippets run)."""
    reporter = Reporter()
    result = build(load_config(ROOT), reporter, until="link")
    assert reporter.error_count == 0, [d.format() for d in reporter.diagnostics]
    return result.glossary


@pytest.fixture(scope="module")
def entries(linked):
    return linked.entries


@pytest.fixture(scope="module")
def site(shipped_build, tmp_path_factory):
    return copy_shipped(shipped_build, tmp_path_factory.mktemp("shipped"))


def test_at_least_55_entries_with_every_field_a_road_and_symbols(entries):
    assert len(entries) >= 55
    for entry in entries:
        assert entry.title and entry.chunk and entry.abstraction and entry.action, entry.slug
        assert entry.road in ("abstraction", "chunking", "action"), entry.slug
        assert entry.executed, entry.slug
        assert entry.symbols, entry.slug


def test_the_headline_link_softmax_attention_ema_is_made(linked):
    """An EMA is attention with a fixed recency score: the five entries link each other."""
    five = ["softmax", "attention-weights", "exponential-moving-average", "weighted-average",
            "adam"]
    for slug in five:
        neighbours = linked.relations[slug].neighbours()
        missing = [other for other in five if other != slug and other not in neighbours]
        assert not missing, (slug, missing)


def test_every_snippet_asserts_something(entries):
    for entry in entries:
        assert any(re.search(r"^\s*assert ", s.code, re.M) for s in entry.executed), entry.slug


def test_abstractions_are_words_not_symbols(entries):
    for entry in entries:
        assert not re.search(r"[$\\^_=]", entry.abstraction), entry.slug


def test_the_concept_graph_is_one_connected_component(linked):
    glossary = linked
    graph = nx.Graph()
    graph.add_nodes_from(glossary.by_slug)
    graph.add_edges_from((a, b) for a, b, _ in glossary.edges())
    assert nx.number_connected_components(graph) == 1


def test_the_essay_chains_connect_both_ways(linked):
    glossary = linked
    out = lambda slug, kind: glossary.relations[slug].outgoing.get(kind, [])
    assert "exponential-moving-average" in out("momentum", "chunk")
    assert "exponential-moving-average" in out("rmsprop", "chunk")
    assert {"momentum", "rmsprop"} <= set(out("adam", "builds_on"))
    assert out("adam", "chunk").count("exponential-moving-average") == 1
    assert "dot-product" in out("luong-score", "chunk")
    assert "softmax" in out("attention-weights", "chunk")
    assert "weighted-average" in out("context-vector", "chunk")
    assert "context-vector" in out("attention-vector", "chunk")


def test_at_least_15_entries_have_a_figure(site):
    with_figures = [p for p in (site / "concepts").iterdir() if soup(p).select("figure.plot img")]
    assert len(with_figures) >= 15


def test_the_index_introduces_the_roads_keeping_their_capitals(site):
    intro = soup(site / "index.html").select_one("main p").get_text(" ", strip=True)
    assert "(what do I call this block when I see it?)" in " ".join(intro.split())


def test_softmax_lists_attention_weights_once_as_in_its_formula(site):
    page = soup(site / "concepts/softmax.html")
    groups = {dt.get_text(): [a.get_text() for a in dt.find_next_sibling("dd").select("a")]
              for dt in page.select(".relations dt")}
    assert "Attention weights" in groups["Appears inside the formula of"]
    listed = [title for titles in groups.values() for title in titles]
    assert listed.count("Attention weights") == 1
    assert listed.count("Cross-entropy") == 1  # was listed four times (issue 16)


def test_concept_map_shows_every_entry_as_a_link(site):
    svg = soup(site / "map.html").select_one("svg.concept-map")
    assert {a["data-entry"] for a in svg.select("a.map-node")} == \
        {p.stem for p in (site / "concepts").iterdir()}


def test_no_link_inside_a_link_on_any_page(site):
    """Nested chunks must not become nested <a> elements (the parser would break the formula)."""
    for page in sorted(site.rglob("*.html")):
        for link in soup(page).find_all("a"):
            assert link.find_parent("a") is None, (page.name, str(link)[:120])


SWEEPS = {"exponential-moving-average": ["beta"], "momentum": ["beta"], "softmax": ["T"],
          "learning-rate": ["eta"], "rotation": ["degrees"],
          "scaled-dot-product-attention": ["d_k", "scale"], "adam": ["bias_correction"],
          "sigmoid": ["gain"], "tanh": ["gain"]}
CODE_REUSE = {"attention-weights": {"softmax"}, "context-vector": {"weighted-average"},
              "momentum": {"exponential-moving-average"}, "rmsprop": {"exponential-moving-average"},
              "adam": {"exponential-moving-average"}, "backpropagation": {"chain-rule"},
              "optimizer": {"gradient-descent", "momentum", "rmsprop", "adam"}}


def test_the_nine_sweeps_are_live(linked, site):
    for slug, names in SWEEPS.items():
        assert [p.name for p in linked.by_slug[slug].params] == names, slug
        page = soup(site / "concepts" / f"{slug}.html")
        assert [c["data-param"] for c in page.select(".sweep-controls [data-param]")] == names
        every = soup(site / "sweeps" / f"{slug}.html")
        assert len(every.select(".sweep-variant")) > 1, slug


def test_the_entries_reuse_each_others_code(linked, site):
    for slug, imported in CODE_REUSE.items():
        assert set(linked.code.imports[slug]) == imported, slug
        labels = soup(site / "concepts" / f"{slug}.html").select(".snippet-label .code-relation")
        shown = {a["data-entry"] for label in labels if label.get_text().startswith("uses")
                 for a in label.select("a")}
        assert shown == imported, slug
    softmax = soup(site / "concepts/softmax.html").select(".snippet-label .code-relation a")
    assert "attention-weights" in {a["data-entry"] for a in softmax}


def _run_plain(script: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run a downloaded script with python alone: isolated mode, empty environment, elsewhere."""
    return subprocess.run([sys.executable, "-I", str(script)], cwd=tmp_path, text=True,
                          capture_output=True, env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg",
                                                    "HOME": str(tmp_path)}, timeout=120)


def test_the_downloaded_attention_weights_script_runs_and_checks_its_claims(site, tmp_path):
    script = site / "downloads/attention-weights.py"
    text = script.read_text("utf-8")
    assert "def softmax(z, T=1.0):" in text                      # softmax's code, inlined
    assert "generator" not in text
    run = _run_plain(script, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("[[0.   0.42")                  # what the page shows
    page = soup(site / "concepts/attention-weights.html")
    assert page.select_one(".snippet .output").get_text() == run.stdout
    # The asserts really run: break the inlined softmax and the script fails at a claim.
    broken = tmp_path / "broken.py"
    broken.write_text(text.replace("return e / e.sum()", "return e / e.sum() ** 2", 1), "utf-8")
    failed = _run_plain(broken, tmp_path)
    assert failed.returncode == 1 and "AssertionError" in failed.stderr
