"""Page safety without a browser: a strict CSP on every page, hostile text shown as text."""

from __future__ import annotations

import re


from conftest import entry, soup, write_entries

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; style-src-elem 'self'; "
       "style-src-attr 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")
PAYLOAD = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


def hostile_project(tmp_path):
    quoted = PAYLOAD.replace('"', '\\"')
    front = {
        "title": f'"Evil {quoted}"',
        "chunk": '"javascript:alert(1)"',
        "aliases": f'["alias {quoted}", "javascript:alert(2)"]',
        "tags": f'["tag {quoted}"]',
        "abstraction": f'"Abstraction {quoted}"',
        "formula": '"\\\\text{<script>window.pwned=3</script>} + \\\\href{javascript:alert(4)}{x}"',
    }
    body = ("A [[relu|link <b>text</b>]] and [[javascript:alert(5)]]. "
            "Math: $\\text{<img src=x onerror=alert(6)>}$.")
    code = f"print({PAYLOAD!r})\nprint('javascript:alert(7)')"
    return write_entries(tmp_path, dict([entry("evil", body=body, code=code, **front),
                                         entry("relu", body="See [[evil]].")]))


def test_every_page_has_the_strict_policy_and_no_inline_script(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu", tags="[a]"), entry("gelu", see_also="[relu]")]))
    assert glossary(tmp_path, "build").code == 0
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        html = page.read_text()
        doc = soup(page)
        metas = doc.select('meta[http-equiv="Content-Security-Policy"]')
        assert [m["content"] for m in metas] == [CSP], page
        assert doc.head.find("meta") == doc.select_one("meta[charset]")  # charset first
        assert metas[0].find_previous("script") is None and metas[0].find_previous("link") is None
        assert all(tag.get("src") for tag in doc.find_all("script")), page  # no inline script
        assert not re.search(r"\son[a-z]+\s*=", html), page  # no inline handler
        assert "unsafe-eval" not in html and "<style" not in html


def test_hostile_text_is_shown_as_text_everywhere(tmp_path, glossary):
    hostile_project(tmp_path)
    run = glossary(tmp_path, "build", "--json")
    errors = [d["message"] for d in run.report["diagnostics"] if d["severity"] == "error"]
    # \href is refused (only \chunk and \fade may produce links): the formula must go.
    assert any("\\href is not allowed" in e for e in errors), errors
    assert any("javascript:alert(5)" in e for e in errors), errors  # not a known entry


def test_hostile_text_in_a_passing_entry_is_escaped(tmp_path, glossary):
    hostile_project(tmp_path)
    path = tmp_path / "entries/evil.md"
    text = path.read_text().replace(" + \\\\href{javascript:alert(4)}{x}", "")
    path.write_text(text.replace(" and [[javascript:alert(5)]]", ""))
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 0, run.stdout
    site = tmp_path / "site"
    for page in sorted(site.rglob("*.html")):
        doc = soup(page)
        assert all(s.get("src") for s in doc.find_all("script")), page
        assert not doc.find(attrs={"onerror": True}), page
        assert not [a for a in doc.find_all(href=True) if a["href"].startswith("javascript:")], page
        assert not [img for img in doc.find_all("img") if img.get("src") == "x"], page
    evil = soup(site / "concepts/evil.html")
    assert evil.select_one("h1").get_text() == f"Evil {PAYLOAD}"
    assert PAYLOAD in evil.select_one("pre.output").get_text()
    assert "javascript:alert(7)" in evil.select_one("pre.output").get_text()
    assert "<script>window.pwned=3</script>" in evil.select_one(".formula").get_text()
    assert f"alias {PAYLOAD}" in evil.get_text()
    tag_pages = [p for p in (site / "tags").glob("*.html") if p.name != "index.html"]
    assert [p.name for p in tag_pages] == ["tag-img-src-x-onerror-window-pwned-1-script-window-"
                                           "pwned-2-script.html"]
    for js in [*sorted((site / "cards").glob("*.js")), site / "search-index.js"]:
        data = js.read_text()
        assert "</script" not in data.lower(), js  # (the browser test shows it is used as text)
