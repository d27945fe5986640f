"""Stage 4a: render every formula at build time through the math engine, with a cache.

Formulas are looked up in the content cache first; only the misses go to the
engine, in one batch. A build with nothing changed starts no engine at all.
The engine's errors come back with positions in the TeX it got; ``Tex`` maps
them to the line and column in the markdown file.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import __version__
from .cache import ContentCache, content_key
from .diagnostics import Reporter
from .model import Entry, Tex
from .source import SourceText


class MathEngine(Protocol):
    """What the build needs of a math engine (KaTeX on node is the one we have)."""

    name: str
    version: str
    fingerprint: str
    """Anything else that changes the engine's output (its own glue code)."""

    def render_batch(self, items: list[tuple[str, bool]], macros: str): ...
    def stylesheets(self) -> list[tuple[Path, str]]: ...
    def visual_only(self, html: str) -> str: ...
    def decorate_chunks(self, html: str, decorate) -> str: ...


@dataclass
class MathStats:
    rendered: int = 0
    cached: int = 0


@dataclass
class MathTable:
    """Rendered HTML by (tex, display); filled by ``render_math``, read by the render stage."""

    html: dict[tuple[str, bool], str] = field(default_factory=dict)
    stats: MathStats = field(default_factory=MathStats)
    engine_started: bool = False

    def lookup(self, tex: str, display: bool) -> str:
        """Return the HTML of a formula (escaped TeX if it failed to render)."""
        found = self.html.get((tex.strip(), display))
        if found is None:
            return f'<code class="math-error">{html.escape(tex)}</code>'
        return found


def formula_key(engine: MathEngine, macros: str, tex: Tex) -> str:
    """Return the cache key of one formula: everything that changes its HTML."""
    return content_key("math", engine.name, engine.version, engine.fingerprint, __version__,
                       macros, tex.engine_tex, tex.display)


def render_math(entries: list[Entry], engine: MathEngine, macros: SourceText,
                cache: ContentCache, reporter: Reporter, extra: list[Tex] = ()) -> MathTable:
    """Render every formula of every entry; report each failing one at its file position.

    :param extra: more formulas made from the entries (the fold views of ``chunks``).
    The engine process starts only when some formula missed the cache.
    """
    table = MathTable()
    occurrences: dict[tuple[str, bool], list[Tex]] = {}
    for entry in entries:
        for tex in (entry.formula, *entry.body_math, *entry.symbol_math):
            occurrences.setdefault((tex.tex, tex.display), []).append(tex)
    for tex in extra:
        occurrences.setdefault((tex.tex, tex.display), []).append(tex)
    keys = {item: formula_key(engine, macros.text, texs[0]) for item, texs in occurrences.items()}
    missing = []
    for item, key in keys.items():
        hit = cache.get(key)
        if hit is not None and isinstance(hit.get("html"), str):
            table.html[item] = hit["html"]
            table.stats.cached += 1
        else:
            missing.append(item)
    if not missing:
        return table
    table.engine_started = True
    batch = [(occurrences[item][0].engine_tex, item[1]) for item in missing]
    macros_error, results = engine.render_batch(batch, macros.text)
    if macros_error is not None:
        reporter.error(macros.pos(macros_error.position or 0),
                       f"TeX error in the shared macros: {macros_error.message}")
        return table  # every formula would fail the same way: report the cause once
    derived = {id(tex) for tex in extra}
    failed_sources: set = set()
    derived_failures = []
    for item, result in zip(missing, results, strict=True):
        if result.error is None:
            table.html[item] = result.html
            table.stats.rendered += 1
            cache.put(keys[item], {"html": result.html})
            continue
        for tex in occurrences[item]:
            if id(tex) in derived:
                derived_failures.append((tex, result.error))
            else:
                failed_sources.add(tex.source.path)
                _report(tex, result.error, reporter)
    for tex, error in derived_failures:
        # A fold view is made from its entry's formula: when that formula failed, the
        # error is already reported at its line; report the view only if it fails alone.
        if tex.source.path not in failed_sources:
            _report(tex, error, reporter)
    return table


def _report(tex: Tex, error, reporter: Reporter) -> None:
    index = tex.source_index(error.position or 0)
    if error.kind == "refused":
        reporter.error(tex.pos_at(index), f"{', '.join(error.message.split())} is not allowed "
                       "in a formula: only \\chunk{slug}{...} links and \\fade{...} styles")
        return
    reporter.error(tex.pos_at(index), f"TeX error: {error.message}")
