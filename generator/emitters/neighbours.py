"""What an entry page loads on demand (``neighbours/<slug>.js``): its neighbour map, the
arc diagram of the connections listed beside it, drawn when its figure nears the viewport
(``glossary.js``). A ``<script>`` file, not fetched JSON, so it works from ``file://``.
"""

from __future__ import annotations

import json

from ..cache import content_key
from ..conceptmap import connection_groups, neighbour_map_svg
from ..render import RenderedEntry, SiteModel
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    files = []
    for rendered in model.entries:
        if model.keys is None:
            text = _script(model, rendered)
        else:  # kept in memory by glossary serve: quicker than drawing it again
            key = content_key("neighbours", model.keys.entries[rendered.slug])
            text = model.keys.cached_text("neighbours", key,
                                          lambda r=rendered: _script(model, r), disk=False)
        if not text:
            continue
        files.append(OutputFile(f"neighbours/{rendered.slug}.js", text.encode("utf-8"),
                                origin=f"the neighbour map of entry '{rendered.slug}'",
                                origin_pos=rendered.entry.source.start()))
    return files


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
