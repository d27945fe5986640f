"""The build: one flat, named sequence of stages (read it top to bottom).

discover -> load -> link -> math -> execute -> [health] -> render -> write.
Every entry is loaded and every slug known before any link is resolved or any
page rendered. Each stage reports into one Reporter; the build stops after a
stage that reported errors only when going on would make no sense.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .cache import ContentCache
from .config import SiteConfig
from .diagnostics import BuildFailed, Reporter, SourcePos, UsageError
from .discover import discover, display_path
from .execute import ExecStats, execute
from .health import health_warnings
from .katex import MathStats, find_katex, render_math
from .links import link
from .load import load_entry
from .markdown import make_md
from .model import Entry
from .render import Page, Renderer, pygments_css, static_files
from .search import search_index_js
from .write import check_output_dir, write_site

STAGES = ("discover", "load", "link", "math", "execute", "render", "write")


@dataclass
class BuildResult:
    """What a build did, for the command line and ``--json``."""

    entries: int = 0
    pages: int = 0
    math: MathStats = field(default_factory=MathStats)
    snippets: ExecStats = field(default_factory=ExecStats)
    js_engine_started: bool = False
    written: list[str] = field(default_factory=list)
    stages_run: list[str] = field(default_factory=list)
    seconds: float = 0.0


def build(config: SiteConfig, reporter: Reporter, write: bool = True, health: bool = False,
          progress: Callable[[int], None] | None = None,
          on_snippets: Callable[[int], None] | None = None) -> BuildResult:
    """Build the site (or, with ``write=False``, run every check and write nothing)."""
    started = time.perf_counter()
    result = BuildResult()
    entries_dir = config.resolve(config.entries)
    out = config.resolve(config.out)
    if not entries_dir.is_dir():
        raise UsageError(f"error: entries folder '{display_path(entries_dir)}' does not exist")
    if write:
        check_output_dir(out)  # refuse early, before any work
    katex_dir = find_katex(config.root)

    # Stage: discover the files.
    result.stages_run.append("discover")
    paths = discover(entries_dir, reporter)  # links leading outside: refused, reported
    if not paths:
        reporter.error(SourcePos(display_path(entries_dir)), "no entries found (*.md files)")
        raise BuildFailed(reporter.error_count, result)

    # Stage: load and validate every entry before anything is resolved.
    result.stages_run.append("load")
    md = make_md()
    loaded = [load_entry(path, entries_dir, md, reporter) for path in paths]
    entries: list[Entry] = [e for e in loaded if e is not None]
    broken = {p.stem for p, e in zip(paths, loaded, strict=True) if e is None}
    result.entries = len(entries)

    # Stage: link: all slugs known, every reference resolved, relations both ways.
    result.stages_run.append("link")
    glossary = link(entries, reporter, known_broken=broken)

    # Stage: math: every formula rendered by KaTeX (or taken from the cache).
    result.stages_run.append("math")
    cache_root = config.resolve(config.cache_dir)
    math = render_math(glossary.entries, katex_dir, config.resolve(config.macros),
                       display_path(config.resolve(config.macros)),
                       ContentCache(cache_root, "katex", enabled=config.use_cache), reporter)
    result.math, result.js_engine_started = math.stats, math.engine_started

    # Stage: execute every entry's snippets as guests (or take them from the cache).
    result.stages_run.append("execute")
    if on_snippets:
        on_snippets(len(glossary.entries))
    results, result.snippets = execute(glossary.entries, config, reporter, progress)
    if health:
        health_warnings(glossary, results, reporter)
    if reporter.error_count:
        result.seconds = time.perf_counter() - started
        raise BuildFailed(reporter.error_count, result)

    # Stage: render every page.
    result.stages_run.append("render")
    renderer = Renderer(config, glossary, math, results)
    pages = renderer.render_all()
    pages += [Page("search-index.js", search_index_js(glossary)),
              Page("static/pygments.css", pygments_css())]
    pages += _hosting_files(config, pages)
    copies = _asset_copies(katex_dir)
    result.pages = sum(1 for p in pages if p.dest.endswith(".html"))

    # Stage: write the site atomically.
    if write:
        result.stages_run.append("write")
        result.written = write_site(out, pages, copies)
    result.seconds = time.perf_counter() - started
    return result


def _asset_copies(katex_dir: Path) -> list[tuple[Path, str]]:
    dist = katex_dir / "dist"
    copies = [(dist / "katex.min.css", "static/katex/katex.min.css")]
    copies += [(font, f"static/katex/fonts/{font.name}")
               for font in sorted((dist / "fonts").glob("*.woff2"))]
    minisearch = katex_dir.parent / "minisearch" / "dist" / "umd" / "index.js"
    copies.append((minisearch, "static/minisearch.js"))
    copies += [(path, f"static/{path.name}") for path in static_files()]
    return copies


def _hosting_files(config: SiteConfig, pages: list[Page]) -> list[Page]:
    """Return robots.txt, and sitemap.xml when a base URL is configured."""
    if not config.base_url:
        return [Page("robots.txt", b"User-agent: *\nAllow: /\n")]
    base = config.base_url.rstrip("/") + "/"
    urls = sorted(p.dest for p in pages if p.dest.endswith(".html") and p.dest != "404.html")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{base}{url}</loc></url>" for url in urls]
    lines.append("</urlset>")
    robots = f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n"
    return [Page("sitemap.xml", ("\n".join(lines) + "\n").encode("utf-8")),
            Page("robots.txt", robots.encode("utf-8"))]
