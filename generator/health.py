"""Health report for ``glossary check``: warnings that keep the glossary well connected."""

from __future__ import annotations

from .diagnostics import Reporter, SourcePos
from .links import Glossary
from .model import SnippetResult
from .notation import notation_warnings


def health_warnings(glossary: Glossary, results: dict[str, SnippetResult], reporter: Reporter) -> None:
    """Warn about orphans, entries without a figure, chunk names used twice, clashing notation."""
    chunk_names: dict[str, str] = {}
    for entry in glossary.entries:
        pos = SourcePos(entry.path, 1, 1)
        if not glossary.relations[entry.slug].neighbours():
            reporter.warning(pos, f"'{entry.slug}' is an orphan: nothing links to it and it links "
                             "to nothing; add 'uses', 'builds_on' or 'see_also'")
        result = results.get(entry.slug)
        if result is not None and result.ok and not any(b.figures for b in result.blocks):
            reporter.warning(pos, f"'{entry.slug}' has no figure; a plot often says more than words")
        key = " ".join(entry.chunk.lower().split())
        if key in chunk_names:
            reporter.warning(pos, f"chunk name '{entry.chunk}' is also the chunk name of "
                             f"'{chunk_names[key]}'; a reader cannot tell them apart")
        else:
            chunk_names[key] = entry.slug
    notation_warnings(glossary, reporter)
