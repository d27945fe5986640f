"""Incremental rebuilds: after one edit the site equals, byte for byte, a cold build of the edit.

One project (the basic fixture glossary, the chunks fixture in a sub-folder, a swept
entry, an empty theme) is built once; each test copies it with its caches, makes one edit, rebuilds,
and compares the whole output tree with a cold build (no cache at all) of the edited
project. Each also checks that the rebuild reused what the edit cannot have changed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SITES, copy_site

TEMPLATES = Path(__file__).resolve().parent.parent / "generator" / "templates"
SWEPT = """---
title: Swept
chunk: a knob turned
abstraction: An entry whose snippet runs once for every value of its knob.
formula: y = a x
params:
  a: [1, 2, 3]
---

Each value of $a$ prints its own line.

```python
print("a times two is", a * 2)
```
"""


def build(project: Path, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--json", *args], cwd=project,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = copy_site("basic", tmp_path_factory.mktemp("incremental") / "template")
    shutil.copytree(SITES / "chunks" / "entries", project / "entries" / "chunks")
    (project / "entries" / "swept.md").write_text(SWEPT, "utf-8")
    (project / "theme" / "templates").mkdir(parents=True)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('theme_dir = "theme"\n')
    report = build(project)
    assert report["reused"]["pages"]["reused"] == 0
    return project


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A copy of the built project, its caches included (the manifest is per output path)."""
    return Path(shutil.copytree(built, tmp_path / "project", symlinks=True))


def assert_same_as_cold(project: Path, tmp_path: Path) -> None:
    cold = tmp_path / "cold"
    shutil.copytree(project, cold, ignore=shutil.ignore_patterns(".glossary-cache", "site"))
    build(cold)
    incremental, expected = tree(project / "site"), tree(cold / "site")
    assert sorted(incremental) == sorted(expected)
    differ = [name for name in expected if incremental[name] != expected[name]]
    assert differ == [], f"incremental output differs from a cold build in {differ}"


def pages(report: dict) -> tuple[int, int]:
    counts = report["reused"]["pages"]
    return counts["made"], counts["reused"]


def test_nothing_changed_but_the_output_path_reuses_every_page(project, tmp_path):
    report = build(project)  # the copy's manifest is for another folder: a full build
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    assert pages(report)[0] == 0 and report["reused"]["render"]["made"] == 0
    assert report["snippets"]["run"] == 0


def test_prose_edit_remakes_only_its_own_page(project, tmp_path):
    edit(project / "entries" / "softmax.md", "makes every score positive",
         "keeps every score above zero")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    assert pages(report)[0] == 1
    assert report["reused"]["render"]["made"] == 1


def test_snippet_edit_reruns_and_remakes_only_its_entry(project, tmp_path):
    edit(project / "entries" / "softmax.md", "z = np.array([2.0, 1.0, 0.1])",
         "z = np.array([3.0, 1.0, 0.1])")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    assert report["snippets"]["run"] >= 1 and report["reused"]["render"]["made"] == 1


def test_new_relation_remakes_both_ends(project, tmp_path):
    lonely = project / "entries" / "lonely.md"
    text = lonely.read_text("utf-8")
    lonely.write_text(re.sub(r"\n---\n", "\nsee_also: [softmax]\n---\n", text, count=1), "utf-8")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    made, reused = pages(report)
    assert made >= 2 and reused > 0  # lonely and softmax, not the others


def test_title_shown_by_neighbours_remakes_their_pages(project, tmp_path):
    edit(project / "entries" / "softmax.md", "title: Softmax", "title: Soft arg max")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    made, reused = pages(report)
    assert made > 1 and reused > 0


def test_formula_shown_inside_others_remakes_where_it_appears(project, tmp_path):
    edit(project / "entries" / "chunks" / "part.md", r"p = \chunk{inner}{q}",
         r"p = \chunk{inner}{q} + 2")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    assert report["reused"]["render"]["made"] >= 2  # part and inner (it appears inside part)


def test_formula_two_chunks_away_remakes_where_it_appears(project, tmp_path):
    # inner appears inside outer through part: inner's page names outer (the formula itself
    # comes from outer's card), and part and outer in its caption
    edit(project / "entries" / "chunks" / "outer.md", r"o = \chunk{part}{p} + 1",
         r"o = \chunk{part}{p} + 3")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    made = report["reused"]["render"]["made"]  # outer, part and inner inside it, its A-Z neighbours
    assert 3 <= made < report["entries"]


def test_chunks_renumbered_two_chunks_away_relight_where_it_appears(project, tmp_path):
    # outer's chunk naming part becomes its second: inner's page lights chunk 1 of outer
    edit(project / "entries" / "chunks" / "outer.md", r"o = \chunk{part}{p} + 1",
         r"o = \chunk{softmax}{s} + \chunk{part}{p} + 1")
    build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    page = (project / "site" / "concepts" / "inner.html").read_text("utf-8")
    assert 'data-holder="outer" data-lit="1"' in page


def test_template_edit_remakes_every_page_from_cached_renders(project, tmp_path):
    template = (TEMPLATES / "entry.html").read_text("utf-8")
    (project / "theme" / "templates" / "entry.html").write_text(
        template.replace("</article>", "<!-- a theme's entry page -->\n</article>"), "utf-8")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    made, reused = pages(report)
    assert reused == 0 and made == report["entries"]
    assert report["reused"]["render"]["made"] == 0 and report["snippets"]["run"] == 0
    assert "a theme's entry page" in (project / "site" / "concepts" / "softmax.html").read_text()


def test_only_changed_files_are_written_again(project, tmp_path):
    build(project)  # the copy's own manifest: the next build knows what this one wrote
    site = project / "site"
    before = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    edit(project / "entries" / "softmax.md", "makes every score positive",
         "keeps every score above zero")
    build(project)
    after = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    rewritten = sorted(name for name in after if after[name] != before.get(name))
    # its page, its notebook and the search index (both hold its prose), and the marker
    # the writer always writes first
    assert rewritten == [".glossary-site", "concepts/softmax.html", "downloads/softmax.ipynb",
                         "search-index.js"]


LIMITS = """---
title: Limits
chunk: the address space a snippet gets
abstraction: An entry whose printed result depends on the runtime, not on its source.
formula: m
---

Its output changes when the runtime does, as a numpy upgrade changes what a snippet prints.

```python
import resource
print("address space", resource.getrlimit(resource.RLIMIT_AS)[0] // 2**20, "MB")
```
"""


def test_changed_snippet_result_with_unchanged_source_remakes_its_page(project, tmp_path):
    # A runtime change reruns every snippet with its source unchanged (the snippet key
    # holds the runtime: versions, limits). Here the memory limit, which the limits entry
    # prints; the site key leaves it out, so only the result can tell its page changed.
    (project / "entries" / "limits.md").write_text(LIMITS, "utf-8")
    build(project)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write("memory = 1536\n")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    assert "address space 1536 MB" in (project / "site/concepts/limits.html").read_text()
    assert report["snippets"]["cached"] == 0  # every snippet ran again ...
    assert report["reused"]["render"]["made"] == 1  # ... and only one printed something new


IMPORT_SOFTMAX = ("import numpy as np\nw = np.exp",
                  "from glossary.entries.softmax import p\nimport numpy as np\nw = np.exp")


def test_new_code_importer_remakes_the_page_of_the_entry_it_imports(project, tmp_path):
    # attention-weights already uses softmax: importing its code changes no relation and
    # not softmax's source, yet softmax's page now says whose code uses it.
    edit(project / "entries" / "attention-weights.md", *IMPORT_SOFTMAX)
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    softmax = (project / "site/concepts/softmax.html").read_text("utf-8")
    assert "code used by: " in softmax and "Attention weights</a>" in softmax
    assert report["reused"]["render"]["made"] == 2  # the importer and softmax


def test_code_edit_in_an_imported_entry_remakes_its_importers_downloads(project, tmp_path):
    # A comment in softmax's code changes no result: the importer's page stays the same,
    # but its downloads inline softmax's code.
    edit(project / "entries" / "attention-weights.md", *IMPORT_SOFTMAX)
    build(project)
    edit(project / "entries" / "softmax.md", "z = np.array([2.0, 1.0, 0.1])",
         "z = np.array([2.0, 1.0, 0.1])  # three scores")
    report = build(project)
    assert_same_as_cold(project, tmp_path)  # first: a stale page fails here
    script = (project / "site/downloads/attention-weights.py").read_text("utf-8")
    assert "# three scores" in script
    assert report["reused"]["render"]["made"] == 2  # softmax and its importer


# --- "appears inside" past its bound: how many more, and through which shown holder ---------

CHAIN = 22
"""c00 held by c01, held by c02 ...: c00 appears inside 21 formulas, one past the 20 shown."""
CHECK = "\n```python\nassert True\n```\n"


def _link(number: int, held: int) -> str:
    return (f"---\ntitle: C{number:02d}\nchunk: part {number}\nabstraction: Link {number}.\n"
            f"formula: '\\chunk{{c{held:02d}}}{{x}} + {number}'\n---\n\nLink {number}.\n{CHECK}")


@pytest.fixture(scope="module")
def chain_built(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("incremental-chain") / "template"
    (project / "entries").mkdir(parents=True)
    (project / "entries" / "c00.md").write_text(
        "---\ntitle: C00\nchunk: the start\nabstraction: Where the chain starts.\n"
        "formula: x\n---\n\nThe start.\n" + CHECK, "utf-8")
    for number in range(1, CHAIN):
        (project / "entries" / f"c{number:02d}.md").write_text(_link(number, number - 1), "utf-8")
    build(project)
    return project


@pytest.fixture
def chain(chain_built, tmp_path) -> Path:
    return Path(shutil.copytree(chain_built, tmp_path / "project", symlinks=True))


def _more(project: Path) -> str:
    page = (project / "site" / "concepts" / "c00.html").read_text("utf-8")
    return " ".join(re.sub(r"<[^>]+>", "", page.split('class="appearance-more">', 1)[1]
                           .split("</p>", 1)[0]).split())


def test_a_holder_past_the_shown_ones_remakes_the_count(chain, tmp_path):
    assert _more(chain) == "…and 1 more formula holds it, through C20."
    (chain / "entries" / f"c{CHAIN:02d}.md").write_text(_link(CHAIN, CHAIN - 1), "utf-8")
    build(chain)
    assert_same_as_cold(chain, tmp_path)  # first: a stale page fails here
    assert _more(chain) == "…and 2 more formulas hold it, through C20."


def test_a_new_way_out_to_a_holder_past_the_shown_ones_remakes_the_link(chain, tmp_path):
    # c21 holds c19 instead of c20: still one more (c21), now reached through c19
    (chain / "entries" / "c21.md").write_text(_link(21, 19), "utf-8")
    build(chain)
    assert_same_as_cold(chain, tmp_path)  # first: a stale page fails here
    assert _more(chain) == "…and 1 more formula holds it, through C19."
