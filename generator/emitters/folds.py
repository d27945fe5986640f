"""What an entry page loads on demand (``folds/<slug>.js``): the folded views of its
formulas, when the reader folds. A ``<script>`` file, not fetched JSON, so it works from
``file://``. (The formulas an entry appears inside come from their hover cards,
``cards/<slug>.js``: each formula is shipped once, see ``static/appears.js``.)
"""

from __future__ import annotations

import json

from ..render import RenderedEntry, SiteModel
from . import OutputFile, on_demand_scripts


def emit(model: SiteModel) -> list[OutputFile]:
    return on_demand_scripts(model, "folds", "the folded formulas", _script)


def _script(rendered: RenderedEntry) -> str:
    """Return the script of an entry's folded views ("" when it has none)."""
    views = {number: folds for number, folds in rendered.fold_views.items() if folds}
    if not views:
        return ""
    data = json.dumps(views, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")
    return (f"(window.GLOSSARY_FOLDS = window.GLOSSARY_FOLDS || {{}})"
            f"[{json.dumps(rendered.slug)}] = {data};\n")
