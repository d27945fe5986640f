"""The ``glossary`` command line: parse options, run a command, map outcomes to exit codes.

Exit status: 0 built, 1 content errors, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .build import BuildResult, build
from .config import SiteConfig, load_config
from .diagnostics import BuildFailed, Reporter, UsageError, print_diagnostics
from .emitters import FORMATS

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors, as we want
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return value


def _formats(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or repr(text)}; "
                                         f"use one or more of {', '.join(FORMATS)}, comma-separated")
    return names


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="glossary", description="Build the concept glossary into a static site.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, help_text in (("build", "build the site"),
                            ("check", "run every check of build, snippets included; write no site")):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--entries", type=Path, help="entries folder (default: entries)")
        if name == "build":
            sub.add_argument("--out", type=Path, help="output folder (default: site)")
            sub.add_argument("--format", type=_formats, dest="formats", metavar="FORMATS",
                             help="what to write: html (the site, default), json "
                                  "(glossary.json), anki (glossary.apkg); e.g. html,json")
        sub.add_argument("--jobs", type=_positive_int, help="entries run in parallel (default: CPUs)")
        sub.add_argument("--no-cache", action="store_true", help="ignore cached snippets and math")
        sub.add_argument("--timeout", type=_positive_float, help="seconds per entry's snippets (60)")
        sub.add_argument("--memory", type=_positive_int, help="MB per entry's snippets (2048)")
        sub.add_argument("--json", action="store_true", help="print one JSON report on stdout")
        sub.add_argument("--isolation", choices=("fork", "spawn"),
                         help="warm forking worker (default) or a fresh interpreter per entry")
        if name == "check":
            sub.add_argument("--strict", action="store_true", help="treat warnings as errors")
    serve = commands.add_parser("serve", help="build, serve on 127.0.0.1, rebuild on change")
    serve.add_argument("--entries", type=Path)
    serve.add_argument("--out", type=Path)
    serve.add_argument("--port", type=int, default=8000)
    new = commands.add_parser("new", help="write a new entry from the template")
    new.add_argument("title", help='the concept\'s title, e.g. "Layer normalization"')
    new.add_argument("--entries", type=Path)
    init = commands.add_parser("init", help="start a glossary project in the current folder")
    init.add_argument("--title", help='the glossary\'s title, e.g. "Glossary of Chemistry"')
    init.add_argument("--subject", help='its field, e.g. "chemistry"')
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        if args.command == "init":
            from .init import init_project
            return init_project(Path.cwd(), args.title, args.subject)
        config = _config(args)
        for warning in config.warnings:
            print(warning, file=sys.stderr)
        if args.command == "new":
            from .new import new_entry
            return new_entry(config, args.title)
        if args.command == "serve":
            from .serve import serve
            return serve(config, args.port)
        return _run_build(config, args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _config(args) -> SiteConfig:
    overrides = {"entries": getattr(args, "entries", None), "out": getattr(args, "out", None),
                 "jobs": getattr(args, "jobs", None), "timeout": getattr(args, "timeout", None),
                 "memory": getattr(args, "memory", None),
                 "isolation": getattr(args, "isolation", None),
                 "formats": getattr(args, "formats", None)}
    if getattr(args, "no_cache", False):
        overrides["use_cache"] = False
    return load_config(Path.cwd(), overrides)


def _run_build(config: SiteConfig, args) -> int:
    reporter = Reporter()
    check = args.command == "check"
    progress = _Progress(enabled=not args.json and sys.stderr.isatty())
    result, failed = BuildResult(), False
    try:
        result = build(config, reporter, until="emit" if check else "write", health=check,
                       progress=progress.advance, on_snippets=progress.start)
    except BuildFailed as exc:
        failed, result = True, exc.result or result
    finally:
        progress.close()
    diagnostics = reporter.sorted()
    if check and getattr(args, "strict", False) and any(d.severity == "warning" for d in diagnostics):
        failed = True
    if args.json:
        print(json.dumps(_report(result, diagnostics), indent=None, sort_keys=False))
    else:
        print_diagnostics(diagnostics, sys.stderr)
        print(_summary(result, diagnostics, check, failed, config), file=sys.stderr)
    return EXIT_CONTENT if failed else EXIT_OK


def _counts(result: BuildResult) -> tuple[int, int, int, int]:
    """Return formulas rendered and cached, snippet blocks run and cached (0 for stages not run)."""
    math, snippets = result.math, result.snippets
    if result.up_to_date:  # nothing ran: every formula and block is the last build's
        formulas, blocks = result.unchanged_counts
        return 0, formulas, 0, blocks
    return (math.rendered if math else 0, math.cached if math else 0,
            snippets.run if snippets else 0, snippets.cached if snippets else 0)


def _report(result: BuildResult, diagnostics) -> dict:
    rendered, cached, run, from_cache = _counts(result)
    return {
        "entries": result.entries, "pages": result.pages,
        "formulas": {"rendered": rendered, "cached": cached},
        "snippets": {"run": run, "cached": from_cache},
        "js_engine_started": result.js_engine_started,
        "diagnostics": [d.as_dict() for d in diagnostics],
        "seconds": round(result.seconds, 3),
        "up_to_date": result.up_to_date,
        "stages": {name: round(seconds, 3) for name, seconds in result.stages.items()},
        "reused": _reused(result),
        "cache_pruned": ({"files": result.pruned.files, "bytes": result.pruned.bytes}
                         if result.pruned is not None else None),
    }


def _reused(result: BuildResult) -> dict:
    """Return, per cached output kind (render, pages, maps, downloads), how many were made and reused."""
    keys = result.model.keys if result.model is not None else None
    if keys is None:
        return {}
    return {name: {"made": made, "reused": reused}
            for name, (made, reused) in sorted(keys.counts.items())}


def _summary(result: BuildResult, diagnostics, check: bool, failed: bool, config: SiteConfig) -> str:
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")
    if failed:
        return f"glossary: {errors} error(s), {warnings} warning(s); nothing was written"
    if result.up_to_date:
        return (f"glossary: {config.out} is up to date ({result.entries} entries, {result.pages} pages): "
                f"no input changed since its last build; {result.seconds:.2f} s")
    what = "checked" if check else f"built {result.pages} pages into {config.out}"
    rendered, cached, run, from_cache = _counts(result)
    pruned = result.pruned
    cleaned = (f"; deleted {pruned.files} cached value(s) ({pruned.bytes / 1e6:.1f} MB) unused for "
               f"{config.cache_keep_days} days" if pruned is not None and pruned.files else "")
    return (f"glossary: {what}: {result.entries} entries; formulas {rendered} rendered, "
            f"{cached} cached; snippet blocks {run} run, "
            f"{from_cache} cached; {warnings} warning(s){cleaned}; {result.seconds:.2f} s")


class _Progress:
    """A tqdm progress bar over entries, shown only on a terminal."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar = enabled, None

    def start(self, total: int) -> None:
        if self.enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=total, unit="entry", desc="snippets", leave=False, file=sys.stderr)

    def advance(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


if __name__ == "__main__":
    sys.exit(main())
