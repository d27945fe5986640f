"""Static assets: our CSS and JS (or the theme's), the vocabulary's CSS, code colours,
the math engine's stylesheets and fonts, and MiniSearch."""

from __future__ import annotations

from pathlib import Path

from pygments.formatters import HtmlFormatter

from ..assets import find_package
from ..chunk_html import card_styles
from ..render import SiteModel
from . import OutputFile

STATIC = Path(__file__).resolve().parent.parent / "static"


def emit(model: SiteModel) -> list[OutputFile]:
    config = model.config
    files = [OutputFile(dest, source=source, origin=f"the math engine's {source.name}")
             for source, dest in model.engine.stylesheets()]
    minisearch = find_package("minisearch", config.root)
    files.append(OutputFile("static/minisearch.js", source=minisearch.file("dist/umd/index.js"),
                            origin="MiniSearch"))
    files.append(OutputFile("static/vocabulary.css", config.vocabulary.css().encode("utf-8"),
                            origin="the vocabulary's styles"))
    files.append(OutputFile("static/pygments.css", pygments_css(), origin="code colours"))
    most = max((len(t.all_chunks()) for e in model.glossary.entries
                for t in (e.formula, *e.body_math)), default=0)
    files.append(OutputFile("static/chunk-cards.css", card_styles(most).encode("utf-8"),
                            origin="the chunks' name cards"))
    theme = config.resolve(config.theme_dir) / "static" if config.theme_dir else None
    for path in static_files(theme):
        files.append(OutputFile(f"static/{path.name}", source=path,
                                origin=f"static file {path.name}"))
    return files


def static_files(theme: Path | None = None) -> list[Path]:
    """Return our static files, each replaced by the theme's file of the same name."""
    chosen = {p.name: p for p in STATIC.iterdir() if p.is_file()}
    if theme is not None and theme.is_dir():
        chosen.update({p.name: p for p in theme.iterdir() if p.is_file()})
    return [chosen[name] for name in sorted(chosen)]


def pygments_css() -> bytes:
    """Return the code-highlighting styles, light and dark."""
    light = HtmlFormatter(style="friendly").get_style_defs([".snippet pre", ".body pre"])
    dark = HtmlFormatter(style="monokai").get_style_defs([".snippet pre", ".body pre"])
    return (f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n").encode("utf-8")
