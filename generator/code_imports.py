"""Executable relations: an entry's snippet imports what another entry's snippet defines.

``from glossary.entries.softmax import softmax`` imports the names the softmax
entry's executed blocks define (the module name is the slug with ``-`` as
``_``). The rules are checked here, before anything runs, from the code's syntax
tree: the imported entry exists, it is in the importer's ``uses`` or
``builds_on``, and no entry imports itself through others. In the snippet
process the worker's import hook runs the dependency's blocks in a fresh module.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .diagnostics import Reporter, SourcePos, did_you_mean
from .model import Entry

PACKAGE = "glossary.entries"
ALLOWED_RELATIONS = ("uses", "builds_on")


@dataclass(frozen=True)
class CodeImport:
    """One ``import`` of another entry's code, as written, with its place."""

    module: str
    """The module name after ``glossary.entries.`` (``scaled_dot_product``)."""
    pos: SourcePos


def module_name(slug: str) -> str:
    return slug.replace("-", "_")


def find_imports(entry: Entry) -> list[CodeImport]:
    """Return every import of ``glossary.entries.X`` in the entry's executed blocks."""
    found = []
    for snippet in entry.executed:
        if "glossary" not in snippet.code or "entries" not in snippet.code:
            continue  # no such import can be written without both words: skip the parse
        try:
            tree = ast.parse(snippet.code)
        except SyntaxError:
            continue  # the run reports it at its line
        for node in ast.walk(tree):
            pos = lambda n: SourcePos(entry.path, snippet.line + n.lineno - 1, n.col_offset + 1)
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.startswith(PACKAGE + "."):
                    found.append(CodeImport(node.module[len(PACKAGE) + 1:], pos(node)))
                elif node.module == PACKAGE:  # from glossary.entries import softmax
                    found += [CodeImport(alias.name, pos(node)) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [CodeImport(alias.name[len(PACKAGE) + 1:], pos(node))
                          for alias in node.names if alias.name.startswith(PACKAGE + ".")]
    return found


@dataclass
class CodeGraph:
    """Which entries import which, as checked (filled by link)."""

    imports: dict[str, tuple[str, ...]]
    """Slug -> the slugs its code imports directly (the valid imports only)."""
    broken: set[str]
    """Entries with an import that was refused (reported): running them is pointless."""
    importers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Slug -> the slugs whose code imports it directly, in the entries' order (A-Z)."""


def check_imports(entries: list[Entry], outgoing: dict[str, dict[str, list[str]]],
                  reporter: Reporter) -> CodeGraph:
    """Return who imports whom; report unknown, unlisted and cyclic imports at the import.

    :param outgoing: slug -> relation kind -> resolved slugs (the link stage's relations).
    """
    broken: set[str] = set()
    modules = {module_name(e.slug): e.slug for e in entries}
    imports: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        direct: list[str] = []
        listed = {s for kind in ALLOWED_RELATIONS for s in outgoing.get(entry.slug, {}).get(kind, [])}
        for found in find_imports(entry):
            slug = modules.get(found.module.split(".")[0])
            if slug is None or "." in found.module or slug == entry.slug or slug not in listed:
                broken.add(entry.slug)
            if slug is None or "." in found.module:
                reporter.error(found.pos, f"unknown entry '{found.module}' in import from "
                               f"{PACKAGE}{did_you_mean(found.module, modules)}")
            elif slug == entry.slug:
                reporter.error(found.pos, "an entry cannot import its own code")
            elif slug not in listed:
                near = did_you_mean(slug, listed) if listed else ""
                reporter.error(found.pos, f"imports code from '{slug}', which is not in 'uses' "
                               f"or 'builds_on'{near}: add it to 'uses: [{slug}]'")
            elif slug not in direct:
                direct.append(slug)
        imports[entry.slug] = tuple(direct)
    broken |= _report_cycles(entries, imports, reporter)
    return CodeGraph(imports, broken, _importers(imports))


def _importers(imports: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Return the import graph reversed, each list in the importers' order in ``imports``."""
    found: dict[str, list[str]] = {}
    for importer, imported in imports.items():
        for slug in imported:
            found.setdefault(slug, []).append(importer)
    return {slug: tuple(importers) for slug, importers in found.items()}


def _report_cycles(entries: list[Entry], imports: dict[str, tuple[str, ...]],
                   reporter: Reporter) -> set[str]:
    """Report each import loop once, at the import that closes it, naming every step.

    Return the slugs of every entry on a loop.
    """
    by_slug = {e.slug: e for e in entries}
    state: dict[str, str] = {}  # slug -> "open" | "done"
    reported: set[frozenset[str]] = set()
    looped: set[str] = set()

    def visit(slug: str, path: list[str]) -> None:
        state[slug] = "open"
        for target in imports.get(slug, ()):
            if state.get(target) == "open":
                chain = path + [slug]
                loop = chain[chain.index(target):] + [target]
                looped.update(loop)
                if frozenset(loop) not in reported:
                    reported.add(frozenset(loop))
                    pos = next(i.pos for i in find_imports(by_slug[slug])
                               if i.module.split(".")[0] == module_name(target))
                    reporter.error(pos, "import cycle: " + " -> ".join(loop) +
                                   ": an entry's code cannot depend on itself")
            elif target not in state:
                visit(target, path + [slug])
        state[slug] = "done"

    for entry in sorted(entries, key=lambda e: e.slug):
        if entry.slug not in state:
            visit(entry.slug, [])
    return looped


def transitive(slug: str, imports: dict[str, tuple[str, ...]]) -> list[str]:
    """Return every entry ``slug`` imports, directly or not, dependencies first (no cycles)."""
    order: list[str] = []

    def visit(current: str, seen: frozenset[str]) -> None:
        for target in imports.get(current, ()):
            if target in seen:
                continue
            visit(target, seen | {target})
            if target not in order:
                order.append(target)

    visit(slug, frozenset({slug}))
    return order
