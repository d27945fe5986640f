"""The HTML pages: one per entry, index, roads, concept map, tags, 404 (Jinja2, autoescaped).

Templates come from the project's ``theme_dir/templates`` first, then ours.
Every page is at the site root or one folder down; ``root`` is the relative
prefix back to the root, so every internal URL is relative.
"""

from __future__ import annotations

from urllib.parse import quote

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined,
                    select_autoescape)
from markupsafe import Markup

from .. import __version__
from ..conceptmap import concept_map_svg, neighbour_map_svg
from ..render import SiteModel, entry_url, tag_slug, tag_url
from . import OutputFile


def make_jinja(model: SiteModel) -> Environment:
    config = model.config
    loaders = [PackageLoader("generator", "templates")]
    if config.theme_dir:
        loaders.insert(0, FileSystemLoader(str(config.resolve(config.theme_dir) / "templates")))
    jinja = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(default=True),
                        undefined=StrictUndefined, keep_trailing_newline=True)
    jinja.globals.update(site=config, vocabulary=config.vocabulary, entry_url=entry_url,
                         tag_url=tag_url, version=__version__, by_slug=model.glossary.by_slug,
                         math_stylesheets=[dest for _, dest in model.engine.stylesheets()
                                           if dest.endswith(".css")])
    return jinja


def emit(model: SiteModel) -> list[OutputFile]:
    jinja = make_jinja(model)
    config = model.config

    def page(template: str, dest: str, origin: str, origin_pos=None, **context) -> OutputFile:
        root = "../" * dest.count("/")
        if dest == "404.html" and config.base_url:
            root = config.base_url.rstrip("/") + "/"  # served at any depth by hosts
        canonical = config.base_url.rstrip("/") + "/" + dest if config.base_url else ""
        text = jinja.get_template(template).render(root=root, dest=dest, canonical=canonical,
                                                   **context)
        return OutputFile(dest, text.encode("utf-8"), origin=origin, origin_pos=origin_pos)

    files = [_entry_page(model, page, i) for i in range(len(model.entries))]
    entries = [r.entry for r in model.entries]
    by_letter: dict[str, list] = {}
    for entry in entries:
        letter = entry.title[:1].upper()
        by_letter.setdefault(letter if letter.isalpha() else "#", []).append(entry)
    vocabulary = config.vocabulary
    by_road = {road.key: [e for e in entries if e.road == road.key] for road in vocabulary.roads}
    unsorted = [e for e in entries if not e.road]
    files.append(page("index.html", "index.html", "the index page", by_letter=by_letter,
                      by_road=by_road, title=config.title, description=config.description,
                      count=len(entries)))
    files.append(page("roads.html", "roads.html", "the roads page", by_road=by_road,
                      unsorted=unsorted, title=f"The {_count_word(len(vocabulary.roads))} roads",
                      description=config.description))
    files.append(page("map.html", "map.html", "the concept map", title="Concept map",
                      description="Every entry and every relation between them.",
                      svg=Markup(concept_map_svg(model.glossary, "")), wide=True))
    tagged = {tag: [model.glossary.by_slug[s] for s in slugs] for tag, slugs in model.tags.items()}
    files.append(page("tags.html", "tags/index.html", "the tags page", tags=tagged, title="Tags",
                      description="Entries by tag."))
    for tag, members in tagged.items():
        files.append(page("tag.html", f"tags/{tag_slug(tag)}.html", f"the page of tag '{tag}'",
                          _tag_pos(members[0], tag), tag=tag, entries=members,
                          title=f"Tag: {tag}", description=f"Entries tagged {tag}."))
    files.append(page("404.html", "404.html", "the 404 page", title="Not found",
                      description="This page does not exist."))
    return files


def _entry_page(model: SiteModel, page, position: int) -> OutputFile:
    rendered = model.entries[position]
    entry = rendered.entry
    config = model.config
    edit = ""
    if config.repo_url:
        entries_dir = config.entries.as_posix().strip("/")
        edit = (f"{config.repo_url.rstrip('/')}/edit/{config.repo_branch}/"
                f"{entries_dir}/{quote(entry.rel_path)}")
    entries = model.entries
    previous = entries[position - 1].entry if position > 0 else None
    following = entries[position + 1].entry if position + 1 < len(entries) else None
    road = config.vocabulary.road(entry.road) if entry.road else None
    return page("entry.html", f"concepts/{entry.slug}.html", f"the page of entry '{entry.slug}'",
                entry.source.start(), entry=entry, rendered=rendered, road=road,
                body=Markup(rendered.body_html), formula=Markup(rendered.formula_html),
                groups=rendered.groups, chunk_tree=rendered.chunk_tree, edit_url=edit,
                previous=previous, next=following,
                neighbour_map=Markup(neighbour_map_svg(model.glossary, entry.slug, "../")),
                title=entry.title, description=entry.abstraction)


def _tag_pos(entry, tag: str):
    for value, pos in zip(entry.tags, entry.item_positions.get("tags", ()), strict=False):
        if value == tag:
            return pos
    return entry.source.start()


def _count_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)
