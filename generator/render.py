"""Stage 5: resolve everything once into a typed, rendered model (no file I/O).

Per entry: the body's HTML, the formula's HTML with its chunks linked, a
preview of the formula, the chunk tree, the figures as named assets and the
relation groups, both ways. Every output (pages, search, hover cards, JSON,
Anki, ...) is an emitter over this model (``generator/emitters/``).
Entry pages live in ``concepts/``, so the HTML here links from there.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .actions_html import (SweepVariant, code_links, download_links, sweep_controls, sweep_links,
                           sweep_variants)
from .chunk_html import ChunkLinks, chunk_box, chunked, marked_box
from .chunks import Appearances, appearances, fold_views
from .config import SiteConfig
from .figure_theme import dark_svg, light_svg, svg_size
from .formulas import MathEngine, MathTable
from .links import Glossary
from .markdown import make_md, render_tokens
from .model import Chunk, Entry, SnippetResult, Tex, slugify

if TYPE_CHECKING:
    from .render_cache import RenderKeys

ENTRY_ROOT = "../"
"""Relative prefix from an entry page (``concepts/x.html``) back to the site root."""


@dataclass(frozen=True)
class Asset:
    """A file the model owns (a figure): where it goes in the output, and its bytes."""

    dest: str
    content: bytes
    alt: str = ""


@dataclass(frozen=True)
class ChunkNode:
    """A chunk of a formula, resolved: the entry it names and the chunks inside it."""

    index: int
    target: str
    slug: str | None
    """None when the target names no entry (already reported by link)."""
    children: tuple["ChunkNode", ...] = ()


@dataclass(frozen=True)
class RelationGroup:
    """The entries related to one entry by one kind, in one direction."""

    kind: str
    label: str
    direction: str
    """``out`` (this entry -> others), ``in`` (others -> this entry) or ``both`` (symmetric)."""
    slugs: tuple[str, ...]


@dataclass
class RenderedEntry:
    """One entry, rendered: everything an emitter needs, nothing it has to recompute."""

    entry: Entry
    body_html: str
    formula_html: str
    """The formula with its chunks as boxes, name cards, fold views and chunk tree
    (``chunk_html``), for a page in concepts/."""
    formula_preview: str
    """The formula's visual half, every chunk highlighted (and marked with its index) but not
    linked: the hover card, and this formula under "appears inside" on the pages of its
    chunks, where the browser unlights all but theirs (``static/appears.js``)."""
    chunk_tree: tuple[ChunkNode, ...]
    figures: tuple[Asset, ...]
    groups: tuple[RelationGroup, ...]
    result: SnippetResult | None
    appears_in: Appearances = Appearances(())
    """The formulas of other entries holding this one as a chunk: references only (holder,
    path, chunks to light). Each holder's formula is held and shipped once, in its card."""
    fold_views: dict[str, dict[str, str]] = field(default_factory=dict)
    """Formula number -> fold key -> folded HTML; written to ``folds/<slug>.js``."""
    sweeps: tuple[SweepVariant, ...] = ()
    """A swept entry's combinations; written to ``sweeps/<slug>.js`` and ``.html``."""

    @property
    def slug(self) -> str:
        return self.entry.slug


@dataclass
class SiteModel:
    """The whole glossary, rendered once; the only input of the emitters."""

    config: SiteConfig
    glossary: Glossary
    entries: list[RenderedEntry]
    """A-Z by title."""
    engine: MathEngine
    math: MathTable
    by_slug: dict[str, RenderedEntry] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    """Tag -> slugs (A-Z), tags sorted ignoring case."""
    keys: RenderKeys | None = None
    """Each entry's render key and the output caches (``render_cache.py``); None: no caching."""

    def entry_url(self, slug: str, root: str) -> str:
        return entry_url(slug, root)


def entry_url(slug: str, root: str) -> str:
    return f"{root}concepts/{slug}.html"


def tag_slug(tag: str) -> str:
    return slugify(tag) or "tag"


def tag_url(tag: str, root: str) -> str:
    return f"{root}tags/{tag_slug(tag)}.html"


def render_model(config: SiteConfig, glossary: Glossary, engine: MathEngine, math: MathTable,
                 results: dict[str, SnippetResult], keys: RenderKeys | None = None) -> SiteModel:
    """Render every entry once, in A-Z order; with ``keys``, reuse what a build rendered before."""
    found = keys.appearances if keys is not None else appearances(glossary)
    renderer = _EntryRenderer(glossary, engine, math, results, found)
    cached = keys is not None and keys.enabled
    entries = [_render_cached(renderer, entry, keys) if cached else renderer.render(entry)
               for entry in glossary.entries]
    tags: dict[str, list[str]] = {}
    for entry in glossary.entries:
        for tag in entry.tags:
            tags.setdefault(tag, []).append(entry.slug)
    model = SiteModel(config, glossary, entries, engine, math,
                      {r.slug: r for r in entries},
                      dict(sorted(tags.items(), key=lambda item: (item[0].lower(), item[0]))), keys)
    return model


def _render_cached(renderer: _EntryRenderer, entry: Entry, keys: RenderKeys) -> RenderedEntry:
    """Return an entry rendered, from the cache when a build rendered the same inputs before."""
    key = keys.entries[entry.slug]
    stored = keys.get("render", key)
    if stored is not None:
        try:
            restored = renderer.restore(entry, stored)
            keys.count("render", True)
            return restored
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # not what a build stores: render it again
    keys.count("render", False)
    rendered = renderer.render(entry)
    keys.put("render", key, {
        "body": rendered.body_html, "formula": rendered.formula_html,
        "preview": rendered.formula_preview, "folds": rendered.fold_views,
        "figures": [[a.dest, a.content.decode("utf-8"), a.alt] for a in rendered.figures],
        "sweeps": [[v.combination, v.label, v.default, v.blocks] for v in rendered.sweeps]})
    return rendered


class _EntryRenderer:
    def __init__(self, glossary: Glossary, engine: MathEngine, math: MathTable,
                 results: dict[str, SnippetResult], appearances: dict[str, Appearances]):
        self.glossary, self.engine, self.math, self.results = glossary, engine, math, results
        self.appearances = appearances
        self._formula_number = 0
        self.md = make_md(self._math_html)
        self.md.add_render_rule("fence", self._fence_rule())

    def render(self, entry: Entry) -> RenderedEntry:
        self._current = entry
        figures: list[Asset] = []
        env = {"glossary": {"entry": entry, "link": self._link, "figures": figures}}
        self._formula_number = 0
        self._deferred: dict[str, dict[str, str]] = {}
        self._sweeps: tuple[SweepVariant, ...] = ()
        formula_html = self.formula(entry.formula)  # number 0: the formula field
        body = render_tokens(self.md, entry.tokens, env)
        return RenderedEntry(
            entry=entry, body_html=body, formula_html=formula_html,
            formula_preview=self.preview(entry.formula),
            chunk_tree=tuple(self._node(c) for c in entry.formula.chunks),
            figures=tuple(figures), groups=self._groups(entry), fold_views=self._deferred,
            sweeps=self._sweeps, result=self.results.get(entry.slug),
            appears_in=self.appearances.get(entry.slug, Appearances(())))

    def restore(self, entry: Entry, stored: dict) -> RenderedEntry:
        """Return an entry as ``render`` made it, from what a build stored (``_render_cached``)."""
        return RenderedEntry(
            entry=entry, body_html=stored["body"], formula_html=stored["formula"],
            formula_preview=stored["preview"],
            chunk_tree=tuple(self._node(c) for c in entry.formula.chunks),
            figures=tuple(Asset(dest, content.encode("utf-8"), alt)
                          for dest, content, alt in stored["figures"]),
            groups=self._groups(entry), fold_views=stored["folds"],
            sweeps=tuple(SweepVariant(combination, label, default, blocks)
                         for combination, label, default, blocks in stored["sweeps"]),
            result=self.results.get(entry.slug),
            appears_in=self.appearances.get(entry.slug, Appearances(())))

    # --- math -------------------------------------------------------------------------

    def formula(self, tex: Tex) -> str:
        """Return a formula as the page shows it: chunks linked, named, foldable, in a tree."""
        links = ChunkLinks(self.glossary, lambda slug: entry_url(slug, ENTRY_ROOT))
        main = self._decorated(self.math.lookup(tex.tex, tex.display), tex, links)
        if not tex.chunks:
            return main
        views = [("", main)]
        for view in fold_views(tex, self.glossary):
            folded = self.engine.visual_only(self.math.lookup(view.tex.tex, view.tex.display))
            views.append((view.key, self._decorated(folded, tex, links)))
        number = self._formula_number
        self._formula_number += 1
        # Folded views are loaded on demand (folding needs JavaScript anyway): pages stay light.
        self._deferred[str(number)] = dict(views[1:])
        return chunked(links, tex, number, views, deferred=True)

    def preview(self, tex: Tex) -> str:
        """Return a formula's visual half, not linked, every chunk lit and marked with its index."""
        return self.engine.decorate_chunks(
            self.engine.visual_only(self.math.lookup(tex.tex, tex.display)), marked_box)

    def _decorated(self, rendered: str, tex: Tex, links: ChunkLinks) -> str:
        chunks = {c.index: c for c in tex.all_chunks()}
        top = {c.index for c in tex.chunks}

        def decorate(index: int, inner: str) -> str:
            chunk = chunks.get(index)
            if chunk is None:
                return inner
            return chunk_box(links, chunk, index in top, inner)

        return self.engine.decorate_chunks(rendered, decorate)

    def _math_html(self, tex: str, display: bool) -> str:
        entry = self._current
        found = next((t for t in entry.body_math if t.tex == tex.strip() and t.display == display),
                     None)
        if found is None:
            return self.math.lookup(tex, display)
        return self.formula(found)

    def _node(self, chunk: Chunk) -> ChunkNode:
        return ChunkNode(chunk.index, chunk.target, self.glossary.resolve(chunk.target),
                         tuple(self._node(c) for c in chunk.children))

    # --- links and relations -------------------------------------------------------------

    def _link(self, target: str):
        slug = self.glossary.resolve(target)
        return (entry_url(slug, ENTRY_ROOT), slug) if slug else None

    def _groups(self, entry: Entry) -> tuple[RelationGroup, ...]:
        relations = self.glossary.relations[entry.slug]
        groups = []
        for kind in self.glossary.vocabulary.relations:
            outgoing = relations.outgoing.get(kind.key, [])
            incoming = relations.incoming.get(kind.key, [])
            if kind.symmetric:
                groups.append(RelationGroup(kind.key, kind.label, "both",
                                            tuple(dict.fromkeys(outgoing + incoming))))
                continue
            groups.append(RelationGroup(kind.key, kind.label, "out", tuple(outgoing)))
            groups.append(RelationGroup(kind.key, kind.inverse_label, "in", tuple(incoming)))
        return tuple(g for g in groups if g.slugs)

    # --- snippets ------------------------------------------------------------------------

    def _fence_rule(self):
        """Return a fence render rule that puts each block's output and figures under it."""
        def fence(renderer, tokens, idx, options, env) -> str:
            return self._fence(renderer.fence(tokens, idx, options, env), tokens[idx], env)
        return fence

    def _fence(self, code: str, token, env: dict) -> str:
        words = token.info.split()
        if not words or words[0] != "python":
            return code
        entry: Entry = env["glossary"]["entry"]
        label = "not run" if "norun" in words[1:] else "ran at build time"
        block = next((s for s in entry.snippets if s.line == token.map[0] + 2), None)
        out = ""
        if block is not None and block.run:
            label += code_links(self.glossary, entry, block, lambda s: entry_url(s, ENTRY_ROOT))
            label += download_links(entry, block, ENTRY_ROOT)
            figures = env["glossary"]["figures"]
            result = self.results.get(entry.slug)
            out = self._block_output(entry, result, block.index, figures)
            if entry.params and result is not None:  # a sweep: controls over the last output
                out = f'<div class="sweep-out" data-sweep-block="{block.index}">{out}</div>'
                if block.index == entry.executed[-1].index:
                    self._sweeps = sweep_variants(
                        entry, result, lambda r, i: self._block_output(entry, r, i, figures))
                    out = (sweep_controls(entry) + out
                           + sweep_links(entry.slug, self._sweeps, ENTRY_ROOT))
        return (f'<div class="snippet"><div class="snippet-label">python · {label}</div>'
                f"{code}{out}</div>\n")

    def _block_output(self, entry: Entry, result: SnippetResult | None, index: int,
                      figures: list[Asset]) -> str:
        block = next((b for b in result.blocks if b.index == index), None) if result else None
        if block is None:
            return ""
        parts = []
        if block.stdout:
            parts.append(f'<pre class="output" aria-label="printed output">'
                         f'{html.escape(block.stdout)}</pre>')
        if block.truncated:
            parts.append('<p class="output-note">output truncated</p>')
        for number, figure in enumerate(block.figures, start=1):
            images = []
            for theme, svg in (("light", light_svg(figure.svg)), ("dark", dark_svg(figure.svg))):
                data = svg.encode("utf-8")
                digest = hashlib.sha256(data).hexdigest()[:10]
                suffix = "" if theme == "light" else "-dark"
                asset = Asset(f"figures/{entry.slug}-{index + 1}-{number}{suffix}-{digest}.svg",
                              data, figure.alt)
                if all(a.dest != asset.dest for a in figures):  # swept runs may draw the same
                    figures.append(asset)
                images.append(f'<img class="fig-{theme}" src="{ENTRY_ROOT}{asset.dest}" '
                              f'alt="{html.escape(figure.alt)}"{svg_size(svg)} loading="lazy">')
            # No caption: it would only repeat the alt text and the plot's own title.
            # Focusable because it scrolls sideways on a phone (the plot keeps legible text).
            parts.append(f'<figure class="plot" tabindex="0">{"".join(images)}</figure>')
        return "".join(parts)
