"""Build the small fixture glossary once and check the produced HTML with a real parser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pygments.formatters import HtmlFormatter

from conftest import copy_site, soup
from generator import katex
from generator.assets import find_package

ROOT = Path(__file__).resolve().parents[1]


def build(project: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--json", *args],
                          cwd=project, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return copy_site("basic", tmp_path_factory.mktemp("basic") / "project")


@pytest.fixture(scope="module")
def site(project) -> Path:
    report = build(project)
    assert report["entries"] == 5
    return project / "site"


def test_one_page_per_entry_and_the_site_pages(site):
    names = sorted(p.name for p in (site / "concepts").iterdir())
    assert names == ["attention-weights.html", "context-vector.html", "lonely.html",
                     "moving-average.html", "softmax.html"]
    for page in ("index.html", "404.html", "map.html", "roads.html", "tags/index.html",
                 "tags/attention.html", "sitemap.xml", "robots.txt", "cards/softmax.js", "search-index.js",
                 "search.html", "static/theme.js"):
        assert (site / page).is_file(), page


def test_index_lists_entries_a_to_z_with_chunk_and_abstraction(site):
    page = soup(site / "index.html")
    items = page.select(".az .entry-list li")
    titles = [li.a.get_text() for li in items]
    assert titles == sorted(titles, key=str.lower)
    softmax = next(li for li in items if li.a.get_text() == "Softmax")
    assert softmax.a["href"] == "concepts/softmax.html"
    assert "softmax" in softmax.select_one(".chunk-said").get_text()
    assert "positive proportions" in softmax.p.get_text()
    letters = [a.get_text() for a in page.select(".letters a")]
    assert letters == ["A", "C", "E", "L", "S"]


def test_entry_page_leads_with_the_words_then_formula(site):
    page = soup(site / "concepts/softmax.html")
    article = page.select_one("article.entry")
    order = [el for el in article.find_all(["h1", "section"], recursive=True)]
    assert order[0].name == "h1" and order[0].get_text() == "Softmax"
    assert "positive proportions" in page.select_one(".abstraction").get_text()
    assert page.select_one(".formula .katex-display .katex-mathml math") is not None
    assert page.title.get_text().startswith("Softmax")


def test_chunk_is_a_highlighted_link_with_its_name(site):
    page = soup(site / "concepts/attention-weights.html")
    chunk = page.select_one(".formula a.chunk")
    assert chunk["href"] == "../concepts/softmax.html"
    card = page.select_one(f".formula .chunk-card[data-chunks~='{chunk['data-chunk']}']")
    assert card.get_text().startswith("“softmax” Softmax") and "add up to one" in card.get_text()


def test_fade_and_shared_macros_render(site):
    page = soup(site / "concepts/context-vector.html")
    assert page.select_one(".formula .fade") is not None
    assert "mathbf" not in page.select_one(".formula .katex-html").get_text()
    body = soup(site / "concepts/softmax.html").select_one(".body")
    assert body.find("mi", mathvariant="double-struck").get_text() == "R"  # \RR from macros.tex


def test_body_math_environments_and_dollars_that_stay_text(site):
    body = soup(site / "concepts/attention-weights.html").select_one(".body")
    assert len(body.select(".katex-display")) == 1
    code = body.find("code", string=re.compile(r"cost"))
    assert code.get_text() == "cost = $5 and $6"
    assert "escaped $7 too" in body.get_text()


def test_snippet_output_is_escaped_and_figures_have_alt_text(site):
    html = (site / "concepts/softmax.html").read_text("utf-8")
    page = soup(site / "concepts/softmax.html")
    outputs = [pre.get_text() for pre in page.select("pre.output")]
    assert "<script>alert('x')</script>" in outputs[0]
    assert "<script>alert" not in html  # only escaped
    images = page.select("figure.plot img.fig-light")
    assert len(page.select("figure.plot img.fig-dark")) == len(images)
    assert not page.select("figure.plot figcaption")  # it only repeated the alt text
    assert [img["alt"] for img in images] == ["softmax of three scores", "the same bars, drawn twice"]
    for img in images:
        assert (site / "concepts" / img["src"]).resolve().is_file()


def test_figure_svgs_have_unique_ids_and_no_dates(site):
    ids = []
    for svg in sorted((site / "figures").glob("*.svg")):
        text = svg.read_text("utf-8")
        assert "<dc:date>" not in text
        ids += re.findall(r'id="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_norun_block_is_shown_not_run(site):
    page = soup(site / "concepts/attention-weights.html")
    labels = [div.get_text() for div in page.select(".snippet-label")]
    assert labels == ["python · not run", "python · ran at build time · download .py .ipynb"]


def test_every_internal_url_is_relative(site):
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for tag in soup(page).find_all(["a", "link", "script", "img"]):
            url = tag.get("href") or tag.get("src") or ""
            if url.startswith(("https://github.com/", "https://example.org/")) and tag.name in ("a", "link"):
                continue  # edit-this-page and canonical links are meant to be absolute
            assert not url.startswith(("/", "http:", "https:")), (page, url)


def test_hosting_meta_and_edit_link(site):
    page = soup(site / "concepts/softmax.html")
    assert page.find("link", rel="canonical")["href"] == \
        "https://example.org/glossary/concepts/softmax.html"
    assert page.find("meta", property="og:title")["content"] == "Softmax"
    assert "positive proportions" in page.find("meta", property="og:description")["content"]
    assert page.select_one("a.edit")["href"] == \
        "https://github.com/example/glossary/edit/main/entries/softmax.md"
    sub = soup(site / "concepts/moving-average.html").select_one("a.edit")["href"]
    assert sub.endswith("entries/optim/moving-average.md")
    assert "Sitemap: https://example.org/glossary/sitemap.xml" in (site / "robots.txt").read_text()


def test_404_uses_the_base_url_path_since_hosts_serve_it_at_any_depth(site):
    page = soup(site / "404.html")
    assert page.find("link", rel="stylesheet", href=re.compile("style.css"))["href"] == \
        "/glossary/static/style.css"
    assert page.find("a", string="concept map")["href"] == "/glossary/map.html"


def test_katex_css_and_fonts_are_served_from_the_site(site):
    css = site / "static/katex/katex.min.css"
    fonts = list((site / "static/katex/fonts").glob("*.woff2"))
    assert css.is_file() and len(fonts) >= 20
    assert not list((site / "static/katex/fonts").glob("*.ttf"))
    used = set(re.findall(r"fonts/([\w-]+\.woff2)", css.read_text("utf-8")))
    assert used <= {f.name for f in fonts}


def test_previous_and_next_follow_a_to_z(site):
    page = soup(site / "concepts/context-vector.html")
    assert page.select_one("a[rel=prev]")["href"] == "../concepts/attention-weights.html"
    assert page.select_one("a[rel=next]")["href"] == "../concepts/moving-average.html"


def test_second_build_runs_nothing_and_is_byte_identical(project, site):
    before = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    # Without the last build's manifest every stage runs again, from the caches.
    shutil.rmtree(project / ".glossary-cache" / "builds")
    report = build(project)
    assert report["up_to_date"] is False
    assert report["formulas"]["rendered"] == 0 and report["formulas"]["cached"] > 0
    assert report["snippets"] == {"run": 0, "cached": 6}
    assert report["js_engine_started"] is False
    after = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert before == after


def test_cold_build_elsewhere_is_byte_identical(tmp_path, site):
    other = copy_site("basic", tmp_path / "other")
    report = build(other, "--no-cache")
    assert report["snippets"]["run"] == 6 and report["formulas"]["cached"] == 0
    first = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    second = {p.relative_to(other / "site"): p.read_bytes()
              for p in (other / "site").rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_no_change_rebuild_never_imports_matplotlib(project, site):
    code = ("import sys; from generator.cli import main; rc = main(['build', '--json']); "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'; sys.exit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["snippets"]["run"] == 0


def _css_classes(css: str) -> set[str]:
    return set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", re.sub(r"url\([^)]*\)", "", css)))


def test_every_class_in_a_formula_is_one_a_stylesheet_names(site):
    """``katex.tidy`` drops what nothing styles and shortens layout classes; the site's
    KaTeX stylesheet is renamed the same way, so every class left must match a rule."""
    styled = set().union(*(_css_classes(css.read_text("utf-8"))
                           for css in (site / "static").rglob("*.css")))
    in_formulas = set()
    for page in site.rglob("*.html"):
        assert all(math.get("xmlns") is None for math in soup(page).find_all("math")), page
        for formula in soup(page).select(".katex-html"):
            for element in formula.find_all(class_=True):
                in_formulas.update(element["class"])
    assert {"V", "Vt", "Vr", "P", "N"} <= in_formulas
    # ``\htmlClass`` marks (chunks, sweep parameters) are found by our code, not styled.
    marks = {"enclosing"} | {name for name in in_formulas if name.startswith("param-")}
    assert in_formulas - styled - marks == set()
    assert not in_formulas & (katex.UNSTYLED_CLASSES | set(katex.SHORT_CLASSES))


def test_short_and_dropped_katex_classes_collide_with_nothing():
    """The pinned KaTeX stylesheet styles none of the dropped classes (an upgrade that
    starts to would fail here), and no short name is a class of KaTeX, Pygments or ours."""
    katex_css = find_package("katex", ROOT).file("dist/katex.min.css").read_text("utf-8")
    assert not _css_classes(katex_css) & katex.UNSTYLED_CLASSES
    ours = set().union(*(_css_classes(css.read_text("utf-8"))
                         for css in (ROOT / "generator/static").glob("*.css")))
    pygments = _css_classes(HtmlFormatter(style="default").get_style_defs(".highlight"))
    taken = _css_classes(katex_css) | ours | pygments
    assert set(katex.SHORT_CLASSES) <= _css_classes(katex_css)
    assert not set(katex.SHORT_CLASSES.values()) & taken
    assert len(set(katex.SHORT_CLASSES.values())) == len(katex.SHORT_CLASSES)
