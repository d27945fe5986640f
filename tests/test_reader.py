"""What a reader meets, checked without a browser: the map's layout at every size, the
de-duplicated connections, the 404's links, last-changed dates, themed figures, code colours."""

from __future__ import annotations

import os
import re
import subprocess
import time
from types import SimpleNamespace

import pytest

from generator.conceptmap import (BOLD_SCALE, DOT_R, LABEL_LINE_PX, MAP_ENTRY_LIMIT,
                                  concept_map_svg, connection_groups, label_lines, label_px,
                                  layered_layout)
from generator.config import SiteConfig
from generator.emitters.pages import last_changed, not_found_root
from generator.emitters.static import CODE_BG, MIN_CONTRAST, contrast, pygments_css
from generator.figure_theme import dark_svg, light_svg
from generator.links import Glossary, Relations
from generator.render import RelationGroup
from generator.vocabulary import Vocabulary

ROADS = ("abstraction", "chunking", "action")
WORDS = ("attention", "softmax", "gradient", "matrix", "layer", "norm", "residual", "vector",
         "product", "decomposition", "moving", "average", "learning", "rate", "momentum")


def synthetic_glossary(count: int, families: int = 12, seed: int = 3) -> Glossary:
    """Return a linked glossary of ``count`` entries with long titles, chains and cycles."""
    import random
    rng = random.Random(seed)
    entries, relations = [], {}
    for i in range(count):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).capitalize()
        slug = f"e{i:05d}"
        family = f"family-{i % families}"
        entries.append(SimpleNamespace(slug=slug, title=f"{title} {i}", road=ROADS[i % 3],
                                       tags=[family], rel_path=f"{family}/{slug}.md"))
        relations[slug] = Relations()
    for i, entry in enumerate(entries):
        for kind, n in (("uses", 2), ("builds_on", 1), ("see_also", 1), ("wikilink", 1)):
            for _ in range(rng.randint(0, n)):
                # Mostly chains (towards earlier entries), now and then a cycle.
                chain = kind in ("uses", "builds_on") and i and i % 50
                other = entries[rng.randrange(i) if chain else rng.randrange(count)].slug
                if other != entry.slug:
                    relations[entry.slug].outgoing.setdefault(kind, []).append(other)
                    relations[other].incoming.setdefault(kind, []).append(entry.slug)
    entries.sort(key=lambda e: e.title.lower())
    return Glossary(entries, {e.slug: e for e in entries}, {}, relations, Vocabulary())


def label_boxes(glossary: Glossary) -> list[tuple[float, float, float, float]]:
    layout = layered_layout(glossary.entries, glossary.edges(), glossary.vocabulary)
    boxes = []
    for entry in glossary.entries:
        x, y = layout.pos[entry.slug]
        boxes.append((x - DOT_R, y - 9, x + DOT_R + 5 + label_px(entry.title), y + 9))
    return boxes


def overlapping(boxes) -> list[tuple[int, int]]:
    """Return the pairs of boxes that intersect (sweep over x)."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    found, active = [], []
    for i in order:
        x0, y0, x1, y1 = boxes[i]
        active = [j for j in active if boxes[j][2] > x0]
        found += [(j, i) for j in active if boxes[j][1] < y1 and y0 < boxes[j][3]]
        active.append(i)
    return found


def test_the_overlap_check_finds_overlaps():
    assert overlapping([(0, 0, 10, 10), (5, 5, 20, 20), (30, 0, 40, 10)]) == [(0, 1)]


@pytest.mark.parametrize("count", [62, 300])
def test_estimated_label_boxes_never_overlap(count):
    assert overlapping(label_boxes(synthetic_glossary(count))) == []


def test_layout_puts_an_entry_right_of_what_it_uses_and_is_deterministic():
    glossary = synthetic_glossary(300)
    layout = layered_layout(glossary.entries, glossary.edges(), glossary.vocabulary)
    directed = [(a, b) for a, b, kind in glossary.edges() if kind in ("uses", "builds_on")]
    ahead = sum(layout.pos[a][0] > layout.pos[b][0] for a, b in directed)
    assert ahead >= 0.9 * len(directed)  # all but the edges inside cycles
    assert concept_map_svg(glossary, "") == concept_map_svg(synthetic_glossary(300), "")


@pytest.mark.parametrize("count", [1000, 5000])
def test_big_glossaries_get_a_map_of_families_quickly(count):
    glossary = synthetic_glossary(count, families=40)
    started = time.perf_counter()
    svg = concept_map_svg(glossary, "")
    assert time.perf_counter() - started < 15
    assert count > MAP_ENTRY_LIMIT and "families-map" in svg
    assert svg.count('class="map-node family"') == 40
    assert 'href="families/family-7.html"' in svg


@pytest.mark.parametrize("title, scale, lines", [
    ("Adam", 1.0, ["Adam"]),
    ("Singular value decomposition", 1.0, ["Singular value decomposition"]),
    ("Singular value decomposition", BOLD_SCALE, ["Singular value", "decomposition"]),
    ("Mini-batch stochastic gradient descent", 1.0, ["Mini-batch stochastic", "gradient descent"]),
    ("Query, key and value projections", 1.0, ["Query, key and", "value projections"]),
    ("Backpropagationthroughtimewithoutanyspace", 1.0, ["Backpropagationthroughtimewithoutanyspace"]),
])
def test_long_neighbour_map_labels_wrap_at_the_space_nearest_their_middle(title, scale, lines):
    assert label_lines(title, scale) == lines
    if len(lines) == 2:
        assert " ".join(lines) == title
        assert all(label_px(line) * scale <= LABEL_LINE_PX for line in lines)


def group(kind, direction, *slugs):
    return RelationGroup(kind, kind, direction, slugs)


def test_connections_list_each_neighbour_once_under_its_most_telling_relation():
    groups = (group("uses", "in", "adam", "cross-entropy"),
              group("see_also", "both", "adam", "logits"), group("chunk", "in", "cross-entropy"),
              group("wikilink", "in", "cross-entropy", "adam", "momentum"))
    kept = connection_groups(groups, Vocabulary())
    assert [(g.kind, g.direction, g.slugs) for g in kept] == [
        ("uses", "in", ("adam",)), ("see_also", "both", ("logits",)),
        ("chunk", "in", ("cross-entropy",)), ("wikilink", "in", ("momentum",))]


@pytest.mark.parametrize("base_url, root", [
    ("", "/"), ("https://example.org/glossary/", "/glossary/"),
    ("https://example.org/glossary", "/glossary/"), ("https://example.org", "/")])
def test_404_links_start_at_the_base_url_path_or_the_host_root(base_url, root):
    assert not_found_root(SiteConfig(base_url=base_url)) == root


def test_last_changed_comes_from_git_and_is_empty_outside_git(tmp_path):
    entries = tmp_path / "entries"
    (entries / "optim").mkdir(parents=True)
    assert last_changed(entries) == {}
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}

    def commit(name: str, date: str) -> None:
        (entries / name).write_text(date)
        subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True, env=env)
        subprocess.run(["git", "commit", "-qm", name], cwd=tmp_path, check=True,
                       env={**env, "GIT_COMMITTER_DATE": f"{date}T12:00:00Z",
                            "GIT_AUTHOR_DATE": f"{date}T12:00:00Z"})

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    commit("softmax.md", "2024-01-02")
    commit("optim/adam.md", "2024-03-04")
    commit("softmax.md", "2024-05-06")
    (entries / "new.md").write_text("not committed")
    assert last_changed(entries) == {"softmax.md": "2024-05-06", "optim/adam.md": "2024-03-04"}


SVG = ('<svg><defs><clipPath id="f-p1"><rect/></clipPath></defs>'
       '<path style="fill: #ffffff"/><path d="M0 0" style="fill: #ffffff; stroke: #000000"/>'
       '<path clip-path="url(#f-p1)" d="M1 1" style="stroke: #1f77b4"/>'
       '<use xlink:href="#f-p1" href="#f-p1"/></svg>')


def test_figures_come_light_and_dark_without_empty_paths():
    light, dark = light_svg(SVG), dark_svg(SVG)
    assert "<path style" not in light and light.count("<path") == 2
    assert "#ffffff" in light and "#ffffff" not in dark and "#000000" not in dark
    assert "#1f77b4" in dark  # data colours stay
    assert dark.startswith('<svg fill="#e6e8ec">')  # glyphs without a fill are not black
    assert 'id="f-p1-dark"' in dark and "url(#f-p1-dark)" in dark and 'href="#f-p1-dark"' in dark


def test_every_code_colour_reads_on_its_background():
    css = pygments_css().decode()
    pairs = re.findall(r"light-dark\((#[0-9a-f]{6}|currentcolor),(#[0-9a-f]{6}|currentcolor)\)", css)
    assert len(pairs) > 20
    for light, dark in pairs:
        if light != "currentcolor":
            assert contrast(light, CODE_BG["light"]) >= MIN_CONTRAST, light
        if dark != "currentcolor":
            assert contrast(dark, CODE_BG["dark"]) >= MIN_CONTRAST, dark
