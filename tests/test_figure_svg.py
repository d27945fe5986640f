"""Figures are drawn once and cropped to their content: the same canvas as a tight save, nothing cut off."""

from __future__ import annotations

import io
import re

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Rectangle

from generator.figure_svg import save_svg

SIZE = re.compile(r'<svg[^>]*\swidth="([\d.]+)pt" height="([\d.]+)pt" viewBox="([-\d. ]+)"')


def _plain_line():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(np.arange(10), np.arange(10) ** 2)
    ax.set_title("a title")
    return fig


def _legend_outside_and_suptitle():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot(np.arange(5), label="a rather long legend label")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.suptitle("A suptitle")
    return fig


def _long_ylabel_past_the_edge():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [-12345.678, 98765.4321])
    ax.set_ylabel("a label that sticks out of the figure")
    return fig


def _colorbar_and_annotation():
    fig, ax = plt.subplots(figsize=(4, 3))
    image = ax.imshow(np.arange(16).reshape(4, 4))
    fig.colorbar(image, label="value")
    ax.annotate("corner", xy=(3, 3), xytext=(4.5, 5.5), arrowprops={"arrowstyle": "->"},
                annotation_clip=False)
    return fig


def _subplots_with_math():
    fig, axes = plt.subplots(2, 2, figsize=(5, 4))
    for n, ax in enumerate(axes.flat):
        ax.plot(np.linspace(0, 1, 20) ** (n + 1))
        ax.set_xlabel(rf"$\alpha_{{{n}}}$")
    return fig


def _patch_on_the_figure():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    fig.add_artist(Rectangle((0.9, 0.9), 0.4, 0.3, transform=fig.transFigure, gid="outside"))
    return fig


def _arrow_on_the_figure():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    fig.add_artist(FancyArrowPatch((0.5, 0.5), (1.2, 1.1), transform=fig.transFigure,
                                   arrowstyle="->", mutation_scale=20, gid="outside"))
    return fig


def _line_left_of_the_figure_and_text_right_of_it():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    fig.add_artist(Line2D([-0.2, 0.1], [0.5, 0.5], transform=fig.transFigure, lw=3, gid="outside"))
    fig.text(1.05, 0.5, "text right of the figure")
    return fig


def _unclipped_line_past_its_axes():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0.5, 1.6], [0.5, 1.5], clip_on=False, gid="outside")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    return fig


def _subfigure_patch():
    fig = plt.figure(figsize=(5, 3))
    left, right = fig.subfigures(1, 2)
    left.subplots().plot([1, 2])
    right.subplots().plot([2, 1])
    right.suptitle("right")
    right.add_artist(Rectangle((0.8, 0.8), 0.5, 0.5, transform=right.transSubfigure, gid="outside"))
    return fig


def _arrow_only_annotation():
    """``annotate("", ...)`` draws just an arrow: a tight save measures the empty text and cuts it."""
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    note = ax.annotate("", xy=(1.5, 1.4), xycoords="axes fraction", xytext=(0.5, 0.5),
                       arrowprops={"arrowstyle": "->"}, annotation_clip=False)
    note.arrow_patch.set_gid("outside")
    return fig


def _tight_svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _text_as_text():
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "test"}):
        yield
    plt.close("all")


OUTSIDE_EVERY_AXES = [_patch_on_the_figure, _arrow_on_the_figure,
                      _line_left_of_the_figure_and_text_right_of_it, _unclipped_line_past_its_axes,
                      _subfigure_patch]


@pytest.mark.parametrize("make", [_plain_line, _legend_outside_and_suptitle, _long_ylabel_past_the_edge,
                                  _colorbar_and_annotation, _subplots_with_math, *OUTSIDE_EVERY_AXES])
def test_the_canvas_is_the_one_a_tight_save_gives(make):
    ours = SIZE.search(save_svg(make())).groups()
    tight = SIZE.search(_tight_svg(make())).groups()
    # Ours are written with two decimals: equal up to that rounding.
    assert float(ours[0]) == pytest.approx(float(tight[0]), abs=0.005)
    assert float(ours[1]) == pytest.approx(float(tight[1]), abs=0.005)


def _drawn_points(svg: str, gid: str) -> list[tuple[float, float]]:
    """Return the vertices of the paths in the SVG group ``gid`` (SVG user units: points, y down)."""
    group = re.search(rf'<g id="{gid}">(.*?)</g>', svg, re.S)
    assert group, f"no group {gid} in the SVG"
    numbers = [float(v) for d in re.findall(r'\sd="([^"]*)"', group.group(1))
               for v in re.findall(r"-?[\d.]+", d)]
    assert numbers
    return list(zip(numbers[::2], numbers[1::2]))


@pytest.mark.parametrize("make", [*OUTSIDE_EVERY_AXES, _arrow_only_annotation])
def test_an_artist_drawn_outside_every_axes_is_inside_the_cropped_canvas(make):
    svg = save_svg(make())
    x0, top, w, h = (float(v) for v in SIZE.search(svg).group(3).split())
    for x, y in _drawn_points(svg, "outside"):
        assert x0 <= x <= x0 + w and top <= y <= top + h, ((x, y), (x0, top, w, h))


def test_content_past_the_figure_edge_is_kept_on_the_figure_background():
    fig = _long_ylabel_past_the_edge()
    fig.set_facecolor("#fafafa")
    svg = save_svg(fig)
    x0, y0, w, h = (float(v) for v in SIZE.search(svg).group(3).split())
    assert x0 < 0  # the label reaches left of the figure: the canvas grows to show it
    rect = re.search(r'<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)" '
                     r'style="fill: #fafafa"/>', svg)
    assert rect and [float(v) for v in rect.groups()] == [x0, y0, w, h]
    assert svg.index("<rect") < svg.index('<g id="figure_1">')


def test_a_figure_inside_its_canvas_gets_no_extra_background():
    fig = _plain_line()
    fig.subplots_adjust(left=0.3, bottom=0.3, right=0.7, top=0.7)
    svg = save_svg(fig)
    x0, y0, _, _ = (float(v) for v in SIZE.search(svg).group(3).split())
    assert x0 > 0 and y0 > 0
    assert "<rect" not in svg.split('<g id="figure_1">')[0]  # clip paths hold rects too


def test_saving_twice_gives_the_same_bytes_and_leaves_matplotlib_as_it_was():
    from matplotlib.legend import Legend
    from matplotlib.text import Text
    draws = (Text.draw, Legend.draw)
    fig = _legend_outside_and_suptitle()
    assert save_svg(fig) == save_svg(fig)
    assert (Text.draw, Legend.draw) == draws
    assert "draw" not in vars(fig)  # the figure's own draw is back too
