"""The HTML pages: one per entry, index, roads, concept map, families, tags, search, 404
(Jinja2, autoescaped).

Templates come from the project's ``theme_dir/templates`` first, then ours.
Every page is at the site root or one folder down; ``root`` is the relative
prefix back to the root, so every internal URL is relative, except on the 404
page, which hosts serve at any depth: its links start at the host's root, or at
the path of the configured base URL.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined,
                    select_autoescape)
from markupsafe import Markup

from .. import __version__
from ..cache import content_key
from ..conceptmap import (MAP_ENTRY_LIMIT, concept_map_svg, connection_groups, families,
                          family_of, family_slug, family_url, graph_svg, map_kind,
                          neighbour_map_height)
from ..actions_html import sweep_links, sweep_sections
from ..config import SiteConfig
from ..render import SiteModel, entry_url, tag_slug, tag_url
from . import OutputFile

NAV = (("index.html", "A–Z"), ("roads.html", "Roads"), ("map.html", "Concept map"),
       ("tags/index.html", "Tags"), ("notation.html", "Notation"), ("search.html", "Search"))
"""The site navigation: (page, label); the current one is marked ``aria-current``."""


_ENVIRONMENTS: dict[tuple[str, str], Environment] = {}
"""Jinja environments by (theme folder, templates' digest): ``glossary serve`` builds again
and again in one process, and compiling the templates is most of a rebuild's page time."""


def make_jinja(model: SiteModel) -> Environment:
    config = model.config
    theme = str(config.resolve(config.theme_dir) / "templates") if config.theme_dir else ""
    known = (theme, model.keys.templates) if model.keys is not None else None
    jinja = _ENVIRONMENTS.get(known) if known else None
    if jinja is None:
        loaders = [PackageLoader("generator", "templates")]
        if theme:
            loaders.insert(0, FileSystemLoader(theme))
        jinja = Environment(loader=ChoiceLoader(loaders),
                            autoescape=select_autoescape(default=True),
                            undefined=StrictUndefined, keep_trailing_newline=True)
        if known:
            _ENVIRONMENTS.clear()  # templates changed: the old compiled ones are of no use
            _ENVIRONMENTS[known] = jinja
    jinja.globals.update(site=config, vocabulary=config.vocabulary, entry_url=entry_url,
                         tag_url=tag_url, family_url=family_url, version=__version__,
                         by_slug=model.glossary.by_slug, nav=NAV,
                         math_stylesheets=[dest for _, dest in model.engine.stylesheets()
                                           if dest.endswith(".css")])
    return jinja


def not_found_root(config: SiteConfig) -> str:
    """Return the 404 page's link prefix: the base URL's path, else the host's root."""
    path = urlsplit(config.base_url).path if config.base_url else "/"
    return path.rstrip("/") + "/"


def emit(model: SiteModel) -> list[OutputFile]:
    jinja = make_jinja(model)
    config = model.config

    def page(template: str, dest: str, origin: str, origin_pos=None, **context) -> OutputFile:
        root = not_found_root(config) if dest == "404.html" else "../" * dest.count("/")
        canonical = config.base_url.rstrip("/") + "/" + dest if config.base_url else ""
        text = jinja.get_template(template).render(root=root, dest=dest, canonical=canonical,
                                                   **context)
        return OutputFile(dest, text.encode("utf-8"), origin=origin, origin_pos=origin_pos)

    keys = model.keys
    changed = keys.last_changed if keys else last_changed(config.resolve(config.entries))
    files = []
    for position, rendered in enumerate(model.entries):
        if keys is None:
            files.append(_entry_page(model, page, position, changed))
            continue
        # Everything an entry page shows is in its render key, but for the templates.
        key = content_key("page", keys.entries[rendered.slug], keys.templates)
        text = keys.cached_text(
            "pages", key, lambda at=position: _entry_page(model, page, at, changed).content.decode())
        files.append(OutputFile(f"concepts/{rendered.slug}.html", text.encode("utf-8"),
                                origin=f"the page of entry '{rendered.slug}'",
                                origin_pos=rendered.entry.source.start()))
    files += [_sweep_page(rendered, page) for rendered in model.entries if rendered.sweeps]
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
    grouped = families(model.glossary)
    files.append(page("map.html", "map.html", "the concept map", title="Concept map",
                      description="Every entry and every relation between them.",
                      svg=Markup(_map_svg(model, "the whole map",
                                          lambda: concept_map_svg(model.glossary, ""))),
                      wide=True,
                      of_families=len(entries) > MAP_ENTRY_LIMIT, tags=list(model.tags),
                      families=grouped))
    for family, members in grouped.items():
        label = f"Map of the {len(members)} entries in {family or 'other'}"
        svg = _map_svg(model, f"family {family}",
                       lambda m=members, text=label: graph_svg(model.glossary, m, "../", text))
        files.append(page("family.html", f"families/{family_slug(family)}.html",
                          f"the page of family '{family}'", members[0].source.start(),
                          family=family or "other", entries=members, wide=True, svg=Markup(svg),
                          title=f"Family: {family or 'other'}",
                          description=f"Entries in {family or 'other'} and their relations."))
    tagged = {tag: [model.glossary.by_slug[s] for s in slugs] for tag, slugs in model.tags.items()}
    files.append(page("tags.html", "tags/index.html", "the tags page", tags=tagged, title="Tags",
                      description="Entries by tag."))
    for tag, members in tagged.items():
        files.append(page("tag.html", f"tags/{tag_slug(tag)}.html", f"the page of tag '{tag}'",
                          _tag_pos(members[0], tag), tag=tag, entries=members,
                          title=f"Tag: {tag}", description=f"Entries tagged {tag}."))
    files.append(page("search.html", "search.html", "the search page", title="Search",
                      description="Search every entry by name, words and formula."))
    files.append(page("404.html", "404.html", "the 404 page", title="Not found",
                      description="This page does not exist."))
    return files


def _map_svg(model: SiteModel, name: str, draw) -> str:
    """Return a map (the whole glossary's or a family's), its layout cached by the whole graph."""
    if model.keys is None:
        return draw()
    return model.keys.cached_text("maps", content_key("map", model.keys.graph, name), draw)


def _sweep_page(rendered, page) -> OutputFile:
    """Return ``sweeps/<slug>.html``: every combination's output, for readers without JS."""
    entry = rendered.entry
    return page("sweeps.html", f"sweeps/{entry.slug}.html",
                f"the swept outputs of entry '{entry.slug}'", entry.source.start(),
                entry=entry, variants=rendered.sweeps,
                links=Markup(sweep_links(entry.slug, rendered.sweeps, "../", listed=True)),
                sections=Markup(sweep_sections(entry.slug, rendered.sweeps)),
                title=f"{entry.title}: every value",
                description=f"The output of {entry.title}'s code for every value of its knobs.")


def _entry_page(model: SiteModel, page, position: int, changed: dict[str, str]) -> OutputFile:
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
    groups = connection_groups(rendered.groups, config.vocabulary)
    drawn = {map_kind(config.vocabulary, g.kind) for g in groups}
    return page("entry.html", f"concepts/{entry.slug}.html", f"the page of entry '{entry.slug}'",
                entry.source.start(), entry=entry, rendered=rendered, road=road,
                family=family_of(entry),
                body=Markup(rendered.body_html), formula=Markup(rendered.formula_html),
                groups=groups, chunk_tree=rendered.chunk_tree, edit_url=edit,
                previous=previous, next=following, last_changed=changed.get(entry.rel_path, ""),
                neighbour_map_height=neighbour_map_height(model.glossary, entry.slug, groups),
                legend=[k for k in config.vocabulary.map_relations if k.key in drawn],
                title=entry.title, description=entry.abstraction)


def last_changed(entries_dir: Path) -> dict[str, str]:
    """Return entry path (relative to ``entries_dir``) -> date of its last commit (YYYY-MM-DD).

    One ``git log`` over the folder, newest first, so the first date seen for a file is
    ``git log -1 --format=%cs -- file``. Empty when git or the repository is missing.
    """
    try:
        run = subprocess.run(["git", "-c", "core.quotePath=false", "-C", str(entries_dir), "log", "--format=%x00%cs",
                              "--name-only", "--relative", "--", "."],
                             capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if run.returncode != 0:
        return {}
    dates: dict[str, str] = {}
    date = ""
    for line in run.stdout.splitlines():
        if line.startswith("\0"):
            date = line[1:]
        elif line.strip():
            dates.setdefault(line.strip(), date)
    return dates


def _tag_pos(entry, tag: str):
    for value, pos in zip(entry.tags, entry.item_positions.get("tags", ()), strict=False):
        if value == tag:
            return pos
    return entry.source.start()


def _count_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if n < len(words) else str(n)
