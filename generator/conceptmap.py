"""Concept maps drawn at build time as SVG: the whole graph, and one entry's neighbours.

Our own markup: every label is escaped, every node is a plain link (no JS needed).
"""

from __future__ import annotations

import math
from html import escape

import networkx as nx

from .links import Glossary


def _node(slug: str, title: str, x: float, y: float, root: str, anchor: str = "middle",
          cls: str = "") -> str:
    """Return one node: a link holding a dot and its label (beside it, or under it)."""
    href = f"{root}concepts/{slug}.html"
    dx = {"start": 10, "end": -10, "middle": 0}[anchor]
    dy = 22 if anchor == "middle" else 4
    return (f'<a href="{escape(href)}" class="map-node {cls}" data-entry="{escape(slug)}">'
            f'<title>{escape(title)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{9 if cls == "center" else 6}"/>'
            f'<text x="{x + dx:.1f}" y="{y + dy:.1f}" text-anchor="{anchor}">{escape(title)}</text></a>')


def _edge(glossary: Glossary, kind: str, x1: float, y1: float, x2: float, y2: float) -> str:
    """Return one relation as a line styled by its kind (``vocabulary.css``)."""
    arrow = glossary.vocabulary.relation(kind).stroke.arrow
    marker = ' marker-end="url(#arrow)"' if arrow else ""
    return (f'<line class="edge edge-{kind}" x1="{x1:.1f}" y1="{y1:.1f}" '
            f'x2="{x2:.1f}" y2="{y2:.1f}"{marker}/>')


_DEFS = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="7" '
         'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
         'class="arrow"/></marker></defs>')


def edge_kinds(glossary: Glossary) -> tuple[str, ...]:
    """Return the relation kinds drawn on maps, in the vocabulary's order."""
    return tuple(kind.key for kind in glossary.vocabulary.map_relations)


def _edges(glossary: Glossary) -> list[tuple[str, str, str]]:
    kinds = edge_kinds(glossary)
    return [(a, b, kind) for a, b, kind in glossary.edges() if kind in kinds]


def layout(glossary: Glossary, width: float, height: float) -> dict[str, tuple[float, float]]:
    """Return a deterministic position for every entry (seeded spring layout, rounded)."""
    graph = nx.Graph()
    graph.add_nodes_from(sorted(glossary.by_slug))
    for a, b, kind in _edges(glossary):
        graph.add_edge(a, b, weight=2.0 if kind != "wikilink" else 0.5)
    if len(graph) == 1:
        return {next(iter(graph)): (width / 2, height / 2)}
    k = 2.4 / math.sqrt(max(len(graph), 1))
    raw = nx.spring_layout(graph, k=k, iterations=500, seed=7, weight="weight")
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    margin = 110
    return {slug: (round(margin + (p[0] - min(xs)) / span_x * (width - 2 * margin), 1),
                   round(40 + (p[1] - min(ys)) / span_y * (height - 80), 1))
            for slug, p in sorted(raw.items())}


def concept_map_svg(glossary: Glossary, root: str) -> str:
    """Return the whole concept graph as an SVG in which every node links to its entry."""
    count = len(glossary.by_slug)
    width = 1300
    height = max(500, int(60 * math.sqrt(max(count, 1)) * 3.6))
    pos = layout(glossary, width, height)
    parts = [f'<svg class="concept-map" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Concept map of {count} entries" xmlns="http://www.w3.org/2000/svg">',
             _DEFS]
    for a, b, kind in _edges(glossary):
        parts.append(_edge(glossary, kind, *pos[a], *pos[b]))
    for entry in sorted(glossary.entries, key=lambda e: e.slug):
        x, y = pos[entry.slug]
        parts.append(_node(entry.slug, entry.title, x, y, root))
    parts.append("</svg>")
    return "\n".join(parts)


def neighbour_map_svg(glossary: Glossary, slug: str, root: str) -> str:
    """Return a small SVG of one entry and its direct neighbours (empty if it has none)."""
    kinds: dict[str, str] = {}
    for a, b, kind in _edges(glossary):
        if a == slug and b not in kinds:
            kinds[b] = kind
        elif b == slug and a not in kinds:
            kinds[a] = kind
    if not kinds:
        return ""
    width, height, radius = 560, 320, 115
    cx, cy = width / 2, height / 2
    parts = [f'<svg class="neighbour-map" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Neighbours of {escape(glossary.by_slug[slug].title)}" '
             'xmlns="http://www.w3.org/2000/svg">', _DEFS]
    order = edge_kinds(glossary)
    others = sorted(kinds, key=lambda s: (order.index(kinds[s]), glossary.by_slug[s].title))
    nodes = []
    for i, other in enumerate(others):
        angle = 2 * math.pi * i / len(others) - math.pi / 2
        x, y = cx + 1.6 * radius * math.cos(angle), cy + radius * math.sin(angle)
        parts.append(_edge(glossary, kinds[other], cx, cy, x, y))
        anchor = "start" if x >= cx else "end"
        nodes.append(_node(other, glossary.by_slug[other].title, x, y, root, anchor))
    parts.extend(nodes)
    parts.append(_node(slug, glossary.by_slug[slug].title, cx, cy, root, "middle", "center"))
    parts.append("</svg>")
    return "\n".join(parts)
