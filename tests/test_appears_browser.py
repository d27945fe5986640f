""""Appears inside" in headless Chromium, from file:// under the page's CSP: each holder's
formula comes from its hover card and is drawn with exactly the chunks the render stage
would have lit (the markup a build used to store and ship once per page showing it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import BROWSER_MARKS, copy_site
from generator.build import build as run_stages
from generator.config import load_config
from generator.diagnostics import Reporter

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The chunks test site, built in this process: its site and its rendered model."""
    project = copy_site("chunks", tmp_path_factory.mktemp("appears-browser") / "project")
    reporter = Reporter()
    result = run_stages(load_config(project), reporter)
    assert reporter.error_count == 0, [d.format() for d in reporter.diagnostics]
    return project / "site", result.model


def _lit_markup(model, holder: str, lit: tuple[int, ...]) -> str:
    """The holder's formula, visual half, only ``lit`` highlighted: what the render stage made
    for each appearance before formulas were shipped once."""
    tex = model.glossary.by_slug[holder].formula
    visual = model.engine.visual_only(model.math.lookup(tex.tex, tex.display))
    return model.engine.decorate_chunks(
        visual, lambda index, inner: f'<span class="chunk">{inner}</span>' if index in lit else inner)


def _open(browser, path: Path, **kw):
    context = browser.new_context(viewport={"width": 1280, "height": 700}, **kw)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.goto(path.as_uri())
    return page


def _wait_until_drawn(page) -> None:
    """Poll from outside the page (wait_for_function evaluates strings, which the CSP forbids)."""
    for _ in range(100):
        if page.evaluate("!document.querySelector('.appears-in [data-deferred]')"):
            return
        page.wait_for_timeout(50)
    raise AssertionError("the formulas it appears inside were never drawn")


@pytest.mark.parametrize("slug", ["inner", "part"])
def test_each_holder_is_drawn_from_its_card_with_only_this_entry_lit(browser, built, slug):
    site, model = built
    page = _open(browser, site / f"concepts/{slug}.html")
    assert "Content-Security-Policy" in page.content()  # drawn under the page's strict CSP
    links = page.locator(".appears-in a.appearance-formula")
    assert links.count() == len(model.by_slug[slug].appears_in.shown) > 0
    page.locator(".appears-in").scroll_into_view_if_needed()
    _wait_until_drawn(page)
    for number, found in enumerate(model.by_slug[slug].appears_in.shown):
        link = links.nth(number)
        assert link.get_attribute("data-holder") == found.holder
        same = link.evaluate("(link, expected) => { const box = document.createElement('div');"
                             " box.innerHTML = expected; return box.innerHTML === link.innerHTML; }",
                             _lit_markup(model, found.holder, found.lit))
        assert same, (found.holder, link.inner_html()[:300])
        assert link.locator(".chunk").count() == len(found.lit)
    assert page.problems == []
    page.context.close()


def test_without_javascript_the_captions_name_and_link_every_holder(browser, built):
    site, _model = built
    page = _open(browser, site / "concepts/inner.html", java_script_enabled=False)
    assert page.locator(".appears-in a.appearance-formula .katex").count() == 0
    captions = page.locator(".appears-in figcaption a")
    assert [captions.nth(i).get_attribute("href") for i in range(captions.count())] == [
        "../concepts/hard-cases.html", "../concepts/part.html", "../concepts/part.html",
        "../concepts/outer.html"]
    page.context.close()
