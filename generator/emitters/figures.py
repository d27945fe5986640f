"""The figures the snippets drew, as SVG files (each named after its entry, block and content)."""

from __future__ import annotations

from ..render import SiteModel
from . import OutputFile


def emit(model: SiteModel) -> list[OutputFile]:
    return [OutputFile(asset.dest, asset.content, origin=f"a figure of entry '{r.slug}'",
                       origin_pos=r.entry.source.start())
            for r in model.entries for asset in r.figures]
