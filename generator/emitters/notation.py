"""The notation page: every symbol the entries declare, what it means, and where."""

from __future__ import annotations

from markupsafe import Markup

from ..notation import notation_table
from ..render import SiteModel
from . import OutputFile
from .pages import make_jinja


def emit(model: SiteModel) -> list[OutputFile]:
    rows = [(Markup(model.math.lookup(use.symbol, False)), use.symbol, use.meaning,
             [model.glossary.by_slug[slug] for slug in use.slugs])
            for use in notation_table(model.glossary)]
    text = make_jinja(model).get_template("notation.html").render(
        root="", dest="notation.html", rows=rows, title="Notation", canonical=(
            model.config.base_url.rstrip("/") + "/notation.html" if model.config.base_url else ""),
        description="Every symbol of the glossary, what it means, and the entries that use it.")
    return [OutputFile("notation.html", text.encode("utf-8"), origin="the notation page")]
