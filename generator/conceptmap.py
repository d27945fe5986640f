"""Concept maps drawn at build time as SVG: the whole graph, a family's graph, one entry's
neighbours, and (for big glossaries) the graph of families.

Layout is our own and deterministic, no physics: entries stand in columns by how deep
they sit in the chains of directed relations (an entry stands right of what it uses and
builds on), in one band per road, one row each, labels to the right of their dot in a
column wide enough for the longest label, so no two labels can overlap. Edges are
curves styled by kind (``vocabulary.css``), with one arrowhead per kind.

Our own markup: every label is escaped, every node is a plain link (no JS needed);
``glossary.js`` adds the neighbourhood highlight and the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .links import Glossary
from .model import Entry, slugify
from .render import RelationGroup
from .vocabulary import Vocabulary

FONT_PX = 13
CHAR_PX = 8.2
"""A generous average glyph width at FONT_PX, so estimated label boxes are never short."""
ROW_PX = 24
DOT_R = 6
CORRIDOR_PX = 24
"""Where edges turn: this far left of a column's dots, in the free corridor before it."""
LINE_PX = 16
"""From a label's first line to its second."""
LABEL_LINE_PX = 236
"""The widest label line of a neighbour map (estimated): wider ones wrap, so a map fits a
390 px phone (a 358 px frame) without scrolling."""
BOLD_SCALE = 1.15
"""How much wider the entry's own label is drawn (bold) than its neighbours'."""
MAX_BOW_PX = 102
"""How far left of the dots a neighbour map's arcs may turn at most."""
MAP_ENTRY_LIMIT = 400
"""Above this many entries the whole map becomes a map of families, each with its own page."""


def label_px(text: str) -> float:
    """Return the estimated width of a label in pixels (an upper bound for our fonts)."""
    return len(text) * CHAR_PX + 4


def family_of(entry: Entry) -> str:
    """Return an entry's family: its folder under entries/, else its first tag, else ''."""
    parts = entry.rel_path.split("/")
    if len(parts) > 1:
        return parts[0]
    return entry.tags[0] if entry.tags else ""


def family_slug(family: str) -> str:
    return slugify(family) or "other"


def family_url(family: str, root: str) -> str:
    return f"{root}families/{family_slug(family)}.html"


# --- relations, once each --------------------------------------------------------------

def connection_groups(groups: tuple[RelationGroup, ...],
                      vocabulary: Vocabulary) -> tuple[RelationGroup, ...]:
    """Return the groups with every neighbour listed once, under its most telling relation.

    Most telling first: a kind that implies others (a chunk in the formula implies
    ``uses``), then the kinds contributors declare in the vocabulary's order (uses before
    see also), then derived ones (a mention in prose). Groups keep their order.
    """
    implying = [k.key for k in vocabulary.relations if k.implies]
    declared = [k.key for k in vocabulary.relations if k.front_matter and k.key not in implying]
    precedence = implying + declared + [k for k in vocabulary.relation_keys
                                        if k not in implying and k not in declared]
    ranked = sorted(groups, key=lambda g: (precedence.index(g.kind),
                                           ("out", "both", "in").index(g.direction)))
    seen: set[str] = set()
    kept: dict[tuple[str, str], tuple[str, ...]] = {}
    for group in ranked:
        kept[(group.kind, group.direction)] = tuple(s for s in group.slugs if s not in seen)
        seen.update(group.slugs)
    return tuple(RelationGroup(g.kind, g.label, g.direction, kept[(g.kind, g.direction)])
                 for g in groups if kept[(g.kind, g.direction)])


def map_kind(vocabulary: Vocabulary, kind: str) -> str | None:
    """Return the kind a relation is drawn as: itself, or the first drawn kind it implies."""
    relation = vocabulary.relation(kind)
    if relation.on_map:
        return kind
    drawn = {k.key for k in vocabulary.map_relations}
    return next((k for k in relation.implies if k in drawn), None)


# --- SVG pieces ------------------------------------------------------------------------

def _defs(vocabulary: Vocabulary) -> str:
    """Return one arrowhead marker per directed kind, stroked in the kind's colour."""
    markers = []
    for kind in vocabulary.map_relations:
        if kind.stroke.arrow:
            markers.append(f'<marker id="arrow-{kind.key}" viewBox="0 0 10 10" refX="9" refY="5" '
                           'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" '
                           'orient="auto"><path d="M1,1L9,5L1,9" '
                           f'class="arrowhead edge-{kind.key}"/></marker>')
    return f"<defs>{''.join(markers)}</defs>" if markers else ""


def _node(entry: Entry, x: float, y: float, root: str, cls: str = "", anchor: str = "start",
          href: str = "", label: str = "", extra: str = "", second_line: str = "") -> str:
    """Return one node: a link holding a dot and its label beside it (on two lines if given)."""
    href = href or f"{root}concepts/{entry.slug}.html"
    label = label or entry.title
    dx = DOT_R + 5 if anchor == "start" else -(DOT_R + 5)
    align = "" if anchor == "start" else f' text-anchor="{anchor}"'  # start: SVG's default
    text = escape(label)
    if second_line:  # the space keeps the link's name whole: "Mini-batch stochastic gradient ..."
        text += f' <tspan x="{_n(x + dx)}" dy="{LINE_PX}">{escape(second_line)}</tspan>'
    return (f'<a href="{escape(href)}" class="map-node{" " + cls if cls else ""}" '
            f'data-entry="{escape(entry.slug)}"{extra}>'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{DOT_R + 2 if cls == "center" else DOT_R}"/>'
            f'<text x="{_n(x + dx)}" y="{_n(y + 4.5)}"{align}>{text}</text></a>')


def _n(value: float) -> str:
    """Return a coordinate to a tenth of a pixel, without a useless ``.0``."""
    return f"{value:.1f}".removesuffix(".0")


def _edge(vocabulary: Vocabulary, kind: str, source: str, target: str, d: str,
          hidden: bool = False) -> str:
    """Return one relation as a path from ``source`` to ``target``, styled by its kind."""
    marker = (f' marker-end="url(#arrow-{kind})"' if vocabulary.relation(kind).stroke.arrow
              else "")
    cls = " filtered" if hidden else ""
    return (f'<path class="edge edge-{kind}{cls}" data-kind="{kind}" data-from="{escape(source)}" '
            f'data-to="{escape(target)}" d="{d}"{marker}/>')


def _curve(source: tuple[float, float, float], target: tuple[float, float, float]) -> str:
    """Return a curve between two nodes, each given as (dot x, y, label end x).

    Across columns it leaves the left node after its label and enters the right node's
    dot from the left, so it never runs through a label; within one column it bows out
    to the left of the dots, into the gap between columns.
    """
    (x1, y1, end1), (x2, y2, end2) = source, target
    if abs(x2 - x1) < 1:
        bow = min(30.0, 10 + abs(y2 - y1) / 8)
        return (f"M{x1 - DOT_R:.1f},{y1:.1f}C{x1 - bow:.1f},{y1:.1f} "
                f"{x1 - bow:.1f},{y2:.1f} {x2 - DOT_R - 1:.1f},{y2:.1f}")
    if x2 > x1:
        start, finish = (end1 + 4, y1), (x2 - DOT_R - 1, y2)
    else:
        start, finish = (x1 - DOT_R, y1), (end2 + 5, y2)
    mid = (start[0] + finish[0]) / 2
    return (f"M{start[0]:.1f},{start[1]:.1f}C{mid:.1f},{start[1]:.1f} "
            f"{mid:.1f},{finish[1]:.1f} {finish[0]:.1f},{finish[1]:.1f}")


def _route(source: tuple[float, float, float], target: tuple[float, float, float],
           column_px: float, shift: int) -> str:
    """Return an edge of the layered map, routed around every label that is not its own.

    Labels fill the columns and rows; what stays free are the corridors between columns
    (right of the longest label, left of the next column's dots) and the lanes between
    rows (rows line up across the columns of a band). So an edge leaves its source
    along its own row, turns into the corridor next to it, runs along the lane beside
    the target's row to the corridor next to the target, and enters along the target's
    row: the dot from the left, or, going leftwards, the label's end from the right.
    ``shift`` spreads edges that share a corridor or a lane.
    """
    (x1, y1, end1), (x2, y2, end2) = source, target
    if abs(x2 - x1) < 1:  # one column: bow out to the left of the dots, into the corridor
        bow = min(30.0, 10 + abs(y2 - y1) / 8)
        return (f"M{x1 - DOT_R:.1f},{y1:.1f}C{x1 - bow:.1f},{y1:.1f} "
                f"{x1 - bow:.1f},{y2:.1f} {x2 - DOT_R - 1:.1f},{y2:.1f}")
    across = (shift * 7) % 21 - 10  # -10 .. 10 px inside a corridor
    along = (shift * 3) % 5 - 2      # -2 .. 2 px inside a lane
    if x2 > x1:
        start, finish = (end1 + 4, y1), (x2 - DOT_R - 1, y2)
        out, into = x1 + column_px - CORRIDOR_PX + across, x2 - CORRIDOR_PX + across
    else:
        start, finish = (x1 - DOT_R, y1), (end2 + 5, y2)
        out, into = x1 - CORRIDOR_PX + across, x2 + column_px - CORRIDOR_PX + across
    if abs(out - into) < 1:  # neighbouring columns: one corridor
        points = [start, (out, y1), (out, y2), finish]
    else:
        lane = y2 + (-ROW_PX / 2 if y1 < y2 else ROW_PX / 2) + along
        points = [start, (out, y1), (out, lane), (into, lane), (into, y2), finish]
    return _rounded(points)


def _rounded(points: list[tuple[float, float]], radius: float = 5.0) -> str:
    """Return a polyline through ``points`` as a path, its corners rounded."""
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    path = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for before, corner, after in zip(points, points[1:], points[2:]):
        cut = min(radius, _distance(before, corner) / 2, _distance(corner, after) / 2)
        enter, leave = _towards(corner, before, cut), _towards(corner, after, cut)
        path.append(f"L{_n(enter[0])},{_n(enter[1])}Q{_n(corner[0])},{_n(corner[1])} "
                    f"{_n(leave[0])},{_n(leave[1])}")
    path.append(f"L{_n(points[-1][0])},{_n(points[-1][1])}")
    return "".join(path)


def _distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5


def _towards(a: tuple[float, float], b: tuple[float, float], length: float) -> tuple[float, float]:
    gap = _distance(a, b)
    if gap == 0:
        return a
    return (a[0] + (b[0] - a[0]) * length / gap, a[1] + (b[1] - a[1]) * length / gap)


# --- the layered layout ----------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """Where every node stands, and the size of the drawing."""

    pos: dict[str, tuple[float, float]]
    width: float
    height: float
    bands: tuple[tuple[str, float, float], ...]
    """(road name, top, bottom) of each road's band."""
    column_px: float = 0.0
    """From one column's dots to the next's: the longest label ends 2 DOT_R + 35 px before
    the next column's dots, a corridor where edges turn (``_route``)."""


def _depths(slugs: list[str], edges: list[tuple[str, str, str]],
            vocabulary: Vocabulary) -> dict[str, int]:
    """Return each entry's column: one right of the deepest thing it uses or builds on."""
    import networkx as nx  # 0.3 s to import; only a map the cache cannot answer needs it

    directed = {k.key for k in vocabulary.map_relations if k.stroke.arrow}
    graph = nx.DiGraph()
    graph.add_nodes_from(slugs)
    graph.add_edges_from((b, a) for a, b, kind in edges if kind in directed and a != b)
    dag = nx.condensation(graph)  # cycles collapse into one column
    depth: dict[int, int] = {}
    for node in nx.topological_sort(dag):
        depth[node] = max((depth[p] + 1 for p in dag.predecessors(node)), default=0)
    return {slug: depth[dag.graph["mapping"][slug]] for slug in slugs}


def layered_layout(entries: list[Entry], edges: list[tuple[str, str, str]],
                   vocabulary: Vocabulary, labels: dict[str, str] | None = None,
                   band_of=None) -> Layout:
    """Place entries in road bands and depth columns, one row each, labels never touching."""
    labels = labels or {e.slug: e.title for e in entries}
    slugs = sorted(e.slug for e in entries)
    depth = _depths(slugs, edges, vocabulary)
    band_of = band_of or (lambda e: e.road)
    road_names = {r.key: r.name for r in vocabulary.roads}
    order = [r.key for r in vocabulary.roads]
    bands_used = sorted({band_of(e) for e in entries},
                        key=lambda b: (order.index(b) if b in order else len(order), b))
    column_px = max(label_px(t) for t in labels.values()) + 3 * DOT_R + 40
    neighbours: dict[str, set[str]] = {s: set() for s in slugs}
    for a, b, _kind in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    by_slug = {e.slug: e for e in entries}
    pos: dict[str, tuple[float, float]] = {}
    bands = []
    top = 34.0
    for band in bands_used:
        members = [s for s in slugs if band_of(by_slug[s]) == band]
        rows = _rows_by_barycentre(members, depth, neighbours, by_slug, pos)
        height = max(len(r) for r in rows.values()) * ROW_PX
        for column, column_slugs in rows.items():
            for row, slug in enumerate(column_slugs):
                pos[slug] = (24 + column * column_px, top + ROW_PX / 2 + row * ROW_PX)
        bands.append((road_names.get(band, band or "Not yet on a road"), top - 24, top + height))
        top += height + 40
    width = 24 + (max(depth.values()) + 1) * column_px
    return Layout(pos, width, top - 16, tuple(bands), column_px)


def _rows_by_barycentre(members: list[str], depth: dict[str, int],
                        neighbours: dict[str, set[str]], by_slug: dict[str, Entry],
                        placed: dict[str, tuple[float, float]]) -> dict[int, list[str]]:
    """Order each column by where its neighbours already stand, so chains run straight."""
    columns: dict[int, list[str]] = {}
    for slug in members:
        columns.setdefault(depth[slug], []).append(slug)
    rows: dict[int, list[str]] = {}
    row_of: dict[str, float] = {}
    for column in sorted(columns):
        def key(slug: str) -> tuple:
            known = [row_of[n] for n in neighbours[slug] if n in row_of]
            centre = sum(known) / len(known) if known else float(len(columns[column]))
            return (centre, family_of(by_slug[slug]), by_slug[slug].title.lower(), slug)
        rows[column] = sorted(columns[column], key=key)
        row_of.update({s: i for i, s in enumerate(rows[column])})
    return rows


# --- the maps --------------------------------------------------------------------------

def _map_edges(glossary: Glossary, members: set[str]) -> list[tuple[str, str, str]]:
    drawn = {k.key for k in glossary.vocabulary.map_relations}
    return [(a, b, kind) for a, b, kind in glossary.edges()
            if kind in drawn and a in members and b in members and a != b]


def graph_svg(glossary: Glossary, entries: list[Entry], root: str, label: str) -> str:
    """Return a layered map of ``entries`` and the relations among them; nodes link to entries."""
    vocabulary = glossary.vocabulary
    members = {e.slug for e in entries}
    edges = _map_edges(glossary, members)
    layout = layered_layout(entries, edges, vocabulary)
    parts = [f'<svg class="concept-map" width="{layout.width:.0f}" height="{layout.height:.0f}" '
             f'viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" '
             f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
             _defs(vocabulary)]
    for name, top, bottom in layout.bands:
        parts.append(f'<rect class="band" x="0" y="{top:.1f}" width="{layout.width:.0f}" '
                     f'height="{bottom - top + 8:.1f}" rx="8"/>'
                     f'<text class="band-label" x="12" y="{top + 16:.1f}">{escape(name)}</text>')
    ends = {slug: (x, y, x + DOT_R + 5 + label_px(glossary.by_slug[slug].title))
            for slug, (x, y) in layout.pos.items()}
    for number, (a, b, kind) in enumerate(edges):
        # Implicit kinds (mentions in prose) start hidden: the filter shows them.
        parts.append(_edge(vocabulary, kind, a, b,
                           _route(ends[a], ends[b], layout.column_px, number),
                           hidden=not vocabulary.relation(kind).front_matter))
    by_slug = glossary.by_slug
    for slug in sorted(members):
        entry = by_slug[slug]
        x, y = layout.pos[slug]
        extra = (f' data-road="{escape(entry.road)}" '
                 f'data-tags="{escape("|".join(entry.tags))}"')
        parts.append(_node(entry, x, y, root, extra=extra))
    parts.append("</svg>")
    return "\n".join(parts)


def concept_map_svg(glossary: Glossary, root: str) -> str:
    """Return the whole glossary's map (every entry a link), or its families' map when big."""
    entries = glossary.entries
    if len(entries) > MAP_ENTRY_LIMIT:
        return families_map_svg(glossary, root)
    return graph_svg(glossary, entries, root, f"Concept map of {len(entries)} entries")


def families(glossary: Glossary) -> dict[str, list[Entry]]:
    """Return family -> its entries (A-Z), families sorted ignoring case."""
    found: dict[str, list[Entry]] = {}
    for entry in glossary.entries:
        found.setdefault(family_of(entry), []).append(entry)
    return dict(sorted(found.items(), key=lambda item: (item[0].lower(), item[0])))


def families_map_svg(glossary: Glossary, root: str) -> str:
    """Return one node per family (linking to its page) and how many relations join them."""
    members = families(glossary)
    home = {e.slug: f for f, es in members.items() for e in es}
    counts: dict[tuple[str, str], int] = {}
    for a, b, _kind in _map_edges(glossary, set(home)):
        if home[a] != home[b]:
            pair = tuple(sorted((home[a], home[b])))
            counts[pair] = counts.get(pair, 0) + 1
    names = list(members)
    labels = {f: f"{f or 'other'} ({len(members[f])})" for f in names}
    column_px = max(label_px(t) for t in labels.values()) + 3 * DOT_R + 40
    per_column = max(1, int(len(names) ** 0.5))
    pos = {f: (24 + (i // per_column) * column_px, 30 + (i % per_column) * ROW_PX * 1.5)
           for i, f in enumerate(names)}
    width = 24 + ((len(names) - 1) // per_column + 1) * column_px
    height = 30 + per_column * ROW_PX * 1.5
    parts = [f'<svg class="concept-map families-map" width="{width:.0f}" height="{height:.0f}" '
             f'viewBox="0 0 {width:.0f} {height:.0f}" '
             f'aria-label="Map of {len(names)} families of entries" '
             'xmlns="http://www.w3.org/2000/svg">']
    for (a, b), count in sorted(counts.items()):
        ends = [(*pos[f], pos[f][0] + DOT_R + 5 + label_px(labels[f])) for f in (a, b)]
        parts.append(f'<path class="edge edge-family" data-count="{count}" '
                     f'd="{_curve(*ends)}" stroke-width="{min(6, 1 + count / 20):.1f}"/>')
    for f in names:
        first = members[f][0]
        x, y = pos[f]
        parts.append(_node(first, x, y, root, cls="family", href=family_url(f, root),
                           label=labels[f]))
    parts.append("</svg>")
    return "\n".join(parts)


def _neighbour_arcs(vocabulary: Vocabulary, groups: tuple[RelationGroup, ...]) -> list[tuple[str, str, str]]:
    """Return the arcs of a neighbour map: (neighbour, drawn kind, direction), in list order."""
    arcs: list[tuple[str, str, str]] = []
    for group in groups:
        kind = map_kind(vocabulary, group.kind)
        if kind is not None:
            arcs.extend((other, kind, group.direction) for other in group.slugs)
    return arcs


def label_lines(text: str, scale: float = 1.0) -> list[str]:
    """Return a neighbour-map label as one line, or as two split at the space nearest its middle.

    :param scale: how much wider than regular text the label is drawn (``BOLD_SCALE``).
    """
    spaces = [i for i, char in enumerate(text) if char == " "]
    if label_px(text) * scale <= LABEL_LINE_PX or not spaces:
        return [text]
    cut = min(spaces, key=lambda i: abs(2 * i - len(text)))
    return [text[:cut], text[cut + 1:]]


@dataclass
class NeighbourRows:
    """Where a neighbour map puts its rows: the entry's own first, then one per neighbour."""

    x: float
    """The dots' column; the arcs bow left of it, the labels start right of it."""
    slugs: list[str]
    ys: list[float]
    """The y of each row's dot and first label line."""
    lines: list[list[str]]
    """Each row's label, one or two lines."""
    bows: list[float]
    """How far left of the dots each arc turns, in arc order."""
    width: float
    height: float


def _neighbour_rows(glossary: Glossary, slug: str, groups: tuple[RelationGroup, ...]) -> NeighbourRows | None:
    """Lay a neighbour map out: rows in the lists' order, long labels on two lines."""
    arcs = _neighbour_arcs(glossary.vocabulary, groups)
    if not arcs:
        return None
    slugs = [slug, *dict.fromkeys(other for other, _kind, _direction in arcs)]
    drawn: dict[str, int] = {}
    bows = []
    for other, _kind, _direction in arcs:
        extra = drawn.get(other, 0)  # a second relation to one neighbour bows wider
        drawn[other] = extra + 1
        bows.append(min(MAX_BOW_PX, 14 + slugs.index(other) * 8 + extra * 10))
    # A cubic arc whose two control points sit ``bow`` left of its ends reaches 3/4 of the way.
    x = max(DOT_R + 6.0, 0.75 * max(bows) + 6)
    scales = [BOLD_SCALE, *([1.0] * (len(slugs) - 1))]
    lines = [label_lines(glossary.by_slug[s].title, scale) for s, scale in zip(slugs, scales)]
    ys = [ROW_PX / 2 + 4]
    for above in lines[:-1]:
        ys.append(ys[-1] + ROW_PX + (len(above) - 1) * LINE_PX)
    widest = max(label_px(line) * scale for label, scale in zip(lines, scales) for line in label)
    height = ys[-1] + (len(lines[-1]) - 1) * LINE_PX + ROW_PX / 2 + 4
    return NeighbourRows(x, slugs, ys, lines, bows, x + DOT_R + 8 + widest, height)


def neighbour_map_height(glossary: Glossary, slug: str, groups: tuple[RelationGroup, ...]) -> int:
    """Return the height in px of an entry's neighbour map; 0 when it has nothing to draw.

    The page reserves it before the map arrives (``neighbours/<slug>.js``), so nothing jumps.
    """
    rows = _neighbour_rows(glossary, slug, groups)
    return 0 if rows is None else round(rows.height)


def neighbour_map_svg(glossary: Glossary, slug: str, groups: tuple[RelationGroup, ...],
                      root: str) -> str:
    """Return one entry and its neighbours as an arc diagram that mirrors the lists beside it.

    One row per neighbour, in the lists' order (``groups``); one arc per relation, in the
    relation's direction: from this entry for ``out`` groups, into it for ``in`` groups.
    """
    vocabulary = glossary.vocabulary
    layout = _neighbour_rows(glossary, slug, groups)
    if layout is None:
        return ""
    by_slug = glossary.by_slug
    x, y0 = layout.x, layout.ys[0]
    width, height = layout.width, round(layout.height)
    parts = [f'<svg class="neighbour-map" width="{width:.0f}" height="{height}" '
             f'viewBox="0 0 {width:.0f} {height}" '
             f'aria-label="Neighbours of {escape(by_slug[slug].title)}" '
             'xmlns="http://www.w3.org/2000/svg">', _defs(vocabulary)]
    for (other, kind, direction), bow in zip(_neighbour_arcs(vocabulary, groups), layout.bows,
                                             strict=True):
        y = layout.ys[layout.slugs.index(other)]
        down = (f"M{_n(x - DOT_R)},{_n(y0 + 2)}C{_n(x - bow)},{_n(y0)} {_n(x - bow)},{_n(y)} "
                f"{_n(x - DOT_R - 1)},{_n(y)}")
        up = (f"M{_n(x - DOT_R)},{_n(y - 1)}C{_n(x - bow)},{_n(y)} {_n(x - bow)},{_n(y0)} "
              f"{_n(x - DOT_R - 1)},{_n(y0 + 2)}")
        source, target, d = (other, slug, up) if direction == "in" else (slug, other, down)
        parts.append(_edge(vocabulary, kind, source, target, d))
    for row, (other, y, lines) in enumerate(zip(layout.slugs, layout.ys, layout.lines, strict=True)):
        parts.append(_node(by_slug[other], x, y, root, cls="" if row else "center",
                           label=lines[0], second_line=lines[1] if len(lines) > 1 else ""))
    parts.append("</svg>")
    return "\n".join(parts)
