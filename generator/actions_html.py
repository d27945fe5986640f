"""The HTML of an entry's actions: code relations next to the code, and sweeps.

Downloads: each executed block links its standalone ``.py`` (the entry up to
that block), the last one the entry's notebook too.

Code relations: a block that imports another entry's code says "uses code
from: Softmax" (linked), and the first block of an entry others import lists
them ("code used by: ...").

Sweeps: the HTML of a swept entry's controls and of every combination's output.

Every combination's output is in the page, listed under one ``<details>``
with an anchor each: that is what a reader without JavaScript sees (the
default's output stays under the code). ``static/actions.js`` shows the
controls (one range input or select per parameter) and copies the chosen
combination's output over the default's: no data file, no inline script, and
it works from ``file://``.
"""

from __future__ import annotations

import html
from typing import Callable

from . import sweeps
from .code_imports import find_imports, module_name
from .downloads import notebook_name, script_name
from .links import Glossary
from .model import Entry, Snippet, SnippetResult

BlockHtml = Callable[[SnippetResult, int], str]
"""(result of one combination, block index) -> that block's output HTML."""


def sweep_controls(entry: Entry) -> str:
    """Return one control per parameter, hidden until ``actions.js`` shows them."""
    controls = "".join(_control(entry.slug, p) for p in entry.params)
    return (f'<div class="sweep-controls" data-sweep="{html.escape(entry.slug)}" hidden>'
            f"{controls}</div>")


def sweep_listing(entry: Entry, result: SnippetResult, block_html: BlockHtml) -> str:
    """Return every combination's output, each under an anchor, in one ``<details>``."""
    params = entry.params
    default = sweeps.default_combination(params)
    links, sections = [], []
    for variant in result.variants:
        combo = variant.combination
        anchor = f"{entry.slug}-sweep-{sweeps.combination_id(combo)}"
        name = html.escape(sweeps.label(params, combo))
        shown = " (shown above)" if combo == default else ""
        links.append(f'<li><a href="#{anchor}">{name}</a>{shown}</li>')
        outputs = "".join(f'<div data-sweep-block="{s.index}">{block_html(variant, s.index)}</div>'
                          for s in entry.executed)
        sections.append(f'<section class="sweep-variant" id="{anchor}" '
                        f'data-combination="{sweeps.combination_id(combo)}">'
                        f"<h3>{name}</h3>{outputs}</section>")
    return (f'<details class="sweep-all"><summary>The same code with every value '
            f"({len(result.variants)} runs)</summary>"
            f'<ul class="sweep-links">{"".join(links)}</ul>{"".join(sections)}</details>')


def _control(slug: str, param: sweeps.Param) -> str:
    """Return a range input over the value indices (numbers) or a select (anything else)."""
    ident = html.escape(f"{slug}-param-{param.name}")
    shown = [html.escape(sweeps.show(v)) for v in param.values]
    symbol = f' data-symbol="param-{param.name}"' if param.symbol else ""
    name = html.escape(param.name)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in param.values)
    if numeric:
        labels = html.escape("|".join(sweeps.show(v) for v in param.values))
        field = (f'<input type="range" id="{ident}" min="0" max="{len(param.values) - 1}" step="1" '
                 f'value="{param.default}" data-param="{name}" data-labels="{labels}"{symbol} '
                 f'aria-valuetext="{shown[param.default]}">'
                 f'<output for="{ident}">{shown[param.default]}</output>')
    else:
        options = "".join(f'<option value="{i}"{" selected" if i == param.default else ""}>'
                          f"{text}</option>" for i, text in enumerate(shown))
        field = f'<select id="{ident}" data-param="{name}"{symbol}>{options}</select>'
    return f'<p class="sweep-control"><label for="{ident}">{name}</label> {field}</p>'


def code_links(glossary: Glossary, entry: Entry, snippet: Snippet, url: Callable[[str], str]) -> str:
    """Return " · uses code from: X" for a block's imports and its importers on the first block."""
    modules = {module_name(s): s for s in glossary.code.imports.get(entry.slug, ())}
    last = snippet.line + snippet.code.count("\n")
    used = [modules[i.module] for i in find_imports(entry)
            if snippet.line <= i.pos.line <= last and i.module in modules]
    parts = []
    if used:
        parts.append("uses code from: " + _links(glossary, dict.fromkeys(used), url))
    importers = glossary.code_importers(entry.slug)
    if importers and snippet.index == entry.executed[0].index:
        parts.append("code used by: " + _links(glossary, importers, url))
    return "".join(f' · <span class="code-relation">{part}</span>' for part in parts)


def _links(glossary: Glossary, slugs, url: Callable[[str], str]) -> str:
    return ", ".join(f'<a href="{html.escape(url(slug))}" data-entry="{html.escape(slug)}">'
                     f"{html.escape(glossary.by_slug[slug].title)}</a>" for slug in slugs)


def download_links(entry: Entry, snippet: Snippet, root: str) -> str:
    """Return " · download .py" (the entry up to this block) and, on the last block, ".ipynb"."""
    links = [f'<a class="download" href="{html.escape(root + script_name(entry, snippet))}" '
             f'download>.py</a>']
    if snippet.index == entry.executed[-1].index:
        links.append(f'<a class="download" href="{html.escape(root + notebook_name(entry))}" '
                     f'download>.ipynb</a>')
    return f' · <span class="downloads">download {" ".join(links)}</span>'
