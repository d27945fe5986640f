"""Hover-card data (``cards.js``): title, chunk name, abstraction and formula preview per entry."""

from __future__ import annotations

import json

from ..render import SiteModel
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    cards = {r.slug: {"title": r.entry.title, "chunk": r.entry.chunk,
                      "abstraction": r.entry.abstraction, "formula": r.formula_preview}
             for r in model.entries}
    data = json.dumps(cards, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")
    return [OutputFile("cards.js", f"window.GLOSSARY_CARDS = {data};\n".encode("utf-8"),
                       origin="the hover-card data")]
