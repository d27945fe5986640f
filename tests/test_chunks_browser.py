"""Chunks in headless Chromium: boxes that enclose their glyphs, the innermost chunk wins,
name cards below the formula, touch, keyboard, folding from file://, and axe."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BROWSER_MARKS, axe_path, copy_shipped, copy_site
from test_chunks import twice_project
from test_site import build

HERE = Path(__file__).parent
ROOT = HERE.parent
BOXES = (HERE / "chunk_boxes.js").read_text("utf-8")
DRAW_APPEARANCES = "window.glossaryLoadAppearances && window.glossaryLoadAppearances()"
pytestmark = [*BROWSER_MARKS, pytest.mark.slow]


@pytest.fixture(scope="module")
def hard(tmp_path_factory) -> Path:
    project = copy_site("chunks", tmp_path_factory.mktemp("chunks-browser") / "project")
    build(project)
    return project / "site"


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> Path:
    project = twice_project(tmp_path_factory.mktemp("twice-browser"))
    build(project)
    return project / "site"


@pytest.fixture(scope="module")
def shipped(shipped_build, tmp_path_factory) -> Path:
    return copy_shipped(shipped_build, tmp_path_factory.mktemp("shipped-chunks"))


def _open(browser, path: Path, width: int = 1280, js: bool = True, fragment: str = "", **kw):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  java_script_enabled=js, **kw)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path.as_uri() + fragment)
    page.evaluate("document.fonts.ready")
    page.errors = errors
    return page


@pytest.mark.parametrize("which, width", [("hard", 1280), ("hard", 390), ("shipped", 1280)])
def test_every_chunk_box_encloses_its_glyphs_and_nested_chunks(request, browser, which, width):
    site = request.getfixturevalue(which)
    page = _open(browser, site / "index.html", width)
    measured, problems = 0, []
    for path in sorted((site / "concepts").glob("*.html")):
        page.goto(path.as_uri())
        page.evaluate("document.fonts.ready")
        page.evaluate("window.glossaryLoadFolds()")  # the folded views load on demand
        page.evaluate(DRAW_APPEARANCES)  # and so do the formulas it appears inside
        result = page.evaluate(BOXES)  # every view unfolded, appearances and inline math too
        measured += result["chunks"]
        problems += [(path.stem, bad) for bad in result["bad"]]
        assert result["chunks"] == page.evaluate("document.querySelectorAll('.katex .chunk').length")
    page.context.close()
    assert problems == []
    assert measured >= (100 if which == "hard" else 900), measured


@pytest.mark.parametrize("slug", ["hard-cases", "adam"])
def test_the_innermost_chunk_under_the_pointer_is_hit(browser, hard, shipped, slug):
    site = hard if slug == "hard-cases" else shipped
    page = _open(browser, site / f"concepts/{slug}.html")
    missed = page.evaluate("""() => {
      const missed = [];
      for (const chunk of document.querySelectorAll('.fold-view:not([hidden]) .katex .chunk')) {
        // a glyph of this chunk that no nested chunk holds
        const walker = document.createTreeWalker(chunk, NodeFilter.SHOW_TEXT);
        let point = null;
        while (walker.nextNode() && !point) {
          const node = walker.currentNode;
          if (!node.textContent.trim() || node.parentElement.closest('.chunk') !== chunk) continue;
          const range = document.createRange(); range.selectNodeContents(node);
          const r = range.getBoundingClientRect();
          if (r.width) point = [r.left + r.width / 2, r.top + r.height / 2];
        }
        if (!point) continue;
        chunk.scrollIntoView({block: 'center', inline: 'center'});
        const walker2 = document.createTreeWalker(chunk, NodeFilter.SHOW_TEXT);
        point = null;
        while (walker2.nextNode() && !point) {
          const node = walker2.currentNode;
          if (!node.textContent.trim() || node.parentElement.closest('.chunk') !== chunk) continue;
          const range = document.createRange(); range.selectNodeContents(node);
          const r = range.getBoundingClientRect();
          if (r.width) point = [r.left + r.width / 2, r.top + r.height / 2];
        }
        const hit = document.elementFromPoint(point[0], point[1]);
        if (!hit || hit.closest('.chunk') !== chunk) missed.push(chunk.dataset.chunk);
      }
      return missed;
    }""")
    assert missed == []
    page.context.close()


def _box(locator) -> dict:
    return locator.bounding_box()


@pytest.mark.parametrize("width", [1280, 390])
def test_hovering_a_nested_chunk_names_it_below_the_formula(browser, shipped, width):
    page = _open(browser, shipped / "concepts/adam.html", width)
    formula = page.locator(".formula .chunked")
    momentum = formula.locator(".fold-view:not([hidden]) .chunk[data-entry='momentum']")
    momentum.scroll_into_view_if_needed()
    momentum.hover()
    card = formula.locator(".chunk-card.is-shown")
    assert card.count() == 1
    assert "moving average of gradients" in card.inner_text() and "Momentum" in card.inner_text()
    box, scroll = _box(card), _box(formula.locator(".chunk-scroll"))
    assert box["y"] >= scroll["y"] + scroll["height"] - 1  # below the formula, not over it
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # fits the viewport
    outer = formula.locator(".fold-view:not([hidden]) a.chunk[data-entry='rmsprop']")
    outer.hover(position={"x": 3, "y": 3})
    assert "RMSProp" in formula.locator(".chunk-card.is-shown").inner_text()
    assert page.errors == []
    page.context.close()


def test_a_nested_chunk_is_a_link_of_its_own(browser, shipped):
    page = _open(browser, shipped / "concepts/adam.html")
    momentum = page.locator(".formula .fold-view:not([hidden]) .chunk[data-entry='momentum']")
    momentum.click()
    page.wait_for_url("**/concepts/momentum.html")
    page.context.close()


def test_on_touch_the_first_tap_names_the_second_follows(browser, shipped):
    page = _open(browser, shipped / "concepts/attention-weights.html", 390, has_touch=True,
                 is_mobile=True)
    chunk = page.locator(".formula .fold-view:not([hidden]) a.chunk[data-entry='softmax']")
    chunk.scroll_into_view_if_needed()
    box = _box(chunk)
    page.touchscreen.tap(box["x"] + 4, box["y"] + box["height"] - 4)
    card = page.locator(".formula .chunk-card.is-shown")
    assert card.count() == 1 and "Softmax" in card.inner_text()
    assert page.url.endswith("attention-weights.html")
    page.touchscreen.tap(box["x"] + 4, box["y"] + box["height"] - 4)
    page.wait_for_url("**/concepts/softmax.html")
    page.context.close()


@pytest.mark.parametrize("js", [True, False])
def test_keyboard_reaches_every_target_outer_to_inner_and_shows_where(browser, hard, js):
    page = _open(browser, hard / "concepts/hard-cases.html", js=js)
    seen, folds = [], []
    for _ in range(80):
        page.keyboard.press("Tab")
        state = page.evaluate("""() => { const a = document.activeElement;
            return {inFormula: !!a.closest('.katex-html'), chunks: a.matches('.formula .chunk-link')
                    ? a.dataset.chunks : null, fold: a.matches('.formula .fold-one')
                    ? a.dataset.foldTo : null, other: a.matches('.formula button')}; }""")
        assert not state["inFormula"]
        if state["fold"] is not None:  # JavaScript only: one per chunk, beside its link
            folds.append(int(state["fold"]))
            lit = page.locator(".formula .fold-view:not([hidden]) .chunk.is-active")
            assert [lit.nth(i).get_attribute("data-chunk") for i in range(lit.count())] == \
                [state["fold"]]  # the one chunk it folds
            continue
        if state["other"]:
            continue
        if state["chunks"] is not None:
            seen.append(state["chunks"])
            chunks = state["chunks"].split()
            if js:  # every chunk of the entry lit (glossary.js's card names it)
                lit = page.locator(".formula .fold-view:not([hidden]) .chunk.is-active")
                assert sorted(lit.nth(i).get_attribute("data-chunk")
                              for i in range(lit.count())) == sorted(chunks)
            else:  # the name card shows, by CSS
                card = page.locator(f".formula .chunk-card[data-chunks='{state['chunks']}']")
                assert card.is_visible()
        elif seen:
            break
    assert seen == ["0 2 3 5 7", "1 4 6"]
    assert folds == ([0, 2, 3, 5, 7, 1, 4, 6] if js else [])
    page.context.close()


def test_without_js_hovering_shows_the_innermost_name_and_links_work(browser, shipped):
    page = _open(browser, shipped / "concepts/adam.html", js=False)
    formula = page.locator(".formula .chunked")
    momentum = formula.locator(".fold-view:not([hidden]) .chunk[data-entry='momentum']")
    momentum.hover()
    visible = [c for c in formula.locator(".chunk-card").all() if c.is_visible()]
    assert len(visible) == 1 and "Momentum" in visible[0].inner_text()
    assert formula.locator(".fold-controls").count() == 0  # folding needs JavaScript
    formula.locator(".fold-view:not([hidden]) a.chunk[data-entry='learning-rate']").click()
    page.wait_for_url("**/concepts/learning-rate.html")
    page.context.close()


def test_fold_from_the_url_fragment_and_back_from_file_url(browser, shipped):
    page = _open(browser, shipped / "concepts/attention-weights.html", fragment="#fold=0:all")
    formula = page.locator(".formula .chunked")
    folded = formula.locator(".fold-view[data-fold='all']")
    assert folded.is_visible() and not formula.locator(".fold-view[data-fold='']").is_visible()
    assert "softmax over" in folded.inner_text() or "softmax" in folded.inner_text()
    assert formula.locator("button.fold-all").get_attribute("aria-pressed") == "true"
    formula.locator("button.fold-none").click()
    assert formula.locator(".fold-view[data-fold='']").is_visible()
    assert "#" not in page.url
    tree_fold = formula.locator(".chunk-tree button.fold-one[data-fold-to='1']")
    tree_fold.click()
    assert page.url.endswith("#fold=0:1")
    assert formula.locator(".fold-view[data-fold='1']").is_visible()
    tree_fold.click()
    assert formula.locator(".fold-view[data-fold='']").is_visible()
    assert page.errors == []
    page.context.close()


LIT = """formula => [...formula.querySelectorAll('.fold-view:not([hidden]) .chunk')]
    .filter(box => box.classList.contains('is-active')).map(box => box.dataset.chunk)"""
OUTLINED = """formula => [...formula.querySelectorAll('.fold-view:not([hidden]) .chunk')]
    .filter(box => getComputedStyle(box).outlineStyle === 'solid').map(box => box.dataset.chunk)"""


def test_hovering_a_tree_item_lights_every_chunk_of_its_entry(browser, twice):
    page = _open(browser, twice / "concepts/twice.html")
    formula = page.locator(".formula .chunked")
    tree = formula.locator(".chunk-tree")
    tree.locator("a.chunk-link[data-entry='grad']").hover()
    assert formula.evaluate(LIT) == ["1", "3"]  # inside Average, and at the top
    lit, plain = (formula.locator(f".fold-view:not([hidden]) .chunk[data-chunk='{i}']") for i in "30")
    assert lit.evaluate("b => getComputedStyle(b).boxShadow") != \
        plain.evaluate("b => getComputedStyle(b).boxShadow")  # drawn, not only a class
    assert formula.locator(".chunk-card.is-shown").count() == 0  # it would hang over the tree
    tree.locator("a.chunk-link[data-entry='rate']").hover()
    assert formula.evaluate(LIT) == ["2", "4"]  # once written by its alias
    page.mouse.move(1, 1)
    assert formula.evaluate(LIT) == []
    # A box in the formula: the one card of its entry, and every chunk of it lit.
    formula.locator(".fold-view:not([hidden]) a.chunk[data-chunk='3']").hover()
    shown = formula.locator(".chunk-card.is-shown")
    assert shown.count() == 1 and shown.get_attribute("data-chunks") == "1 3"
    assert "Grad" in shown.inner_text() and formula.evaluate(LIT) == ["1", "3"]
    assert page.errors == []
    page.context.close()


def test_each_chunk_of_a_target_keeps_its_own_fold_button(browser, twice):
    page = _open(browser, twice / "concepts/twice.html")
    formula = page.locator(".formula .chunked")
    grad = formula.locator(".chunk-tree li:has(> a[data-entry='grad']) > button.fold-one")
    assert grad.all_inner_texts() == ["fold 1", "fold 2"]
    assert [grad.nth(i).get_attribute("aria-label") for i in range(2)] == [
        "Fold 1 of 2: Grad", "Fold 2 of 2: Grad"]
    assert formula.locator(".chunk-tree li:has(> a[data-entry='average']) > button.fold-one"
                           ).all_inner_texts() == ["fold"]
    grad.nth(1).hover()
    assert formula.evaluate(LIT) == ["3"]  # the one it folds
    grad.nth(1).click()  # the folded views load first; the fragment follows
    page.wait_for_url("**/twice.html#fold=0:3")
    assert formula.locator(".fold-view[data-fold='3']").is_visible()
    assert grad.nth(1).get_attribute("aria-pressed") == "true"
    assert grad.nth(0).get_attribute("aria-pressed") == "false"
    grad.nth(1).click()
    assert formula.locator(".fold-view[data-fold='']").is_visible()
    assert page.errors == []
    page.context.close()


def test_without_js_a_tree_link_shows_its_one_card_and_outlines_every_chunk(browser, twice):
    page = _open(browser, twice / "concepts/twice.html", js=False)
    formula = page.locator(".formula .chunked")
    link = formula.locator(".chunk-tree a.chunk-link[data-entry='grad']")
    link.focus()
    visible = [c for c in formula.locator(".chunk-card").all() if c.is_visible()]
    assert len(visible) == 1 and visible[0].get_attribute("data-chunks") == "1 3"
    tree = _box(formula.locator(".chunk-tree"))
    assert _box(visible[0])["y"] + _box(visible[0])["height"] <= tree["y"]  # not over the tree
    assert formula.evaluate(OUTLINED) == ["1", "3"]
    page.locator("h1").click()  # focus leaves the tree
    formula.locator(".chunk-tree a.chunk-link[data-entry='rate']").hover()
    assert formula.evaluate(OUTLINED) == ["2", "4"]
    assert not any(c.is_visible() for c in formula.locator(".chunk-card").all())
    page.context.close()


def test_the_keyboard_brings_a_chunk_of_a_wide_formula_into_view(browser, shipped):
    page = _open(browser, shipped / "concepts/momentum.html", 390)
    formula = page.locator(".formula .chunked")
    scroll = formula.locator(".chunk-scroll")
    last = formula.locator(".fold-view:not([hidden]) .chunk[data-chunk='4']")  # sum form's g_t
    assert _box(last)["x"] > _box(scroll)["x"] + _box(scroll)["width"]  # off to the right
    formula.locator(".chunk-tree li:has(> a[data-entry='gradient']) > button.fold-one").nth(1).focus()
    box, room = _box(last), _box(scroll)
    assert room["x"] <= box["x"] and box["x"] + box["width"] <= room["x"] + room["width"]
    assert formula.evaluate(LIT) == ["4"]
    page.context.close()


_axe = axe_path


@pytest.mark.skipif(_axe() is None, reason="needs axe-core (npm ci, or AXE_CORE=path/axe.min.js)")
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_violation_in_the_chunks_of_entry_pages(browser, hard, twice, shipped,
                                                            width):
    pages = [hard / "concepts/hard-cases.html", hard / "concepts/inner.html",
             twice / "concepts/twice.html"]
    pages += [shipped / f"concepts/{slug}.html" for slug in
              ("attention-weights", "adam", "attention-in-four-steps", "softmax", "lstm")]
    source = _axe().read_text("utf-8")
    found = {}
    for path in pages:
        page = _open(browser, path, width)  # axe needs timers: JavaScript on
        page.evaluate(DRAW_APPEARANCES)
        if page.locator(".formula .chunk-tree").count():  # a fold and a card showing
            page.locator(".formula .chunk-tree button.fold-one").first.click()
            page.locator(".formula .chunk-tree a.chunk-link").first.focus()
        # The chunks' parts of the page; the page chrome is issue 16's (tests/test_browser.py).
        violations = page.evaluate(
            "async () => {\n" + source + "\n;return (await axe.run(document.querySelectorAll("
            "'.formula, .appears-in, .body .chunked'))).violations"
            ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))}")
        if violations:
            found[path.stem] = violations
        page.context.close()
    assert found == {}
