"""The HTML of a formula with chunks: boxes, name cards, fold views and the chunk tree.

Layout of one chunked formula (``<div>`` for display math, ``<span>`` inline)::

    .chunked[data-formula=N]
      .chunk-stage                      position: relative
        .chunk-scroll                   the formula box (scrolls sideways)
          .fold-view[data-fold=""]      KaTeX, HTML + MathML
          .fold-view[data-fold=all]     hidden; visual half only
          .fold-view[data-fold=3]       hidden; chunk 3 folded
        .chunk-cards                    one name card per chunk, drawn below the box
      nav.chunk-tree                    nested list of the chunks, each a real link

In the formula a top-level chunk is an ``<a>`` (its link works without
JavaScript); a nested chunk is a ``<span data-href>`` (nested links are not
valid HTML), which ``static/chunks.js`` makes a link. The formula's boxes take
no keyboard focus: they sit in KaTeX's ``aria-hidden`` half. Keyboard and screen
readers get the chunk tree, in reading order (outer before inner).
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
    parts.append(f'</{tag}><{tag} class="chunk-cards">')
    parts += [_card(links, chunk, number) for chunk in tex.all_chunks()]
    parts.append(f"</{tag}></{tag}>")
    if tree and tex.display:
        parts.append(chunk_tree(links, tex, number))
    parts.append(f"</{tag}>")
    return "".join(parts)


def card_id(number: int, index: int) -> str:
    return f"chunk-card-{number}-{index}"


def _card(links: ChunkLinks, chunk: Chunk, number: int) -> str:
    slug = links.slug(chunk)
    if slug is None:
        said, title, words = chunk.target, "", ""
    else:
        other = links.glossary.by_slug[slug]
        said, title, words = other.chunk, other.title, other.abstraction
    return (f'<span class="chunk-card" role="tooltip" id="{card_id(number, chunk.index)}" '
            f'data-chunk="{chunk.index}"><span class="chunk-card-name">“{html.escape(said)}”'
            f'</span> <span class="chunk-card-title">{html.escape(title)}</span> '
            f'<span class="chunk-card-words">{html.escape(words)}</span></span>')


def chunk_tree(links: ChunkLinks, tex: Tex, number: int) -> str:
    """Return the nested list of a formula's chunks, each linked to its entry."""
    label = "Chunks in this formula" if number == 0 else f"Chunks in formula {number + 1}"
    return (f'<nav class="chunk-tree" aria-label="{label}"><p class="chunk-tree-title" '
            f'aria-hidden="true">{label}</p>{_tree_list(links, tex.chunks, number)}</nav>')


def _tree_list(links: ChunkLinks, chunks: tuple[Chunk, ...], number: int) -> str:
    items = []
    for chunk in chunks:
        slug = links.slug(chunk)
        if slug is None:
            head = f'<span class="chunk-link" data-chunk="{chunk.index}">{html.escape(chunk.target)}</span>'
        else:
            other = links.glossary.by_slug[slug]
            head = (f'<a class="chunk-link" href="{html.escape(links.url(slug))}" '
                    f'data-entry="{html.escape(slug)}" data-chunk="{chunk.index}" '
                    f'aria-describedby="{card_id(number, chunk.index)}">{html.escape(other.title)}</a>'
                    f' <span class="chunk-said">(“{html.escape(other.chunk)}”)</span>')
        inner = _tree_list(links, chunk.children, number) if chunk.children else ""
        items.append(f'<li data-chunk="{chunk.index}">{head}{inner}</li>')
    return f"<ul>{''.join(items)}</ul>"


def card_styles(most: int) -> str:
    """Return the CSS that shows chunk ``i``'s name card without JavaScript, for i < ``most``.

    Pages load it inside ``<noscript>``: with JavaScript, ``chunks.js`` shows the cards.

    The innermost chunk under the pointer wins: a chunk is hovered, none inside it is.
    ``:has()`` cannot nest, hence one rule per chunk index.
    """
    lines = ["/* Generated: name cards without JavaScript (static/chunks.js takes over). */"]
    for i in range(most):
        chunk, card = f'[data-chunk="{i}"]', f'.chunk-card[data-chunk="{i}"]'
        scope = "html:not(.js-chunks) .chunked"
        lines.append(f"{scope}:has(.chunk{chunk}:hover):not(:has(.chunk{chunk} .chunk:hover)) "
                     f"{card},\n.chunked:has(.chunk-link{chunk}:focus) {card} {{ display: block; }}")
        lines.append(f".chunked:has(.chunk-link{chunk}:focus) .fold-view:not([hidden]) "
                     f".chunk{chunk} {{ outline: 2px solid var(--chunk-line); }}")
    return "\n".join(lines) + "\n"
