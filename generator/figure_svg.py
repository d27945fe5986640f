"""Save a snippet's matplotlib figure as SVG in one draw, cropped to what it shows.

``savefig(bbox_inches="tight")`` draws a figure three times over: a draw with
output disabled, a tight-bbox pass that lays every tick and label out again,
then the real draw (about 2.2x a plain save). Here the figure is drawn once;
while it draws, the extent of every text and legend it draws is recorded (their
layout was just computed for that draw, so asking for it is cheap), and at the
end of the draw the extent of every other artist that may reach outside the axes
boxes: what a tight save measures too (a patch, line or image added to the
figure, an axes' artist drawn with clipping off, an annotation box), and an
annotation's arrow even where its text is empty (a tight save cuts that one off).
The crop is
the union of those extents and every axes' box, plus matplotlib's own pad,
written into the SVG's ``width``, ``height`` and ``viewBox``: nothing drawn is
cut off and the margins match a tight save. Runs in the snippet process only.
"""

from __future__ import annotations

import io
import re

PAD_POINTS = 7.2
"""Margin around the drawn content: matplotlib's ``savefig.pad_inches`` (0.1 in)."""

_ROOT_SIZE = re.compile(r'(<svg\b[^>]*?)\swidth="[\d.]+pt"\s+height="[\d.]+pt"\s+viewBox="[^"]*"')


def save_svg(fig) -> str:
    """Return the figure as SVG text, drawn once, its canvas cropped to its content."""
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    extents = []
    originals = {cls: cls.draw for cls in (Text, Legend)}

    def recording(cls):
        def draw(artist, renderer, *args, **kwargs):
            result = originals[cls](artist, renderer, *args, **kwargs)
            if artist.get_visible() and (cls is not Text or artist.get_text()):
                extents.append(artist.get_window_extent(renderer).extents)
            arrow = getattr(artist, "arrow_patch", None)  # an annotation's, drawn just before
            if artist.get_visible() and arrow is not None:
                # Also when the text is empty (an arrow drawn with annotate("", ...)): a
                # tight save measures the text only then, and cuts such an arrow off.
                extents.append(arrow.get_window_extent(renderer).extents)
            return result
        return draw

    def drawing_figure(renderer, *args, **kwargs):
        result = type(fig).draw(fig, renderer, *args, **kwargs)
        extents.extend(_unclipped_extents(fig, renderer))
        return result

    buffer = io.StringIO()
    fig.draw = drawing_figure  # this figure's draw only: the SVG backend calls figure.draw
    try:
        for cls in originals:
            cls.draw = recording(cls)
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        for cls, draw in originals.items():
            cls.draw = draw
        del fig.draw
    width, height = (float(v) * 72 for v in fig.get_size_inches())  # points, as in the SVG
    for ax in fig.axes:
        if ax.get_visible():
            x0, y0, x1, y1 = ax.get_position().extents
            extents.append((x0 * width, y0 * height, x1 * width, y1 * height))
    box = _union(extents)
    if box is None:
        return buffer.getvalue()
    return crop(buffer.getvalue(), box, (width, height), _face_colour(fig))


def _figures(fig) -> list:
    """Return the figure and its subfigures, nested ones too."""
    return [fig, *(f for sub in fig.subfigs for f in _figures(sub))]


def _unclipped_extents(fig, renderer) -> list:
    """Return the extents of the artists a tight save measures besides axes, texts and legends.

    matplotlib's own list (``get_default_bbox_extra_artists``): the figure's visible
    children in the layout, and each axes' children that are not clipped to it.
    Axes are measured by their boxes, texts and legends as they draw (they are in the
    list too and are skipped here). Call it while the figure draws, so extents are in
    the SVG's points. Boxes of no size are left out, as a tight save leaves them out
    (an artist without a ``get_window_extent``, a figure image, answers one at 0, 0).
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    measured = (Axes, FigureBase, Legend, Text)
    extents = []
    for figure in _figures(fig):
        for artist in figure.get_default_bbox_extra_artists():
            if not isinstance(artist, measured):
                box = artist.get_tightbbox(renderer)
                if box is not None and (box.width or box.height):  # an empty box: no extent
                    extents.append(box.extents)
    return extents


def _union(extents: list) -> tuple[float, float, float, float] | None:
    """Return the padded bounding box (points, origin at the bottom left) of finite extents."""
    finite = [e for e in extents if all(abs(v) < 1e6 for v in e) and e[2] >= e[0] and e[3] >= e[1]]
    if not finite:
        return None
    return (min(e[0] for e in finite) - PAD_POINTS, min(e[1] for e in finite) - PAD_POINTS,
            max(e[2] for e in finite) + PAD_POINTS, max(e[3] for e in finite) + PAD_POINTS)


def crop(svg: str, box: tuple[float, float, float, float], size: tuple[float, float],
         face: str | None) -> str:
    """Return ``svg`` showing only ``box`` (points, y up) of a figure of ``size`` points.

    Where the box reaches past the figure, a rectangle of the figure's face colour
    extends its background (the figure's own background ends at its edge).
    """
    x0, y0, x1, y1 = box
    width, height = size
    top = height - y1  # SVG's y axis points down
    w, h = x1 - x0, y1 - y0
    view = f'width="{w:.2f}pt" height="{h:.2f}pt" viewBox="{x0:.2f} {top:.2f} {w:.2f} {h:.2f}"'
    svg, found = _ROOT_SIZE.subn(lambda m: f"{m.group(1)} {view}", svg, count=1)
    if not found:
        return svg
    if face and (x0 < 0 or top < 0 or x1 > width or y0 < 0):
        background = (f'<rect x="{x0:.2f}" y="{top:.2f}" width="{w:.2f}" height="{h:.2f}" '
                      f'style="fill: {face}"/>\n')
        svg = re.sub(r"(<g id=\"figure_1\">)", lambda m: background + m.group(1), svg, count=1)
    return svg


def _face_colour(fig) -> str | None:
    """Return the figure's background as ``#rrggbb``, or None if it is transparent."""
    from matplotlib.colors import to_hex, to_rgba

    rgba = to_rgba(fig.get_facecolor())
    if not fig.patch.get_visible() or rgba[3] == 0:
        return None
    return to_hex(rgba, keep_alpha=False)
