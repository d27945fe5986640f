"""Light and dark versions of a snippet's matplotlib SVG (pure text in, text out).

matplotlib draws on white with black text and axes; the dark version swaps those
for the site's dark background and text colours and keeps the data colours (the
default cycle and colour maps read on both). Both drop the empty ``<path/>``
elements matplotlib leaves for empty artists, which have no ``d`` and are invalid.
"""

from __future__ import annotations

import re

DARK_SWAPS = {"#ffffff": "#15171c", "#000000": "#e6e8ec", "#cccccc": "#4a4f5a",
              "#262626": "#e6e8ec"}
"""matplotlib's page colours -> the dark theme's (``--bg``, ``--fg``, a frame grey)."""

_EMPTY_PATH = re.compile(r"<path(?![^>]*\sd=)[^>]*/>\s*")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")


def light_svg(svg: str) -> str:
    """Return the figure as drawn, minus its empty paths."""
    return _EMPTY_PATH.sub("", svg)


def dark_svg(svg: str) -> str:
    """Return the figure for a dark page: page colours swapped, data colours kept.

    Its ids get a ``-dark`` suffix, so ids stay unique across all figures even if a page
    inlines both versions.
    """
    svg = _COLOUR.sub(lambda m: DARK_SWAPS.get(m.group(0).lower(), m.group(0)), light_svg(svg))
    # Text glyphs are <use> elements with no fill of their own: SVG's default, black.
    svg = re.sub(r"<svg\b", f'<svg fill="{DARK_SWAPS["#000000"]}"', svg, count=1)
    svg = re.sub(r'(\sid=")([^"]+)"', r'\1\2-dark"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', r'url(#\1-dark)', svg)
    return re.sub(r'(href=")#([^"]+)"', r'\1#\2-dark"', svg)


_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"')


def svg_size(svg: str) -> str:
    """Return ``width``/``height`` attributes (CSS px) for an ``<img>`` of a matplotlib SVG.

    They reserve the figure's space before it loads (lazily), so nothing jumps.
    """
    found = _SIZE.search(svg)
    if not found:
        return ""
    width, height = (round(float(v) * 4 / 3) for v in found.groups())
    return f' width="{width}" height="{height}"'
