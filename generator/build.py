"""The build: one flat, named sequence of stages (read it top to bottom).

discover -> load -> link -> math -> execute -> [health] -> render -> emit -> write.
Every entry is loaded and every slug known before any link is resolved or any
page rendered. Each stage reports into one Reporter; the build stops after a
stage that reported errors only when going on would make no sense. ``build``,
``check``, ``serve`` and the pytest plugin all run this sequence; they differ
only in where they stop (``until``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .cache import ContentCache
from .chunks import all_fold_texs, chunk_suggestions
from .config import SiteConfig
from .diagnostics import BuildFailed, Reporter, SourcePos, UsageError
from .discover import discover, display_path
from .emitters import OutputFile, check_unique, emitters_for
from .execute import ExecStats, execute
from .formulas import MathStats, render_math
from .health import health_warnings
from .katex import KatexEngine
from .links import Glossary, link
from .load import load_entry
from .markdown import make_md
from .model import Entry, SnippetResult
from .render import SiteModel, render_model
from .source import SourceText
from .write import check_output_dir, write_site

STAGES = ("discover", "load", "link", "math", "execute", "render", "emit", "write")


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
    glossary: Glossary | None = None
    results: dict[str, SnippetResult] = field(default_factory=dict)
    model: SiteModel | None = None


def build(config: SiteConfig, reporter: Reporter, until: str = "write", health: bool = False,
          progress: Callable[[int], None] | None = None,
          on_snippets: Callable[[int], None] | None = None,
          only: set[Path] | None = None) -> BuildResult:
    """Run the stages up to and including ``until``; raise BuildFailed after content errors.

    :param only: run the snippets of these entry files only (every file is still
        loaded and linked, so links are checked against the whole glossary).
    """
    started = time.perf_counter()
    result = BuildResult()
    entries_dir = config.resolve(config.entries)
    out = config.resolve(config.out)
    if not entries_dir.is_dir():
        raise UsageError(f"error: entries folder '{display_path(entries_dir)}' does not exist")
    if until == "write":
        check_output_dir(out)  # refuse early, before any work
    engine = KatexEngine(config.root)

    def stage(name: str) -> bool:
        """Record that stage ``name`` runs; False once past ``until``."""
        if STAGES.index(name) > STAGES.index(until):
            return False
        result.stages_run.append(name)
        return True

    def fail() -> BuildFailed:
        result.seconds = time.perf_counter() - started
        return BuildFailed(reporter.error_count, result)

    # Stage: discover the files.
    stage("discover")
    paths = discover(entries_dir, reporter)  # links leading outside: refused, reported
    if not paths:
        reporter.error(SourcePos(display_path(entries_dir)), "no entries found (*.md files)")
        raise fail()

    # Stage: load and validate every entry before anything is resolved.
    stage("load")
    md = make_md()
    loaded = [load_entry(path, entries_dir, md, reporter, config.vocabulary) for path in paths]
    entries: list[Entry] = [e for e in loaded if e is not None]
    broken = {p.stem for p, e in zip(paths, loaded, strict=True) if e is None}
    result.entries = len(entries)

    # Stage: link: all slugs known, every reference resolved, relations both ways.
    stage("link")
    glossary = result.glossary = link(entries, reporter, broken, config.vocabulary)

    # Stage: math: every formula rendered (or taken from the cache).
    if stage("math"):
        macros_path = config.resolve(config.macros)
        macros = SourceText(display_path(macros_path),
                            macros_path.read_text("utf-8") if macros_path.is_file() else "")
        math = render_math(glossary.entries, engine, macros,
                           ContentCache(config.resolve(config.cache_dir), "katex",
                                        enabled=config.use_cache), reporter,
                           extra=all_fold_texs(glossary))
        result.math, result.js_engine_started = math.stats, math.engine_started

    # Stage: execute every entry's snippets as guests (or take them from the cache).
    if stage("execute"):
        chosen = [e for e in glossary.entries
                  if only is None or (entries_dir / e.rel_path).resolve() in only]
        if on_snippets:
            on_snippets(len(chosen))
        result.results, result.snippets = execute(chosen, config, reporter, progress,
                                                    glossary.code_dependencies)
    if health:
        health_warnings(glossary, result.results, reporter)
        chunk_suggestions(glossary, reporter)
    if reporter.error_count:
        raise fail()

    # Stage: render every entry once into the model every output is made from.
    if not stage("render"):
        result.seconds = time.perf_counter() - started
        return result
    model = result.model = render_model(config, glossary, engine, math, result.results)

    # Stage: emit: each output of each requested format, checked for clashing paths.
    if not stage("emit"):
        result.seconds = time.perf_counter() - started
        return result
    files: list[OutputFile] = []
    for _name, emitter in emitters_for(config.formats):
        files += emitter(model)
    check_unique(files, reporter, display_path(out))
    if reporter.error_count:
        raise fail()
    result.pages = sum(1 for f in files if f.dest.endswith(".html"))

    # Stage: write the output folder atomically.
    if stage("write"):
        result.written = write_site(out, files)
    result.seconds = time.perf_counter() - started
    return result
