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
from typing import TYPE_CHECKING, Callable

from . import manifest
from .cache import Pruned, prune
from .config import SiteConfig
from .diagnostics import BuildFailed, Reporter, SourcePos, UsageError
from .discover import discover, display_path
from .write import check_output_dir

if TYPE_CHECKING:  # the stages' modules are imported past the no-op check (_run_stages)
    from .execute import ExecStats, SnippetWorker
    from .formulas import MathStats
    from .links import Glossary
    from .model import Entry, SnippetResult
    from .render import SiteModel
    from .render_cache import Recent

STAGES = ("discover", "load", "link", "math", "execute", "render", "emit", "write")


@dataclass
class BuildResult:
    """What a build did, for the command line and ``--json``."""

    entries: int = 0
    pages: int = 0
    math: MathStats | None = None
    """Formulas rendered and cached; None when the math stage did not run."""
    snippets: ExecStats | None = None
    """Snippet blocks run and cached; None when the execute stage did not run."""
    js_engine_started: bool = False
    written: list[str] = field(default_factory=list)
    stages_run: list[str] = field(default_factory=list)
    seconds: float = 0.0
    glossary: Glossary | None = None
    results: dict[str, SnippetResult] = field(default_factory=dict)
    model: SiteModel | None = None
    up_to_date: bool = False
    """True when the manifest showed nothing changed since the last build into the folder."""
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each stage that ran (``check`` is the no-op check)."""
    unchanged_counts: tuple[int, int] = (0, 0)
    """(formulas, snippet blocks) of the last build, all reused when ``up_to_date``."""
    pruned: Pruned | None = None
    """Cached values deleted after the build for being unused (None: pruning did not run)."""


def build(config: SiteConfig, reporter: Reporter, until: str = "write", health: bool = False,
          progress: Callable[[int], None] | None = None,
          on_snippets: Callable[[int], None] | None = None,
          only: set[Path] | None = None, worker: SnippetWorker | None = None,
          recent: Recent | None = None) -> BuildResult:
    """Run the stages up to and including ``until``; raise BuildFailed after content errors.

    A build that writes first checks the manifest of the last build into its
    output folder and stops there when no input changed (see ``manifest.py``);
    the libraries of the later stages are imported only past that check.

    :param only: run the snippets of these entry files only (every file is still
        loaded and linked, so links are checked against the whole glossary).
    :param worker: a warm snippet worker kept between builds (``glossary serve``).
    :param recent: what the last build in this process parsed and made, reused where its
        inputs are the same (``glossary serve`` keeps one between rebuilds).
    """
    started = time.perf_counter()
    result = BuildResult()
    entries_dir = config.resolve(config.entries)
    out = config.resolve(config.out)
    if not entries_dir.is_dir():
        raise UsageError(f"error: entries folder '{display_path(entries_dir)}' does not exist")
    inputs, last = None, None
    if until == "write":
        check_output_dir(out)  # refuse early, before any work
        previous = manifest.up_to_date(config, out) if config.use_cache and only is None else None
        if previous is not None:
            return _unchanged(result, previous, started)
        last = manifest.read_previous(config, out)
        inputs = manifest.take_inputs(config, out, last)
        result.stages["check"] = time.perf_counter() - started

    def record(written: dict[str, str]) -> None:  # under the folder's lock, the site in place
        manifest.record(config, out, inputs, written, {
            "entries": result.entries, "pages": result.pages,
            "snippets": result.snippets.run + result.snippets.cached if result.snippets else 0,
            "formulas": result.math.rendered + result.math.cached if result.math else 0})

    try:
        _run_stages(config, reporter, result, until, health, progress, on_snippets, only,
                    record if inputs is not None else None, worker,
                    last.digests if last is not None and config.use_cache else {}, recent)
        if until == "write" and config.use_cache:
            result.pruned = prune(config.resolve(config.cache_dir), config.cache_keep_days)
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _unchanged(result: BuildResult, previous: manifest.Previous, started: float) -> BuildResult:
    """Return the result of a build that found nothing changed since the last one."""
    result.up_to_date = True
    result.entries = int(previous.summary.get("entries", 0))
    result.pages = int(previous.summary.get("pages", 0))
    # Nothing ran: every snippet block and formula on the site is the last build's.
    result.unchanged_counts = (int(previous.summary.get("formulas", 0)),
                               int(previous.summary.get("snippets", 0)))
    result.seconds = result.stages["check"] = time.perf_counter() - started
    return result


def _run_stages(config: SiteConfig, reporter: Reporter, result: BuildResult, until: str,
                health: bool, progress: Callable[[int], None] | None,
                on_snippets: Callable[[int], None] | None, only: set[Path] | None,
                on_written: Callable[[dict[str, str]], None] | None,
                worker: SnippetWorker | None = None,
                last_written: dict[str, str] | None = None, recent: Recent | None = None) -> None:
    """Run discover .. ``until`` into ``result``; raise BuildFailed after content errors."""
    # Imported here, past the no-op check: these pull in markdown-it, Pygments,
    # YAML, Jinja2, networkx (and the KaTeX engine's node process when used).
    from .cache import ContentCache
    from .chunks import all_fold_texs, chunk_suggestions
    from .emitters import OutputFile, check_unique, emitters_for
    from .emitters.pages import last_changed
    from .execute import execute, start_worker_early
    from .formulas import render_math
    from .health import health_warnings
    from .katex import KatexEngine
    from .links import link
    from .markdown import cache_highlighting, make_md
    from .model import Entry
    from .render import render_model
    from .render_cache import render_keys
    from .source import SourceText
    from .write import write_site

    entries_dir = config.resolve(config.entries)
    out = config.resolve(config.out)
    engine = KatexEngine(config.root)
    clock = [time.perf_counter()]

    def stage(name: str) -> bool:
        """Record that stage ``name`` runs (and the time of the one before); False once past ``until``."""
        _lap(result, clock)
        if STAGES.index(name) > STAGES.index(until):
            return False
        result.stages_run.append(name)
        return True

    def fail() -> BuildFailed:
        _lap(result, clock)
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
    parsed = recent.parsed if recent is not None else None
    loaded = [_load(path, entries_dir, md, reporter, config, parsed) for path in paths]
    entries: list[Entry] = [e for e in loaded if e is not None]
    broken = {p.stem for p, e in zip(paths, loaded, strict=True) if e is None}
    result.entries = len(entries)

    # Stage: link: all slugs known, every reference resolved, relations both ways.
    stage("link")
    glossary = result.glossary = link(entries, reporter, broken, config.vocabulary)

    chosen = [e for e in glossary.entries
              if only is None or (entries_dir / e.rel_path).resolve() in only]
    if worker is None and STAGES.index(until) >= STAGES.index("execute"):
        # Started now (if a snippet must run), it warms up while KaTeX renders.
        worker = start_worker_early(chosen, config, glossary.code_dependencies)

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
        if on_snippets:
            on_snippets(len(chosen))
        result.results, result.snippets = execute(chosen, config, reporter, progress, worker,
                                                    glossary.code_dependencies)
    if health:
        health_warnings(glossary, result.results, reporter)
        chunk_suggestions(glossary, reporter)
    if reporter.error_count:
        raise fail()

    # Stage: render every entry once into the model every output is made from.
    if not stage("render"):
        return
    cache_highlighting(ContentCache(config.resolve(config.cache_dir), "highlight",
                                    enabled=config.use_cache))
    # What each entry's outputs show, as one key per entry: unchanged keys reuse the last
    # build's renders and pages (render_cache.py).
    keys = render_keys(config, glossary, result.results, (engine.name, engine.version,
                                                          engine.fingerprint),
                       macros.text, last_changed(entries_dir), recent)
    try:
        model = result.model = render_model(config, glossary, engine, math, result.results, keys)
    finally:
        cache_highlighting(None)

    # Stage: emit: each output of each requested format, checked for clashing paths.
    if not stage("emit"):
        return
    files: list[OutputFile] = []
    for _name, emitter in emitters_for(config.formats):
        files += emitter(model)
    check_unique(files, reporter, display_path(out))
    if reporter.error_count:
        raise fail()
    result.pages = sum(1 for f in files if f.dest.endswith(".html"))

    # Stage: write the output folder atomically.
    if stage("write"):
        result.written = write_site(out, files, on_written, last_written)
    keys.keep()
    _lap(result, clock)


def _load(path: Path, entries_dir: Path, md, reporter: Reporter, config: SiteConfig,
          parsed: dict | None) -> Entry | None:
    """Load one entry, or take it from ``parsed`` when its file's text is the one parsed before.

    Only entries that loaded without any diagnostic are kept: a reused entry reports nothing.
    """
    from .load import load_entry
    if parsed is None:
        return load_entry(path, entries_dir, md, reporter, config.vocabulary)
    try:
        text = path.read_bytes()
    except OSError:
        text = None
    key = (str(path), display_path(path), str(entries_dir), config.vocabulary)
    known = parsed.get(key)
    if known is not None and text is not None and known[0] == text:
        return known[1]
    before = len(reporter.diagnostics)
    entry = load_entry(path, entries_dir, md, reporter, config.vocabulary)
    if entry is not None and text is not None and len(reporter.diagnostics) == before:
        parsed[key] = (text, entry)
    else:
        parsed.pop(key, None)
    return entry


def _lap(result: BuildResult, clock: list[float]) -> None:
    """Add the time since the last lap to the stage that ran last."""
    now = time.perf_counter()
    if result.stages_run:
        name = result.stages_run[-1]
        result.stages[name] = result.stages.get(name, 0.0) + now - clock[0]
    clock[0] = now
