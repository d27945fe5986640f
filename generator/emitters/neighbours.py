"""What an entry page loads on demand (``neighbours/<slug>.js``): its neighbour map, the
arc diagram of the connections listed beside it, drawn when its figure nears the viewport
(``glossary.js``). A ``<script>`` file, not fetched JSON, so it works from ``file://``.
"""

from __future__ import annotations

import json

from ..conceptmap import connection_groups, neighbour_map_svg
from ..render import RenderedEntry, SiteModel
from . import OutputFile, on_demand_scripts


def emit(model: SiteModel) -> list[OutputFile]:
    return on_demand_scripts(model, "neighbours", "the neighbour map",
                             lambda rendered: _script(model, rendered))


def _script(model: SiteModel, rendered: RenderedEntry) -> str:
    """Return the script of an entry's neighbour map ("" when it has none to draw).

    The map is drawn into ``concepts/<slug>.html``, so its links start at ``../``.
    """
    groups = connection_groups(rendered.groups, model.config.vocabulary)
    svg = neighbour_map_svg(model.glossary, rendered.slug, groups, "../")
    if not svg:
        return ""
    data = json.dumps(svg, ensure_ascii=True).replace("</", "<\\/")
    return (f"(window.GLOSSARY_NEIGHBOURS = window.GLOSSARY_NEIGHBOURS || {{}})"
            f"[{json.dumps(rendered.slug)}] = {data};\n")
