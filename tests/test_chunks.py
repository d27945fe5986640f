"""Chunks across the glossary: fold views, "appears inside", chunk suggestions, the markup."""

from __future__ import annotations

import json

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import copy_site, entry, soup, write_entries
from generator.build import build as run_stages
from generator import chunks
from generator.chunks import Appearances, MoreHolders, appearances, chunk_suggestions, fold_views, tex_text
from generator.config import load_config
from generator.diagnostics import Reporter
from test_site import build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_site("chunks", tmp_path_factory.mktemp("chunks") / "project")


@pytest.fixture(scope="module")
def linked(project):
    reporter = Reporter()
    result = run_stages(load_config(project), reporter, until="link")
    assert reporter.error_count == 0
    return result.glossary


@pytest.fixture(scope="module")
def site(project) -> Path:
    build(project)
    return project / "site"


def test_fold_all_replaces_each_top_level_chunk_by_its_name(linked):
    views = {v.key: v.tex.tex for v in fold_views(linked.by_slug["outer"].formula, linked)}
    name = tex_text(linked.by_slug["part"].chunk)
    assert views == {"all": rf"o = \chunk{{0}}{{\boxed{{\text{{{name}}}}}}} + 1",
                     "0": rf"o = \chunk{{0}}{{\boxed{{\text{{{name}}}}}}} + 1"}
    assert name == r"a part with <b>markup</b> \& a\_b \{braces\} in its name"


def test_fold_one_chunk_keeps_the_others_and_their_nesting(linked):
    formula = linked.by_slug["hard-cases"].formula
    views = {v.key: v.tex.tex for v in fold_views(formula, linked)}
    assert set(views) == {"all"} | {str(c.index) for c in formula.all_chunks()}
    folded = views["1"]  # the first part: a fraction holding two inner chunks
    assert r"\chunk{1}{\boxed{\text{a part with" in folded
    assert r"\sum_{k=1}" not in folded and r"\chunk{5}{\hat{b}}" in folded
    assert r"y_{\chunk{0}{i}}" in folded  # targets become indices, as the engine gets them
    assert "inner" not in folded.replace("in its name", "")
    assert views["all"].count(r"\boxed") == 4  # the subscript chunk and three parts


def test_appears_inside_goes_through_chunks_with_the_path(linked):
    found = {a.holder: a for a in appearances(linked)["inner"].shown}
    assert found["part"].path == ("inner", "part")
    assert found["hard-cases"].path == ("inner", "hard-cases")  # held directly: shortest path
    assert found["outer"].path == ("inner", "part", "outer")
    assert found["outer"].lit == (0,)  # outer's chunk naming part is the one lit
    assert [a.holder for a in appearances(linked)["inner"].shown][:2] == ["hard-cases", "part"]
    assert appearances(linked)["inner"].more == ()
    assert appearances(linked)["outer"] == Appearances(())


def _chain(n: int, extra_direct: int = 0) -> list[tuple[str, str]]:
    """c0 held by c1, held by c2 ... (each formula chunks the one before), and ``extra_direct``
    more formulas holding c0 directly (d0, d1, ...)."""
    files = [entry("c0", formula="'x'")]
    files += [entry(f"c{i}", formula=rf"'\chunk{{c{i - 1}}}{{y}} + {i}'") for i in range(1, n)]
    files += [entry(f"d{i}", formula=r"'\chunk{c0}{z}'") for i in range(extra_direct)]
    return files


def _appearances_of(tmp_path, files) -> dict[str, Appearances]:
    reporter = Reporter()
    result = run_stages(load_config(write_entries(tmp_path, dict(files))), reporter, until="link")
    assert reporter.error_count == 0, [d.format() for d in reporter.diagnostics]
    return appearances(result.glossary)


def test_past_the_shown_holders_the_others_are_counted_by_the_way_out(tmp_path, monkeypatch):
    monkeypatch.setattr(chunks, "APPEARANCES_SHOWN", 3)
    found = _appearances_of(tmp_path, _chain(7, extra_direct=2))
    # nearest first: d0, d1 and c1 hold c0 directly; c2 ... c6 hold it through c1
    assert [a.holder for a in found["c0"].shown] == ["c1", "d0", "d1"]
    assert found["c0"].more == (MoreHolders("c1", 5),) and found["c0"].more_count == 5
    assert [a.holder for a in found["c2"].shown] == ["c3", "c4", "c5"]
    assert found["c2"].more == (MoreHolders("c5", 1),)  # c6, whose own page lists it
    assert found["c3"].more == () and found["c6"] == Appearances(())


def test_past_the_shown_holders_direct_ones_are_counted_apart(tmp_path, monkeypatch):
    monkeypatch.setattr(chunks, "APPEARANCES_SHOWN", 2)
    found = _appearances_of(tmp_path, _chain(3, extra_direct=4))
    assert [a.holder for a in found["c0"].shown] == ["c1", "d0"]
    assert found["c0"].more == (MoreHolders(None, 3), MoreHolders("c1", 1))  # d1-d3; c2


def test_holders_past_the_shown_ones_are_each_counted_once_where_chunks_loop(
        tmp_path, monkeypatch):
    monkeypatch.setattr(chunks, "APPEARANCES_SHOWN", 1)
    files = [entry("a", formula=r"'\chunk{b}{y} + 1'"), entry("b", formula=r"'\chunk{a}{x} + 2'"),
             entry("c", formula=r"'\chunk{a}{z} + 3'"), entry("d", formula=r"'\chunk{c}{w} + 4'")]
    found = _appearances_of(tmp_path, files)
    assert [x.holder for x in found["a"].shown] == ["b"]
    assert found["a"].more == (MoreHolders("b", 2),)  # c and d hold b too, round the loop
    assert [x.holder for x in found["b"].shown] == ["a"]
    assert found["b"].more == (MoreHolders("a", 2),)  # c and d; not b itself
    assert found["d"] == Appearances(())


def test_entry_page_shows_where_else_it_appears(site):
    page = soup(site / "concepts/inner.html")
    figures = page.select(".appears-in figure.appearance")
    captions = [" ".join(f.figcaption.get_text().split()) for f in figures]
    assert captions == ["Inner inside Hard cases", "Inner inside Part",
                        "Inner inside Part inside Outer"]
    outer = figures[2]
    link = outer.select_one("a.appearance-formula")
    assert link["href"] == "../concepts/outer.html" and link.has_attr("data-deferred")
    assert (link["data-holder"], link["data-lit"]) == ("outer", "0")  # a reference, not a copy
    assert not link.get_text() and page.select_one(".appearance-more") is None
    # The formula itself is shipped once, in the holder's card: every chunk lit and marked.
    card = (site / "cards/outer.js").read_text("utf-8")
    formula = BeautifulSoup(json.loads(card.split(",", 1)[1].rsplit(");", 1)[0])["formula"],
                            "html.parser")
    assert [c["data-chunk"] for c in formula.select(".katex .chunk")] == ["0"]
    assert formula.select_one(".katex-mathml") is None  # the accessible text is the caption
    assert not (site / "folds/inner.js").exists()  # it has no chunks to fold: nothing to load


@pytest.mark.parametrize("files, said, links", [
    (_chain(5), "…and 2 more formulas hold it, through C2.", ["c2.html#appears-in-title"]),
    (_chain(2, extra_direct=2), "…and 1 more formula holds it, from the list under Connections.",
     ["#relations-title"]),
    (_chain(3, extra_direct=4), "…and 4 more formulas hold it: 3 from the list under "
     "Connections and 1 through C1.", ["#relations-title", "../concepts/c1.html#appears-in-title"]),
])
def test_entry_page_says_how_many_more_formulas_hold_it(tmp_path, monkeypatch, files, said, links):
    monkeypatch.setattr(chunks, "APPEARANCES_SHOWN", 2)
    project = write_entries(tmp_path, dict(files))
    reporter = Reporter()
    run_stages(load_config(project), reporter)  # in this process: the bound patched
    assert reporter.error_count == 0, [d.format() for d in reporter.diagnostics]
    page = soup(project / "site/concepts/c0.html")
    assert len(page.select(".appears-in figure.appearance")) == 2
    more = page.select_one(".appears-in .appearance-more")
    assert " ".join(more.get_text().split()) == said
    assert [a["href"] for a in more.select("a")] == [
        link if link.startswith(("#", "../")) else f"../concepts/{link}" for link in links]
    if links[0] == "#relations-title":  # the direct holders are listed there
        listed = {a["data-entry"] for a in page.select(".relations a[data-entry]")}
        assert {f"d{i}" for i in range(2)} <= listed
    if (project / "site/concepts/c2.html").exists():
        page = soup(project / "site/concepts/c2.html")
        assert page.select_one(".appearance-more") is None  # c3 and c4, or nothing: all shown


def test_chunks_in_the_formula_and_the_body_are_decorated_alike(site):
    html = (site / "concepts/hard-cases.html").read_text("utf-8")
    assert "enclosing" not in html
    page = soup(site / "concepts/hard-cases.html")
    for formula in page.select(".chunked"):
        chunks = formula.select(".fold-view:not([hidden]) .katex .chunk")
        assert chunks, formula
        for chunk in chunks:
            nested = chunk.find_parent(class_="chunk") is not None
            if nested:
                assert chunk.name == "span" and chunk["data-href"].startswith("../concepts/")
            else:
                assert chunk.name == "a" and chunk["tabindex"] == "-1"
    inline = page.select(".body p .chunked-inline")
    assert len(inline) == 2 and not inline[0].select(".chunk-tree")
    assert len(page.select(".body .chunked-display")) == 2


def test_no_link_inside_a_link_and_nothing_focusable_in_the_hidden_half(site):
    for path in (site / "concepts").glob("*.html"):
        page = soup(path)
        assert not page.select("a a"), path.name
        for hidden in page.select('[aria-hidden="true"]'):
            for el in hidden.select("a[href], button, input, [tabindex]"):
                assert el.get("tabindex") == "-1", (path.name, str(el)[:80])


def test_chunk_tree_lists_each_target_once_each_linked_and_described(site):
    page = soup(site / "concepts/hard-cases.html")
    formula = page.select_one(".formula .chunked")
    tree = formula.select_one("nav.chunk-tree")
    links = tree.select("a.chunk-link")
    # Inner comes first at the top (in the subscript), so it stays there; Part's inner
    # chunks are Inner again: counted, not listed twice.
    assert [a.get_text() for a in links] == ["Inner", "Part"]
    assert [a["data-chunks"] for a in links] == ["0 2 3 5 7", "1 4 6"]
    assert tree.select("ul ul") == []
    assert [c.get_text() for c in tree.select(".chunk-count")] == ["in 5 places", "in 3 places"]
    for link in links:
        card = page.find(id=link["aria-describedby"])
        assert card is not None and card.find_parent(class_="chunk-scroll") is None
        assert card["data-chunks"] == link["data-chunks"]


def test_names_are_escaped_in_cards_and_rendered_as_text_when_folded(site):
    page = soup(site / "concepts/outer.html")
    card = page.select_one(".chunk-card[data-chunks~='0']")
    assert "<b>markup</b>" in card.get_text() and card.find("b") is None
    placeholder = page.select_one(".fold-view[data-fold='all']")
    assert placeholder.has_attr("hidden") and placeholder.has_attr("data-deferred")
    assert not placeholder.get_text()  # loaded on demand: the page stays light
    script = (site / "folds/outer.js").read_text("utf-8")
    views = json.loads(script.split('"] = ', 1)[1].rstrip(";\n"))
    folded = BeautifulSoup(views["0"]["all"], "html.parser")
    assert folded.find("b") is None and "markup" in folded.select_one(".katex-html").get_text()


def test_card_styles_cover_the_largest_formula(site):
    css = (site / "static/chunk-cards.css").read_text("utf-8")
    assert '.chunk-card[data-chunks~="7"]' in css and '[data-chunk="8"]' not in css


# --- one card and one tree item per target -------------------------------------------------

TWICE = r"y = \chunk{average}{a\, \chunk{grad}{g}} + \chunk{eta}{\eta}\, \chunk{grad}{g} + \chunk{rate}{r}"
"""Grad twice (inside Average, then at the top), Rate twice (once by its alias eta)."""
CROSSED = r"\chunk{average}{\chunk{grad}{x}} + \chunk{grad}{\chunk{average}{y}}"
"""Each inside the other: the outline must still list each once (no cycle)."""


def twice_project(root: Path) -> Path:
    """A glossary whose entry 'twice' names two entries twice each (tests/test_chunks*.py)."""
    return write_entries(root, dict([
        entry("average"), entry("grad"), entry("rate", aliases="[eta]"),
        entry("twice", body=f"$$ {CROSSED} $$", formula=f"'{TWICE}'",
              uses="[average, grad, rate]")]))


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> Path:
    project = twice_project(tmp_path_factory.mktemp("twice"))
    build(project)
    return project / "site"


def _outline(tree) -> list:
    """A chunk tree as [(title, data-chunks, [children...]), ...]."""
    return [(li.select_one(":scope > .chunk-link").get_text(),
             li.select_one(":scope > .chunk-link")["data-chunks"],
             _outline(li.select_one(":scope > ul")) if li.select_one(":scope > ul") else [])
            for li in tree.select(":scope > li")]


def test_one_card_and_one_tree_item_per_target(twice):
    page = soup(twice / "concepts/twice.html")
    formula = page.select_one(".formula .chunked")
    cards = formula.select(".chunk-cards > .chunk-card")
    assert [(c["id"], c["data-chunks"]) for c in cards] == [
        ("chunk-card-0-0", "0"), ("chunk-card-0-1", "1 3"), ("chunk-card-0-2", "2 4")]
    assert [c.select_one(".chunk-card-title").get_text() for c in cards] == ["Average", "Grad",
                                                                             "Rate"]
    assert _outline(formula.select_one("nav.chunk-tree > ul")) == [
        ("Average", "0", [("Grad", "1 3", [])]), ("Rate", "2 4", [])]
    for link in formula.select(".chunk-tree .chunk-link"):
        assert formula.find(id=link["aria-describedby"])["data-chunks"] == link["data-chunks"]
    # Every box in the formula finds exactly one card, the one of its own entry.
    boxes = formula.select(".fold-view:not([hidden]) .katex-html .chunk")
    assert [b["data-chunk"] for b in boxes] == ["0", "1", "2", "3", "4"]
    for box in boxes:
        found = [c for c in cards if box["data-chunk"] in c["data-chunks"].split()]
        assert len(found) == 1
        assert found[0].select_one(".chunk-card-title").get_text().lower() == box["data-entry"]


def test_targets_inside_each_other_are_listed_once_at_their_first_place(twice):
    page = soup(twice / "concepts/twice.html")
    crossed = page.select_one(".body .chunked-display")
    assert _outline(crossed.select_one("nav.chunk-tree > ul")) == [
        ("Average", "0 3", [("Grad", "1 2", [])])]
    assert len(crossed.select(".chunk-card")) == 2
    assert crossed.select_one(".chunk-tree")["aria-label"] == "Chunks in formula 2"


# --- chunk suggestions in glossary check ------------------------------------------------------

def _project(tmp_path, formula: str, **extra) -> Path:
    files = dict([entry("softmax", formula="s"),
                  entry("learning-rate", formula="l", aliases="[eta]"),
                  entry("sigmoid", formula="g", recognize="['\\sigma(']"),
                  entry("user", formula=formula, **extra)])
    return write_entries(tmp_path, files)


@pytest.mark.parametrize("formula, said, col", [
    (r"y = \mathrm{softmax}(x)", r"\mathrm{softmax}", 15),
    (r"y = \operatorname{softmax}(x)", r"\operatorname{softmax}", 15),
    (r"y = \text{soft max}(x)", r"\text{soft max}", 15),
    (r"y = x - \eta g", r"\eta", 19),
    (r"y = \sigma (x)", r"\sigma(", 15),
])
def test_check_warns_at_the_unmarked_name(glossary, tmp_path, formula, said, col):
    project = _project(tmp_path, f"'{formula}'")
    run = glossary(project, "check")
    assert run.code == 0
    slug = {"m": "softmax", "o": "softmax", "t": "softmax", "e": "learning-rate", "s": "sigmoid"}
    target = slug[said[1]]
    assert _suggestions(run) == [
        f"entries/user.md:5:{col}: warning: '{said}' is the entry '{target}': mark it as a chunk, "
        f"\\chunk{{{target}}}{{...}}, so that it is highlighted and linked"]
    assert glossary(project, "check", "--strict").code == 1


def _suggestions(run) -> list[str]:
    """The chunk suggestions among the diagnostics (the health report warns about more)."""
    return [line for line in run.diagnostics if "mark it as a chunk" in line]


def test_check_is_quiet_when_the_name_is_marked_or_is_the_entry_itself(glossary, tmp_path):
    project = _project(tmp_path, r"'y = \chunk{softmax}{\mathrm{softmax}(x)} + \chunk{sigmoid}{\sigma(x)}'")
    (project / "entries/softmax.md").write_text(
        (project / "entries/softmax.md").read_text().replace("formula: s", r"formula: '\mathrm{softmax}'"))
    run = glossary(project, "check")
    assert run.code == 0, run.stderr
    assert _suggestions(run) == []


def test_the_shipped_glossary_needs_no_chunk_suggestion():
    reporter = Reporter()
    result = run_stages(load_config(ROOT), reporter, until="link")
    chunk_suggestions(result.glossary, reporter)
    assert [d.format() for d in reporter.diagnostics] == []


def test_fold_views_go_through_the_math_stage_and_its_cache(glossary, project):
    first = glossary(project, "build", "--json", "--out", "site-cache-test")
    prose = sorted((project / "entries").glob("*.md"))[0]
    original = prose.read_text("utf-8")
    prose.write_text(original + "\nOne more sentence of prose.\n", "utf-8")  # a real rebuild
    try:
        again = glossary(project, "build", "--json", "--out", "site-cache-test")
    finally:
        prose.write_text(original, "utf-8")
    assert not again.report.get("up_to_date")
    assert again.report["formulas"]["rendered"] == 0
    assert again.report["formulas"]["cached"] == first.report["formulas"]["cached"] + \
        first.report["formulas"]["rendered"]
    assert first.report["formulas"]["rendered"] + first.report["formulas"]["cached"] >= 25  # with views
