"""What a swept entry's page loads when the reader reaches for a control
(``sweeps/<slug>.js``): every combination's output, by combination and block. A
``<script>`` file, not fetched JSON, so it works from ``file://``. The same outputs,
readable without JavaScript, are the page ``sweeps/<slug>.html`` (``pages``).
"""

from __future__ import annotations

import json

from ..render import SiteModel
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    files = []
    for rendered in model.entries:
        if not rendered.sweeps:
            continue
        outputs = {v.combination: v.blocks for v in rendered.sweeps}
        data = json.dumps(outputs, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")
        text = (f"(window.GLOSSARY_SWEEPS = window.GLOSSARY_SWEEPS || {{}})"
                f"[{json.dumps(rendered.slug)}] = {data};\n")
        files.append(OutputFile(f"sweeps/{rendered.slug}.js", text.encode("utf-8"),
                                origin=f"the swept outputs of entry '{rendered.slug}'",
                                origin_pos=rendered.entry.source.start()))
    return files
