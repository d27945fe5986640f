"""The offline search index: built at build time, shipped as a script (works from file://)."""

from __future__ import annotations

import json

from ..render import SiteModel
from . import OutputFile

BODY_CAP = 4000
"""Characters of prose indexed per entry."""


def emit(model: SiteModel) -> list[OutputFile]:
    """Return ``search-index.js``: one document per entry, ranked in the page by MiniSearch.

    Pages load it (and MiniSearch) only when a reader starts to search; formula
    previews come from the hover-card shards.
    """
    docs = []
    for number, entry in enumerate(r.entry for r in model.entries):
        docs.append({
            "id": number, "slug": entry.slug, "title": entry.title,
            "aliases": ", ".join(entry.aliases), "chunk": entry.chunk,
            "abstraction": entry.abstraction,
            "body": " ".join(filter(None, [entry.action, entry.body_text]))[:BODY_CAP],
            "tex": " ".join([entry.formula.tex, *(t.tex for t in entry.body_math)]),
        })
    data = json.dumps(docs, ensure_ascii=True, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")
    return [OutputFile("search-index.js", f"window.GLOSSARY_SEARCH = {data};\n".encode("utf-8"),
                       origin="the search index")]
