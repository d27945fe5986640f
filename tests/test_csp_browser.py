"""Every page type works under its Content Security Policy in Chromium, hostile text stays text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROWSER_MARKS, copy_site, start_serve
from test_page_safety import hostile_project

pytestmark = BROWSER_MARKS

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _build(project: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=project,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return project / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = copy_site("basic", tmp_path_factory.mktemp("csp") / "project")
    (project / "pyproject.toml").write_text('[tool.glossary]\ntitle = "Test Glossary"\n')
    return _build(project)


def _watched(browser):
    page = browser.new_page()
    page.add_init_script(WATCH)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return page, problems


def test_every_page_type_runs_under_the_policy_without_violations(browser, site):
    page, problems = _watched(browser)
    pages = sorted(site.rglob("*.html"))
    kinds = {p.relative_to(site).parts[0] if len(p.relative_to(site).parts) > 1 else p.name
             for p in pages}
    assert {"index.html", "roads.html", "map.html", "404.html", "concepts", "tags"} <= kinds
    for html in pages:
        if html.name == "404.html":
            continue  # links from the host's root: test_browser_reader serves it over http
        page.goto(html.as_uri(), wait_until="networkidle")
        assert page.evaluate("window.__violations") == [], html
        # The scripts ran: search is enabled by glossary.js, which needs the two data files.
        assert page.locator("#search-input").is_visible(), html
    page.goto((site / "concepts/context-vector.html").as_uri(), wait_until="networkidle")
    page.hover(".body a.wikilink")
    page.locator("#glossary-card .katex").wait_for(state="visible")
    page.fill("#search-input", "softmax")
    page.wait_for_selector("#search-results li[role=option]")
    page.keyboard.press("Enter")  # the form must not submit (form-action 'none' would complain)
    page.wait_for_url("**/concepts/softmax.html")
    assert page.evaluate("window.__violations") == []
    assert problems == []
    page.close()


def _formula_box(browser, url: str) -> dict:
    page = browser.new_page()
    page.goto(url, wait_until="networkidle")
    box = page.evaluate("""() => { const r = document.querySelector('.formula .katex-html')
        .getBoundingClientRect(); const s = document.querySelector(".formula .V");
        return {w: Math.round(r.width), h: Math.round(r.height),
                vlist: s ? getComputedStyle(s).height : null}; }""")
    page.close()
    return box


def test_katex_layout_is_identical_with_and_without_the_policy(browser, site):
    """KaTeX positions fractions with style="" attributes: the policy must allow exactly those."""
    page = site / "concepts/softmax.html"
    html = page.read_text()
    meta = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', html).group(0)
    (site / "concepts/no-policy.html").write_text(html.replace(meta, ""))
    strict = meta.replace(" style-src-attr 'unsafe-inline';", "")
    (site / "concepts/strict-styles.html").write_text(html.replace(meta, strict))
    try:
        with_policy = _formula_box(browser, page.as_uri())
        without = _formula_box(browser, (site / "concepts/no-policy.html").as_uri())
        blocked = _formula_box(browser, (site / "concepts/strict-styles.html").as_uri())
    finally:
        (site / "concepts/no-policy.html").unlink()
        (site / "concepts/strict-styles.html").unlink()
    assert with_policy == without
    assert blocked != without  # why style-src-attr is needed: without it the fraction collapses


def test_hostile_entry_runs_no_script_in_the_browser(browser, tmp_path):
    project = hostile_project(tmp_path)
    path = project / "entries/evil.md"
    text = path.read_text().replace(" + \\\\href{javascript:alert(4)}{x}", "")
    path.write_text(text.replace(" and [[javascript:alert(5)]]", ""))
    site = _build(project)
    page, problems = _watched(browser)
    for html in sorted(site.rglob("*.html")):
        page.goto(html.as_uri(), wait_until="networkidle")
        assert page.evaluate("window.pwned") is None, html
    page.goto((site / "concepts/relu.html").as_uri(), wait_until="networkidle")
    page.hover(".body a.wikilink")  # the hover card shows the hostile title and abstraction
    card = page.locator("#glossary-card")
    card.wait_for(state="visible")
    assert "Evil <img src=x" in card.inner_text()
    page.fill("#search-input", "evil")
    page.wait_for_selector("#search-results li[role=option]")
    assert "<script>" in page.locator("#search-results").inner_text()
    assert page.evaluate("window.pwned") is None
    assert [p for p in problems if "dialog" in p] == []
    page.close()


def test_serve_live_reload_works_under_the_policy(browser, tmp_path):
    project = copy_site("basic", tmp_path / "serve")
    server, url = start_serve(project)
    try:
        page, problems = _watched(browser)
        with page.expect_request("**/__glossary/status"):  # live.js runs under the policy
            page.goto(f"{url}concepts/softmax.html", wait_until="load")
        entry = project / "entries/softmax.md"
        entry.write_text(entry.read_text().replace("title: Softmax", "title: Softmax again"))
        # A locator wait, not wait_for_function: that one evals a string, which the CSP refuses.
        page.locator("h1", has_text="Softmax again").wait_for(timeout=30_000)
        assert page.evaluate("window.__violations") == []
        assert problems == []
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
