"""Downloads: each entry's code as standalone ``.py`` scripts and as a Jupyter notebook."""

from __future__ import annotations

from .. import downloads
from ..render import SiteModel
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    files = []
    for rendered in model.entries:
        entry = rendered.entry
        if not entry.executed:
            continue
        origin, pos = f"a download of entry '{entry.slug}'", entry.source.start()
        for snippet in entry.executed:
            text = downloads.script(model.glossary, entry, snippet)
            files.append(OutputFile(downloads.script_name(entry, snippet), text.encode("utf-8"),
                                    origin=origin, origin_pos=pos))
        files.append(OutputFile(downloads.notebook_name(entry),
                                downloads.notebook(model.glossary, entry),
                                origin=origin, origin_pos=pos))
    return files
