"""Headless Chromium (Debian's package, driven by Playwright) against the built site."""

from __future__ import annotations


import pytest

from conftest import BROWSER_MARKS, copy_site, start_serve
from test_site import build

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = copy_site("basic", tmp_path_factory.mktemp("browser") / "project")
    build(project)
    return project / "site"


def test_fonts_load_and_display_math_has_a_sensible_size_without_js(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "concepts/attention-weights.html").as_uri())
    page.wait_for_load_state("load")
    loaded = page.evaluate("""async () => { await document.fonts.ready;
        return [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family); }""")
    assert any("KaTeX_Main" in family for family in loaded), loaded
    assert any("KaTeX_Math" in family for family in loaded), loaded
    box = page.locator(".formula .fold-view:not([hidden]) .katex-display .katex-html").bounding_box()
    assert 100 < box["width"] < 800 and 25 < box["height"] < 200, box
    context.close()


def test_focusing_a_chunk_shows_its_name_without_js(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "concepts/attention-weights.html").as_uri())
    tip = page.locator(".formula .chunk-card[data-chunks~='0']")
    assert not tip.is_visible()
    for _ in range(40):  # reach the chunk with the keyboard (its link in the chunk tree)
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chunk-link')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "../concepts/softmax.html"
    assert tip.is_visible()
    assert "Softmax" in tip.inner_text() and "add up to one" in tip.inner_text()
    context.close()


def _search(page, query: str) -> list[str]:
    page.fill("#search-input", query)
    page.wait_for_selector("#search-results li")
    return page.locator("#search-results li[role=option]").evaluate_all(
        "items => items.map(li => li.dataset.slug)")


def test_search_finds_by_alias_and_formula_fragment_from_file_url(browser, site):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((site / "index.html").as_uri())
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert _search(page, "normalized exponential")[0] == "softmax"
    assert page.locator("#search-results mark").count() >= 2
    assert _search(page, "alignmnt weights")[0] == "attention-weights"  # typo tolerated
    assert "softmax" in _search(page, r"\sum_j e^{z_j}")
    _search(page, "context vector")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/concepts/context-vector.html")
    assert errors == []
    page.close()


def test_hover_card_shows_title_chunk_and_formula(browser, site):
    page = browser.new_page()
    page.goto((site / "concepts/context-vector.html").as_uri())
    page.hover(".body a.wikilink")
    card = page.locator("#glossary-card")
    card.wait_for(state="visible")
    text = card.inner_text()
    assert "Attention weights" in text and "softmax over scores" in text
    assert card.locator(".katex").count() == 1
    page.close()


def test_no_console_errors_on_any_page(browser, site):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # ERR_ABORTED means a fetch was cancelled by navigating on (a lazy image, the
    # favicon): no broken link. A missing file fails with ERR_FILE_NOT_FOUND.
    page.on("requestfailed", lambda r: None if r.failure == "net::ERR_ABORTED"
            else problems.append(f"{r.url}: {r.failure}"))
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 10
    for html in pages:
        if html.name == "404.html":
            continue  # points at the configured base URL, which is not reachable here
        page.goto(html.as_uri(), wait_until="networkidle")
    assert problems == []
    page.close()


def test_serve_reloads_on_edit_and_shows_then_clears_the_error_overlay(browser, tmp_path):
    project = copy_site("basic", tmp_path / "serve")
    server, url = start_serve(project)
    try:
        page = browser.new_page()
        page.goto(f"{url}concepts/softmax.html")
        entry = project / "entries/softmax.md"
        original = entry.read_text()
        entry.write_text(original.replace("title: Softmax", "title: Softmax edited"))
        # Not wait_for_function: it evals a string, which the pages' CSP refuses.
        page.locator("h1", has_text="Softmax edited").wait_for(timeout=30_000)
        entry.write_text(original.replace("formula: |", "formla: |"))
        overlay = page.locator("#glossary-overlay")
        overlay.wait_for(state="visible", timeout=30_000)
        assert "entries/softmax.md" in overlay.inner_text()
        assert "unknown key 'formla'" in overlay.inner_text()
        entry.write_text(original)
        overlay.wait_for(state="detached", timeout=30_000)
        assert page.locator("h1").inner_text() == "Softmax"
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert server.returncode in (0, -15)


def test_a_missing_asset_would_be_reported(browser, site, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text('<!doctype html><img src="nope.svg" alt="x">')
    page = browser.new_page()
    failures = []
    page.on("requestfailed", lambda r: failures.append(r.failure))
    page.goto(broken.as_uri(), wait_until="networkidle")
    assert failures == ["net::ERR_FILE_NOT_FOUND"]
    page.close()
