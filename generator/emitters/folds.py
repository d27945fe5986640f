"""What an entry page loads on demand (``folds/<slug>.js``): the folded views of its
formulas (when the reader folds) and the formulas it appears inside (when that section
nears the viewport). A ``<script>`` file, not fetched JSON, so it works from ``file://``.
"""

from __future__ import annotations

import json

from ..cache import content_key
from ..render import RenderedEntry, SiteModel
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    files = []
    for rendered in model.entries:
        if model.keys is None:
            text = _script(rendered)
        else:  # kept in memory by glossary serve: quicker than making it again
            key = content_key("folds", model.keys.entries[rendered.slug])
            text = model.keys.cached_text("folds", key, lambda r=rendered: _script(r), disk=False)
        if not text:
            continue
        files.append(OutputFile(f"folds/{rendered.slug}.js", text.encode("utf-8"),
                                origin=f"the folded formulas of entry '{rendered.slug}'",
                                origin_pos=rendered.entry.source.start()))
    return files


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
