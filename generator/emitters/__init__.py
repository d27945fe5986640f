"""Outputs: each emitter takes the rendered model and returns the files it makes.

The build runs the emitters of every requested format in order, then checks
that no two files claim one path (naming both) before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..diagnostics import Reporter, SourcePos

if TYPE_CHECKING:  # the render stage imports markdown-it and Pygments: not for the no-op check
    from ..render import SiteModel


@dataclass(frozen=True)
class OutputFile:
    """One file of the output: its path in the site and its bytes (or a file to copy)."""

    dest: str
    content: bytes | None = None
    source: Path | None = None
    """Copied as it is when ``content`` is None."""
    origin: str = ""
    """Who made it, for the two-outputs-at-one-path error: "tag page 'ML'"."""
    origin_pos: SourcePos | None = None
    """Where in the input that came from, if anywhere."""


Emitter = Callable[["SiteModel"], list[OutputFile]]


def on_demand_scripts(model: SiteModel, folder: str, what: str, make) -> list[OutputFile]:
    """Return ``<folder>/<slug>.js`` for every entry whose ``make(rendered)`` is not empty.

    :param what: names the content in clash errors ("the folded formulas").
    ``glossary serve`` keeps each script in memory under the entry's render key: quicker
    than making it again.
    """
    from ..cache import content_key

    files = []
    for rendered in model.entries:
        if model.keys is None:
            text = make(rendered)
        else:
            key = content_key(folder, model.keys.entries[rendered.slug])
            text = model.keys.cached_text(folder, key, lambda r=rendered: make(r), disk=False)
        if text:
            files.append(OutputFile(f"{folder}/{rendered.slug}.js", text.encode("utf-8"),
                                    origin=f"{what} of entry '{rendered.slug}'",
                                    origin_pos=rendered.entry.source.start()))
    return files


def emitters_for(formats: tuple[str, ...]) -> list[tuple[str, Emitter]]:
    """Return the (name, emitter) pairs that make the requested formats, in order, once each."""
    from . import (anki, cards, downloads, figures, folds, hosting, json_export, neighbours,
                   notation, pages, search, static, sweeps)
    by_format: dict[str, list[tuple[str, Emitter]]] = {
        "html": [("pages", pages.emit), ("notation", notation.emit), ("figures", figures.emit),
                 ("folds", folds.emit), ("neighbours", neighbours.emit), ("sweeps", sweeps.emit), ("downloads", downloads.emit), ("search", search.emit),
                 ("cards", cards.emit), ("static", static.emit), ("hosting", hosting.emit)],
        "json": [("json", json_export.emit), ("figures", figures.emit)],
        "anki": [("anki", anki.emit)],
    }
    chosen: dict[str, Emitter] = {}
    for name in formats:
        for emitter_name, emitter in by_format[name]:
            chosen.setdefault(emitter_name, emitter)
    return list(chosen.items())


FORMATS = ("html", "json", "anki")


def check_unique(files: list[OutputFile], reporter: Reporter, out_name: str) -> None:
    """Report every path claimed by two outputs, naming both."""
    first: dict[str, OutputFile] = {}
    for file in files:
        other = first.setdefault(file.dest, file)
        if other is file:
            continue
        pos = file.origin_pos or other.origin_pos or SourcePos(out_name)
        reporter.error(pos, f"two outputs at '{file.dest}': {other.origin or 'an output'} and "
                       f"{file.origin or 'another output'}; rename one of them")
