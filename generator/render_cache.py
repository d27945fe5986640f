"""Incremental rendering: the key of everything an entry's outputs show, and its cached renders.

A rebuild after one edit re-renders only what shows the edit. Each entry gets a
**render key**: a digest of every input its page, hover card, folded views,
figures and downloads are made from:

- the site: the generator's code, the versions of the libraries that shape the HTML
  (Pygments, markdown-it, Jinja2, ...), the configuration (vocabulary included), the
  math engine and the shared macros;
- the entry itself: its whole source text, its path, its snippets' results (what
  they printed and drew), the date git last changed it;
- its place in the glossary: its relation lists both ways, the formulas it
  appears inside (and through which chunks; past the shown ones, how many more and
  through which shown one), its A-Z neighbours, whose code it imports and who imports
  its code;
- what it shows of each of those neighbours: their front matter (title, chunk
  name, road, formula, relations, ...) and what they link to; the whole source of
  the entries whose code it imports (its downloads inline that code).

A neighbour's prose or snippet is not in the key: no other page shows it. The
rendered model of an entry (``RenderedEntry``'s HTML) is cached under that key;
its page under the key plus the templates' digest, so a template edit re-runs
only Jinja. Pages that list every entry (index, map, tags, search) are made
again on every build; the map's layout is cached by the whole graph.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from pathlib import Path

from . import __version__
from .cache import ContentCache, content_key
from .chunks import Appearances, appearances
from .config import SiteConfig
from .links import Glossary
from .model import Entry, SnippetResult

FORMAT = 1
"""Version of the cached values' layout (part of every key)."""
PACKAGE_DIR = Path(__file__).resolve().parent
_SHOWN_RESULT_FIELDS = ("slug", "status", "blocks", "error", "error_line", "traceback",
                        "combination", "variants")
"""What of a ``SnippetResult`` can reach a page (not its timing, not whether it was cached)."""


@dataclasses.dataclass
class Recent:
    """What one process keeps between its builds (``glossary serve``): the entries it
    parsed and the renders and pages of its last build, so a rebuild after an edit reads
    from disk and parses only what the edit changed."""

    parsed: dict = dataclasses.field(default_factory=dict)
    """(path, shown path, entries folder, vocabulary) -> (file bytes, Entry) (``build._load``)."""
    outputs: dict[tuple[str, str], dict] = dataclasses.field(default_factory=dict)
    """(namespace, key) -> value, of the last build only (older ones are dropped)."""


@dataclasses.dataclass
class RenderKeys:
    """The render key of every entry, and the caches they address."""

    site: str
    """Digest of the site-wide inputs (code, configuration, math engine, macros)."""
    entries: dict[str, str]
    """Slug -> render key."""
    templates: str
    """Digest of the templates (ours and the theme's): part of every page's key."""
    appearances: dict[str, Appearances]
    """Slug -> the formulas it appears inside (``chunks.appearances``), found once for the
    keys and used again by the render stage."""
    graph: str
    """Digest of every entry's front matter and relations: the key of the maps."""
    last_changed: dict[str, str] = dataclasses.field(default_factory=dict)
    """Entry path -> date git last changed it (``emitters.pages.last_changed``)."""
    cache_root: Path | None = None
    """The cache folder; None when caching is off (``--no-cache``)."""
    counts: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    """Namespace -> [made, reused] in this build (``--json`` reports them)."""
    recent: Recent | None = None
    """The process's values of its last build (serve), tried before the disk."""
    kept: dict[tuple[str, str], dict] = dataclasses.field(default_factory=dict)
    """The values this build used: ``recent.outputs`` of the next build."""

    def count(self, namespace: str, reused: bool) -> None:
        self.counts.setdefault(namespace, [0, 0])[reused] += 1

    @property
    def enabled(self) -> bool:
        return self.cache_root is not None

    def get(self, namespace: str, key: str, disk: bool = True) -> dict | None:
        """Return the value stored under ``key`` (this process's last build first, then disk)."""
        if self.cache_root is None:
            return None
        value = self.recent.outputs.get((namespace, key)) if self.recent is not None else None
        if value is None and disk:
            value = ContentCache(self.cache_root, namespace).get(key)
        if value is not None and self.recent is not None:
            self.kept[namespace, key] = value
        return value

    def put(self, namespace: str, key: str, value: dict, disk: bool = True) -> None:
        """Store ``value`` for the next build: on disk, and in this process when it builds again."""
        if self.cache_root is None:
            return
        if disk:
            ContentCache(self.cache_root, namespace).put(key, value)
        if self.recent is not None:
            self.kept[namespace, key] = value

    def cached_text(self, namespace: str, key: str, make, disk: bool = True) -> str:
        """Return the text stored under ``key``, or ``make()``'s (stored for the next build).

        :param disk: False for what is quicker made again than read back from a file (kept
            in memory only, when the process builds again).
        """
        if not disk and self.recent is None:
            return make()
        stored = self.get(namespace, key, disk)
        if stored is not None and isinstance(stored.get("text"), str):
            self.count(namespace, True)
            return stored["text"]
        self.count(namespace, False)
        text = make()
        self.put(namespace, key, {"text": text}, disk)
        return text

    def keep(self) -> None:
        """Hand this build's values to the next build of this process (end of the build)."""
        if self.recent is not None:
            self.recent.outputs = self.kept


@functools.cache
def code_digest() -> str:
    """Return a digest of the generator's own Python code (a code change re-renders everything).

    Once per process: the code that runs is the code that was imported.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "vendor" not in path.relative_to(PACKAGE_DIR).parts:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def library_versions() -> dict[str, object]:
    """Return the versions of the libraries whose output pages hold (all imported by now).

    The highlighting salt is Pygments' version and the text of ``markdown.py``.
    """
    from importlib.metadata import version

    import jinja2
    import markdown_it
    import mdit_py_plugins
    import pygments
    import yaml

    from . import markdown
    return {"jinja2": jinja2.__version__, "markdown-it-py": markdown_it.__version__,
            "markupsafe": version("markupsafe"), "mdit-py-plugins": mdit_py_plugins.__version__,
            "nbformat": version("nbformat"), "pygments": pygments.__version__,
            "pyyaml": yaml.__version__, "highlight": list(markdown._highlight_salt)}


def folder_digest(*folders: Path) -> str:
    """Return a digest of every file under ``folders`` (names and bytes)."""
    digest = hashlib.sha256()
    for number, folder in enumerate(folders):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"{number}:{path.relative_to(folder).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def result_digest(result: SnippetResult | None) -> str:
    """Return a digest of what a snippet result shows (printed output, figures, errors)."""
    if result is None:
        return ""
    return content_key(_shown(result))


def _shown(result: SnippetResult) -> dict:
    shown = {name: getattr(result, name) for name in _SHOWN_RESULT_FIELDS}
    shown["blocks"] = [dataclasses.asdict(b) for b in result.blocks]
    shown["variants"] = [_shown(v) for v in result.variants]
    return shown


def front_matter(entry: Entry) -> str:
    """Return the text of an entry's front matter: what other pages may show of it."""
    for token in entry.tokens:
        if token.type == "front_matter":
            return token.content
    return entry.source.text


def render_keys(config: SiteConfig, glossary: Glossary, results: dict[str, SnippetResult],
                engine_identity: tuple[str, ...], macros: str,
                last_changed: dict[str, str], recent: Recent | None = None) -> RenderKeys:
    """Return every entry's render key (see the module docstring for what goes in)."""
    # Not where the project is (a moved or copied project keeps its caches), nor how snippets
    # run (their results are in the keys themselves).
    kept = dataclasses.asdict(dataclasses.replace(
        config, root=Path("."), jobs=0, warnings=(), isolation="fork", use_cache=True, timeout=0,
        memory=0))
    site = content_key("site", FORMAT, __version__, code_digest(), library_versions(), kept,
                       engine_identity, macros)
    theme = [config.resolve(config.theme_dir) / "templates"] if config.theme_dir else []
    templates = folder_digest(*theme, PACKAGE_DIR / "templates")
    shown = {e.slug: content_key(e.slug, e.rel_path, front_matter(e),
                                 _relations(glossary, e.slug)) for e in glossary.entries}
    found = appearances(glossary)
    order = [e.slug for e in glossary.entries]
    keys = {}
    for position, entry in enumerate(glossary.entries):
        slug = entry.slug
        around = (order[position - 1] if position else "",
                  order[position + 1] if position + 1 < len(order) else "")
        held = found[slug]
        held_in = [(a.holder, a.path, a.lit) for a in held.shown]
        imports = glossary.code_dependencies(slug)
        importers = glossary.code_importers(slug)
        neighbours = _neighbours(glossary, entry, held_in, around, importers)
        keys[slug] = content_key(
            "entry", site, entry.source.text, entry.rel_path, result_digest(results.get(slug)),
            last_changed.get(entry.rel_path, ""), _relations(glossary, slug), held_in,
            [(group.via, group.count) for group in held.more], around,
            None if imports is None else [(e.slug, e.source.text) for e in imports], importers,
            [(n, shown[n]) for n in neighbours])
    graph = content_key("graph", site, [(slug, shown[slug]) for slug in order])
    root = config.resolve(config.cache_dir) if config.use_cache else None
    return RenderKeys(site, keys, templates, found, graph, last_changed, root, recent=recent)


def _relations(glossary: Glossary, slug: str) -> dict:
    relations = glossary.relations[slug]
    return {"out": relations.outgoing, "in": relations.incoming}


def _neighbours(glossary: Glossary, entry: Entry, held_in: list, around: tuple[str, str],
                importers: list[str]) -> list[str]:
    """Return every entry whose front matter this entry's outputs may show, sorted."""
    found = set(around) | set(importers)
    relations = glossary.relations[entry.slug]
    for group in (relations.outgoing, relations.incoming):
        for slugs in group.values():
            found.update(slugs)
    for _holder, path, _lit in held_in:
        found.update(path)  # the captions name each entry on the way out to the holder
    for ref in entry.refs:
        found.add(glossary.resolve(ref.target) or "")
    for tex in (entry.formula, *entry.body_math):
        found.update(glossary.resolve(c.target) or "" for c in tex.all_chunks())
    for dependency in glossary.code_dependencies(entry.slug) or []:
        found.add(dependency.slug)
    found.discard("")
    found.discard(entry.slug)
    return sorted(found)
