"""Pure helpers, table-driven: slugs, link keys, UTF-16 offsets, id prefixes."""

from __future__ import annotations

import pytest

from generator.katex import utf16_to_index
from generator.model import SLUG_RE, link_key, slugify
from generator.snippet_worker import prefix_ids


@pytest.mark.parametrize("title, slug", [
    ("Layer normalization", "layer-normalization"),
    ("  Attention:  #1 idea ", "attention-1-idea"),
    ("ReLU", "relu"),
    ("Scaled dot-product attention", "scaled-dot-product-attention"),
    ("Café au lait", "caf-au-lait"),
    ("!!!", ""),
])
def test_slugify(title, slug):
    assert slugify(title) == slug
    assert slug == "" or SLUG_RE.match(slug)


@pytest.mark.parametrize("a, b", [
    ("softmax", "Softmax"),
    ("attention-weights", "Attention weights"),
    ("normalized exponential", "Normalized-Exponential"),
    ("luong_score", "luong score"),
])
def test_link_keys_ignore_case_spaces_hyphens(a, b):
    assert link_key(a) == link_key(b)


@pytest.mark.parametrize("text, units, index", [
    ("abc", 2, 2),
    ("😀x", 2, 1),       # the emoji is two UTF-16 units
    ("a😀b\\bad", 4, 3),
    ("ab", 9, 2),
])
def test_utf16_offsets(text, units, index):
    assert utf16_to_index(text, units) == index


def test_prefix_ids_rewrites_definitions_and_references_only():
    svg = '<g id="a"/><use xlink:href="#a"/><path clip-path="url(#a)"/><a href="#other"/>'
    assert prefix_ids(svg, "p-") == \
        '<g id="p-a"/><use xlink:href="#p-a"/><path clip-path="url(#p-a)"/><a href="#other"/>'
