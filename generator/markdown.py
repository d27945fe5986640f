"""The markdown parser: markdown-it-py, its plugins, and our wiki-link plugin.

Math is rendered through dollarmath's ``renderer`` hook, bound to a lookup of the
formulas the katex stage rendered; wiki links are resolved through
``env["glossary"]["link"]``, which the render stage fills per page.
"""

from __future__ import annotations

import html
import re
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

MathHtml = Callable[[str, bool], str]


def make_md(math_html: MathHtml | None = None) -> MarkdownIt:
    """Return the parser used for every entry (raw HTML off: entries are untrusted).

    :param math_html: ``(tex, display) -> html``; without it math renders as escaped TeX.
    """
    md = MarkdownIt("commonmark", {"html": False, "highlight": _highlight})
    md.enable("table").enable("strikethrough")
    md.use(front_matter_plugin)
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True,
           renderer=_math_renderer(math_html))
    md.use(anchors_plugin, min_level=2, max_level=3, permalink=True, permalinkSymbol="#")
    md.use(footnote_plugin)
    md.use(deflist_plugin)
    md.use(wikilink_plugin)
    return md


def render_tokens(md: MarkdownIt, tokens: list, env: dict) -> str:
    """Render parsed tokens to HTML with our ``env`` (the wiki-link resolver)."""
    return md.renderer.render(tokens, md.options, env)


def _math_renderer(math_html: MathHtml | None) -> Callable[[str, dict], str]:
    def render(tex: str, options: dict) -> str:
        if math_html is None:
            return html.escape(tex)
        return math_html(tex, options["display_mode"])

    return render


def _highlight(code: str, lang: str, attrs: str) -> str:
    name = (lang or "").split()[0] if lang else ""
    try:
        lexer = get_lexer_by_name(name) if name else None
    except ClassNotFound:
        lexer = None
    if lexer is None:
        return ""  # markdown-it escapes the code itself
    return _PLAIN_TOKEN.sub(r"\1", highlight(code, lexer, HtmlFormatter(nowrap=True)))


_PLAIN_TOKEN = re.compile(r'<span class="(?:n|p|w)">([^<]*)</span>')
"""Names, punctuation and spaces, which no code style colours: their spans only add weight."""


def wikilink_plugin(md: MarkdownIt) -> None:
    """Parse ``[[target]]`` and ``[[target|text]]`` into ``wikilink`` tokens."""
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)
    md.add_render_rule("wikilink", _render_wikilink)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if not src.startswith("[[", start):
        return False
    end = src.find("]]", start + 2)
    if end < 0:
        return False
    inner = src[start + 2:end]
    if not inner.strip() or "[" in inner or inner.count("\n") > 1:
        return False  # a link may wrap onto the next line, as prose does
    if not silent:
        target, _, text = inner.partition("|")
        token = state.push("wikilink", "a", 0)
        token.content = " ".join((text or target).split())
        token.meta = {"target": " ".join(target.split()), "offset": start,
                      "raw": src[start:end + 2]}
    state.pos = end + 2
    return True


def _render_wikilink(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    resolve = env.get("glossary", {}).get("link")
    found = resolve(token.meta["target"]) if resolve else None
    text = html.escape(token.content)
    if found is None:
        return f'<span class="broken-link">{text}</span>'
    href, slug = found
    return f'<a class="wikilink" href="{html.escape(href)}" data-entry="{slug}">{text}</a>'


def plain_text(tokens: list) -> str:
    """Return the prose of a token stream (text, code spans, link texts), for search."""
    parts = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline", "wikilink"):
                parts.append(child.content)
        if token.type == "inline":
            parts.append(" ")
    return " ".join("".join(parts).split())
