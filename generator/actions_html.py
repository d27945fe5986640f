"""The HTML of an entry's actions: code relations next to the code, and sweeps.

Downloads: each executed block links its standalone ``.py`` (the entry up to
that block), the last one the entry's notebook too.

Code relations: a block that imports another entry's code says "uses code
from: Softmax" (linked), and the first block of an entry others import lists
them ("code used by: ...").

Sweeps: the HTML of a swept entry's controls and of every combination's output.

The entry page shows the default's output under the code and lists the other
combinations as links to a page of their own, ``sweeps/<slug>.html``, which
holds every combination's output under an anchor each: that is what a reader
without JavaScript sees. ``static/actions.js`` shows the controls (one range
input or select per parameter); the first time the reader reaches for one it
loads ``sweeps/<slug>.js`` (a script that assigns the same outputs, so it works
from ``file://`` under the CSP) and copies the chosen combination's output over
the default's. The entry page stays light however many combinations there are.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SweepVariant:
    """One combination of a swept entry, rendered."""

    combination: str
    """Its id, the value indices joined by ``-`` (``"0-2"``), as the controls compute it."""
    label: str
    """``beta=0.9, window=1``"""
    default: bool
    blocks: dict[str, str]
    """Executed block index -> that block's output HTML (for a page in concepts/ or sweeps/)."""


def sweep_variants(entry: Entry, result: SnippetResult, block_html: BlockHtml
                   ) -> tuple[SweepVariant, ...]:
    """Return every combination's output, the default's included, in the run's order.

    A block whose output is the same for every combination (one that does not use the
    parameters) is left out: the page shows it once, under the code.
    """
    default = sweeps.default_combination(entry.params)
    outputs = [{str(s.index): block_html(v, s.index) for s in entry.executed}
               for v in result.variants]
    varying = [i for i in (outputs[0] if outputs else {}) if len({o[i] for o in outputs}) > 1]
    return tuple(SweepVariant(combination=sweeps.combination_id(v.combination),
                              label=sweeps.label(entry.params, v.combination),
                              default=v.combination == default,
                              blocks={index: found[index] for index in varying})
                 for v, found in zip(result.variants, outputs, strict=True))


def sweep_anchor(slug: str, variant: SweepVariant) -> str:
    return f"{slug}-sweep-{variant.combination}"


def sweep_links(slug: str, variants: tuple[SweepVariant, ...], root: str,
                listed: bool = False) -> str:
    """Return the combinations as links to their outputs on ``sweeps/<slug>.html``.

    :param listed: for that page itself: a plain list of in-page links.
    """
    links = []
    for variant in variants:
        page = "" if listed else f"{root}sweeps/{slug}.html"
        href = html.escape(f"{page}#{sweep_anchor(slug, variant)}")
        shown = " (the page's default)" if listed and variant.default else (
            " (shown above)" if variant.default else "")
        links.append(f'<li><a href="{href}" data-combination="{variant.combination}">'
                     f"{html.escape(variant.label)}</a>{shown}</li>")
    listing = f'<ul class="sweep-links">{"".join(links)}</ul>'
    if listed:
        return listing
    return (f'<details class="sweep-all"><summary>The same code with every value '
            f"({len(variants)} runs)</summary>{listing}</details>")


def sweep_sections(slug: str, variants: tuple[SweepVariant, ...]) -> str:
    """Return every combination's output under its anchor (the page ``sweeps/<slug>.html``)."""
    sections = []
    for variant in variants:
        outputs = "".join(f'<div data-sweep-block="{index}">{output}</div>'
                          for index, output in variant.blocks.items())
        sections.append(f'<section class="sweep-variant" id="{sweep_anchor(slug, variant)}" '
                        f'data-combination="{variant.combination}">'
                        f"<h2>{html.escape(variant.label)}</h2>{outputs}</section>")
    return "".join(sections)


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
