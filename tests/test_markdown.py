"""Data-driven markdown fixtures (markdown-it-py's `.`-separated format)."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file

from generator.markdown import make_md, render_tokens
from generator.model import link_key

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"
KEYS = {link_key("softmax"): "softmax", link_key("normalized exponential"): "softmax"}


def resolve(target: str):
    slug = KEYS.get(link_key(target))
    return (f"concepts/{slug}.html", slug) if slug else None


def fake_math(tex: str, display: bool) -> str:
    return f"[{'display' if display else 'inline'}:{tex.strip()}]"


@pytest.mark.parametrize("line,title,text,expected", read_fixture_file(FIXTURES / "wikilinks.md"))
def test_wikilinks(line, title, text, expected):
    md = make_md(fake_math)
    html = render_tokens(md, md.parse(text), {"glossary": {"link": resolve}})
    assert html.rstrip() == expected.rstrip()


@pytest.mark.parametrize("line,title,text,expected", read_fixture_file(FIXTURES / "math.md"))
def test_math(line, title, text, expected):
    md = make_md(fake_math)
    html = render_tokens(md, md.parse(text), {"glossary": {"link": resolve}})
    assert html.rstrip() == expected.rstrip()
