"""Figures are drawn once and cropped to their content: the same canvas as a tight save, nothing cut off."""

from __future__ import annotations

import io
import re

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

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


def _tight_svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _text_as_text():
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "test"}):
        yield
    plt.close("all")


@pytest.mark.parametrize("make", [_plain_line, _legend_outside_and_suptitle, _long_ylabel_past_the_edge,
                                  _colorbar_and_annotation, _subplots_with_math])
def test_the_canvas_is_the_one_a_tight_save_gives(make):
    ours = SIZE.search(save_svg(make())).groups()
    tight = SIZE.search(_tight_svg(make())).groups()
    assert float(ours[0]) == pytest.approx(float(tight[0]), abs=0.5)
    assert float(ours[1]) == pytest.approx(float(tight[1]), abs=0.5)


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
