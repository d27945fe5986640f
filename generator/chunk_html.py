"""The HTML of a formula with chunks: boxes, name cards, fold views and the chunk tree.

Layout of one chunked formula (``<div>`` for display math, ``<span>`` inline)::

    .chunked[data-formula=N]
      .chunk-stage                      position: relative
        .chunk-scroll                   the formula box (scrolls sideways)
          .fold-view[data-fold=""]      KaTeX, HTML + MathML
          .fold-view[data-fold=all]     hidden; visual half only
          .fold-view[data-fold=3]       hidden; chunk 3 folded
        .chunk-cards                    one name card per target, drawn below the box
      nav.chunk-tree                    nested list of the targets, each a real link

In the formula a top-level chunk is an ``<a>`` (its link works without
JavaScript); a nested chunk is a ``<span data-href>`` (nested links are not
valid HTML), which ``static/chunks.js`` makes a link. The formula's boxes take
no keyboard focus: they sit in KaTeX's ``aria-hidden`` half. Keyboard and screen
readers get the chunk tree, in reading order (outer before inner).

A formula may name one entry by several chunks (Adam's two averages each hold the
gradient). Cards and tree are per *target*, not per chunk (``chunk_targets``): one
card per target, whose ``data-chunks`` lists its chunks' indices, so that each box
(``data-chunk``) finds its card with ``[data-chunks~="i"]``, from CSS and JavaScript
alike; one tree item per target, whose link is described by that card.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Callable

from .links import Glossary
from .model import Chunk, Tex

Url = Callable[[str], str]
"""slug -> relative URL of its page."""


@dataclass(frozen=True)
class ChunkLinks:
    """What the chunk markup needs to know about the glossary, for one page."""

    glossary: Glossary
    url: Url

    def slug(self, chunk: Chunk) -> str | None:
        return self.glossary.resolve(chunk.target)


@dataclass
class ChunkTarget:
    """One entry a formula names, with every chunk that names it, and the targets under it."""

    slug: str | None
    """The entry; None if the target resolves to none (it is then named as written)."""
    chunks: list[Chunk]
    """The chunks naming it, in reading order."""
    children: list["ChunkTarget"]

    @property
    def first(self) -> Chunk:
        return self.chunks[0]

    @property
    def indices(self) -> str:
        """The chunks' indices, space-separated: a value for ``[data-chunks~="i"]``."""
        return " ".join(str(chunk.index) for chunk in self.chunks)

    def walk(self):
        """Yield this target and every target under it, in outline order."""
        yield self
        for child in self.children:
            yield from child.walk()


def chunk_targets(links: ChunkLinks, chunks: tuple[Chunk, ...]) -> list[ChunkTarget]:
    """Return a formula's chunks as an outline of their targets, each target once.

    The rule: a target is listed once, where its first chunk comes in reading order,
    under the target of the chunk around that first chunk (at the top if none is
    around it). Its later chunks add to its place count, not to the outline, and
    the chunks nested in them go under it if they come there first. Every item thus
    says something true: "this entry occurs here, inside that one" (Adam: EMA holds
    the gradient, twice over, and the outline shows EMA > Gradient once). A later
    chunk elsewhere (Momentum's second gradient, at the top) is seen by its count,
    its own fold button, and by hovering the item, which lights every chunk of it.
    Parents come before children in reading order, so the outline has no cycles.
    """
    found: dict[str, ChunkTarget] = {}
    top: list[ChunkTarget] = []

    def visit(chunk: Chunk, around: ChunkTarget | None) -> None:
        slug = links.slug(chunk)
        key = slug if slug is not None else f"?{chunk.target}"  # "?": never a slug
        target = found.get(key)
        if target is None:
            target = found[key] = ChunkTarget(slug, [], [])
            (around.children if around else top).append(target)
        target.chunks.append(chunk)
        for child in chunk.children:
            visit(child, target)

    for chunk in chunks:
        visit(chunk, None)
    return top


def chunk_box(links: ChunkLinks, chunk: Chunk, top_level: bool, inner: str) -> str:
    """Return one chunk of a formula as a box: ``<a>`` at the top level, else a span."""
    slug = links.slug(chunk)
    attrs = f'class="chunk" data-chunk="{chunk.index}"'
    if slug is None:
        return f"<span {attrs}>{inner}</span>"
    href = html.escape(links.url(slug))
    attrs += f' data-entry="{html.escape(slug)}"'
    if top_level:
        return f'<a {attrs} href="{href}" tabindex="-1">{inner}</a>'
    return f'<span {attrs} data-href="{href}">{inner}</span>'


def marked_box(index: int, inner: str) -> str:
    """Return a chunk of a formula shown elsewhere: highlighted, marked with its index (so
    that "appears inside" can unlight the other chunks: ``static/appears.js``)."""
    return f'<span class="chunk" data-chunk="{index}">{inner}</span>'


def chunked(links: ChunkLinks, tex: Tex, number: int, views: list[tuple[str, str]],
            tree: bool = True, deferred: bool = False) -> str:
    """Return a formula with its fold views, name cards and (display math) chunk tree.

    :param views: (fold key, decorated HTML) pairs; the first is the unfolded formula.
    :param deferred: folded views are empty placeholders (``data-deferred``), filled by
        ``static/chunks.js`` from ``folds/<slug>.js`` when the reader folds.
    """
    tag = "div" if tex.display else "span"
    parts = [f'<{tag} class="chunked chunked-{"display" if tex.display else "inline"}" '
             f'data-formula="{number}">',
             f'<{tag} class="chunk-stage"><{tag} class="chunk-scroll">']
    for position, (key, view) in enumerate(views):
        hidden = " hidden" if position else ""
        if position and deferred:
            hidden, view = " hidden data-deferred", ""
        parts.append(f'<{tag} class="fold-view" data-fold="{html.escape(key)}"{hidden}>'
                     f"{view}</{tag}>")
    targets = chunk_targets(links, tex.chunks)
    parts.append(f'</{tag}><{tag} class="chunk-cards">')
    parts += [_card(links, target, number) for top in targets for target in top.walk()]
    parts.append(f"</{tag}></{tag}>")
    if tree and tex.display:
        parts.append(chunk_tree(links, targets, number))
    parts.append(f"</{tag}>")
    return "".join(parts)


def card_id(number: int, index: int) -> str:
    """Return the id of the card of formula ``number`` whose first chunk is ``index``."""
    return f"chunk-card-{number}-{index}"


def _card(links: ChunkLinks, target: ChunkTarget, number: int) -> str:
    if target.slug is None:
        said, title, words = target.first.target, "", ""
    else:
        other = links.glossary.by_slug[target.slug]
        said, title, words = other.chunk, other.title, other.abstraction
    return (f'<span class="chunk-card" role="tooltip" id="{card_id(number, target.first.index)}" '
            f'data-chunks="{target.indices}"><span class="chunk-card-name">“{html.escape(said)}”'
            f'</span> <span class="chunk-card-title">{html.escape(title)}</span> '
            f'<span class="chunk-card-words">{html.escape(words)}</span></span>')


def chunk_tree(links: ChunkLinks, targets: list[ChunkTarget], number: int) -> str:
    """Return the outline of a formula's targets (``chunk_targets``), each linked to its entry."""
    label = "Chunks in this formula" if number == 0 else f"Chunks in formula {number + 1}"
    return (f'<nav class="chunk-tree" aria-label="{label}"><p class="chunk-tree-title" '
            f'aria-hidden="true">{label}</p>{_tree_list(links, targets, number)}</nav>')


def _tree_list(links: ChunkLinks, targets: list[ChunkTarget], number: int) -> str:
    items = []
    for target in targets:
        chunks = f'data-chunks="{target.indices}"'
        if target.slug is None:
            head = f'<span class="chunk-link" {chunks}>{html.escape(target.first.target)}</span>'
        else:
            other = links.glossary.by_slug[target.slug]
            head = (f'<a class="chunk-link" href="{html.escape(links.url(target.slug))}" '
                    f'data-entry="{html.escape(target.slug)}" {chunks} '
                    f'aria-describedby="{card_id(number, target.first.index)}">'
                    f'{html.escape(other.title)}</a>'
                    f' <span class="chunk-said">(“{html.escape(other.chunk)}”)</span>')
        if len(target.chunks) > 1:
            head += f' <span class="chunk-count">in {len(target.chunks)} places</span>'
        inner = _tree_list(links, target.children, number) if target.children else ""
        items.append(f"<li>{head}{inner}</li>")
    return f"<ul>{''.join(items)}</ul>"


def card_styles(most: int) -> str:
    """Return the CSS that shows chunk ``i``'s name card without JavaScript, for i < ``most``.

    Pages load it inside ``<noscript>``: with JavaScript, ``chunks.js`` shows the cards.

    The innermost chunk under the pointer wins: a chunk is hovered, none inside it is.
    ``:has()`` cannot nest, hence one rule per chunk index. A card and a tree link
    stand for every chunk of their target (``data-chunks="1 3"``): focusing the link
    shows the card, focusing or hovering it outlines each of the chunks.
    """
    lines = ["/* Generated: name cards without JavaScript (static/chunks.js takes over). */",
             "/* A tree link's card takes room below the formula: hung over the tree, it"
             " would hide the focused link. */",
             ".chunked:has(.chunk-link:focus) > .chunk-stage > .chunk-cards { position: static; }"]
    for i in range(most):
        chunk, card = f'[data-chunk="{i}"]', f'.chunk-card[data-chunks~="{i}"]'
        link = f'.chunk-link[data-chunks~="{i}"]'
        scope = "html:not(.js-chunks) .chunked"
        lines.append(f"{scope}:has(.chunk{chunk}:hover):not(:has(.chunk{chunk} .chunk:hover)) "
                     f"{card},\n.chunked:has({link}:focus) {card} {{ display: block; }}")
        lines.append(f".chunked:has({link}:is(:focus, :hover)) .fold-view:not([hidden]) "
                     f".chunk{chunk} {{ outline: 2px solid var(--chunk-line); }}")
    return "\n".join(lines) + "\n"
