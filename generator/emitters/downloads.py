"""Downloads: each entry's code as standalone ``.py`` scripts and as a Jupyter notebook."""

from __future__ import annotations

import json

from .. import downloads
from ..cache import content_key
from ..render import SiteModel
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    files = []
    for rendered in model.entries:
        entry = rendered.entry
        if not entry.executed:
            continue
        origin, pos = f"a download of entry '{entry.slug}'", entry.source.start()
        for dest, content in _downloads(model, rendered.slug):
            files.append(OutputFile(dest, content, origin=origin, origin_pos=pos))
    return files


def _downloads(model: SiteModel, slug: str) -> list[tuple[str, bytes]]:
    """Return an entry's scripts and notebook, cached under its render key (nbformat is slow)."""
    def make() -> str:
        entry = model.glossary.by_slug[slug]
        made = [(downloads.script_name(entry, s), downloads.script(model.glossary, entry, s))
                for s in entry.executed]
        made.append((downloads.notebook_name(entry),
                     downloads.notebook(model.glossary, entry).decode("utf-8")))
        return json.dumps(made)

    if model.keys is None:
        made = json.loads(make())
    else:
        made = json.loads(model.keys.cached_text(
            "downloads", content_key("downloads", model.keys.entries[slug]), make))
    return [(dest, text.encode("utf-8")) for dest, text in made]
