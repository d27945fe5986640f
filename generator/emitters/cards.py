"""Hover-card data, one small script per entry (``cards/<slug>.js``), loaded on first hover.

Each shard calls ``window.glossaryCard(slug, card)``; ``glossary.js`` adds the
``<script>`` tag when a reader first hovers or focuses a link to that entry, so a
page never loads the formulas of the whole glossary, and file:// still works.
"""

from __future__ import annotations

import json

from ..render import SiteModel
from . import OutputFile


def card_script(slug: str, card: dict) -> bytes:
    """Return the shard of one entry's card (``</`` escaped: it is a script)."""
    data = json.dumps(card, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    name = json.dumps(slug)
    return f"window.glossaryCard({name},{data});\n".replace("</", "<\\/").encode("utf-8")


def emit(model: SiteModel) -> list[OutputFile]:
    files = []
    for r in model.entries:
        card = {"title": r.entry.title, "chunk": r.entry.chunk,
                "abstraction": r.entry.abstraction, "formula": r.formula_preview}
        files.append(OutputFile(f"cards/{r.slug}.js", card_script(r.slug, card),
                                origin=f"the hover card of '{r.slug}'"))
    return files
