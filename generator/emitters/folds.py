"""What an entry page loads on demand (``folds/<slug>.js``): the folded views of its
formulas (when the reader folds) and the formulas it appears inside (when that section
nears the viewport). A ``<script>`` file, not fetched JSON, so it works from ``file://``.
"""

from __future__ import annotations

import json

from ..render import RenderedEntry, SiteModel
from . import OutputFile, on_demand_scripts


def emit(model: SiteModel) -> list[OutputFile]:
    return on_demand_scripts(model, "folds", "the folded formulas", _script)


def _script(rendered: RenderedEntry) -> str:
    """Return the script of an entry's folded views and appearances ("" when it has none)."""
    views: dict = {number: folds for number, folds in rendered.fold_views.items() if folds}
    if rendered.appears_in:
        views["appears"] = [found.formula_html for found in rendered.appears_in]
    if not views:
        return ""
    data = json.dumps(views, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")
    return (f"(window.GLOSSARY_FOLDS = window.GLOSSARY_FOLDS || {{}})"
            f"[{json.dumps(rendered.slug)}] = {data};\n")
