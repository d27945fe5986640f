"""Chunks across the glossary: fold views, "appears inside", and chunk suggestions.

A formula folds to its chunks: each folded chunk's TeX is replaced, in Python,
by a framed ``\\text{chunk name}`` that is itself a chunk (same index, so it
links and names like the unfolded one). The fold views are TeX like any other
formula: the math stage renders and caches them. ``appearances`` finds, for
each entry, the formulas of other entries that hold it as a chunk, directly or
through a chain of chunks: the nearest, and a count of the others. ``chunk_suggestions`` warns when a formula names
another entry without marking it with ``\\chunk``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .diagnostics import Reporter
from .links import Glossary
from .model import Chunk, Entry, Tex, link_key

FOLD_ALL = "all"
"""Fold key of the view with every top-level chunk folded."""

APPEARANCES_SHOWN = 20
"""Formulas an entry page shows under "appears inside", nearest first. Without a bound a
chunk held through long chains (a glossary of 1000 entries, each built on the last) lists
nearly every other formula on every page: quadratic work and pages no reader scrolls."""

_CHUNK_COMMAND = "\\chunk"
_TEXT_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                  "#": r"\#", "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%",
                  "~": r"\textasciitilde{}"}


@dataclass(frozen=True)
class FoldView:
    """One folded rendering of a formula: which chunks are folded, and its engine TeX."""

    key: str
    """``all`` (every top-level chunk) or the index of the one folded chunk."""
    tex: Tex


@dataclass(frozen=True)
class Appearance:
    """A formula of another entry that holds this entry as a chunk, maybe through others."""

    holder: str
    """Slug of the entry whose formula it is."""
    path: tuple[str, ...]
    """Slugs from this entry out to the holder: ``(softmax, attention-weights, context-vector)``."""
    lit: tuple[int, ...]
    """Indices of the holder's chunks to highlight (those naming ``path[-2]``)."""


@dataclass(frozen=True)
class MoreHolders:
    """Holders past the shown ones, counted by the way out to them."""

    via: str | None
    """The shown holder they hold in turn (its own page lists them); None: they hold this
    entry directly (its relations list them)."""
    count: int


@dataclass(frozen=True)
class Appearances:
    """Where an entry appears inside other formulas: the nearest, and how many more."""

    shown: tuple[Appearance, ...]
    """The nearest ``APPEARANCES_SHOWN`` holders, nearest first, then A-Z."""
    more: tuple[MoreHolders, ...] = ()
    """The holders past those: the direct ones first, then through each shown one in turn."""

    @property
    def more_count(self) -> int:
        return sum(group.count for group in self.more)


def chunk_name(glossary: Glossary, chunk: Chunk) -> str:
    """Return the name a folded chunk shows: the chunk name of the entry it names."""
    slug = glossary.resolve(chunk.target)
    return glossary.by_slug[slug].chunk if slug else chunk.target


def fold_views(tex: Tex, glossary: Glossary) -> list[FoldView]:
    """Return the fold views of a display formula: all top-level chunks, then each chunk alone."""
    if not tex.display or not tex.chunks:
        return []
    names = {c.index: chunk_name(glossary, c) for c in tex.all_chunks()}
    wanted = [(FOLD_ALL, {c.index for c in tex.chunks})]
    wanted += [(str(c.index), {c.index}) for c in tex.all_chunks()]
    return [FoldView(key, _fold_tex(tex, folded, names)) for key, folded in wanted]


def all_fold_texs(glossary: Glossary) -> list[Tex]:
    """Return the TeX of every fold view of every display formula, for the math stage."""
    return [view.tex for entry in glossary.entries for tex in entry_formulas(entry)
            for view in fold_views(tex, glossary)]


def _fold_tex(tex: Tex, folded: set[int], names: dict[int, str]) -> Tex:
    text = _rewrite(tex.tex, 0, len(tex.tex), tex.chunks, folded, names)
    return Tex(text, tex.display, tex.source, (), (), text)


def _rewrite(tex: str, start: int, end: int, chunks: tuple[Chunk, ...], folded: set[int],
             names: dict[int, str]) -> str:
    """Return ``tex[start:end]`` in engine form, the folded chunks replaced by their names."""
    out, pos = [], start
    for chunk in chunks:
        command = tex.rfind(_CHUNK_COMMAND, pos, chunk.start)
        out.append(tex[pos:command])
        if chunk.index in folded:
            body = rf"\boxed{{\text{{{tex_text(names[chunk.index])}}}}}"
        else:
            body = _rewrite(tex, chunk.start, chunk.end, chunk.children, folded, names)
        out.append(f"{_CHUNK_COMMAND}{{{chunk.index}}}{{{body}}}")
        pos = chunk.end + 1
    out.append(tex[pos:end])
    return "".join(out)


def tex_text(text: str) -> str:
    """Escape plain text for TeX's ``\\text{...}``."""
    return "".join(_TEXT_SPECIALS.get(char, char) for char in text)


# --- where else this appears ---------------------------------------------------------------

def appearances(glossary: Glossary) -> dict[str, Appearances]:
    """Return, per slug, the formulas holding it as a chunk: nearest first, then A-Z."""
    held: dict[str, dict[str, list[int]]] = {}
    """slug -> {holder slug -> indices of the holder's chunks naming slug}."""
    for entry in glossary.entries:
        for chunk in entry.formula.all_chunks():
            slug = glossary.resolve(chunk.target)
            if slug and slug != entry.slug:
                held.setdefault(slug, {}).setdefault(entry.slug, []).append(chunk.index)
    holders = {slug: sorted(found.items(), key=lambda item: glossary.by_slug[item[0]].title.lower())
               for slug, found in held.items()}
    return {entry.slug: _reach(entry.slug, holders) for entry in glossary.entries}


def _reach(slug: str, holders: dict[str, list[tuple[str, list[int]]]]) -> Appearances:
    """Breadth first out from ``slug``: each holder once, by its shortest path; the nearest
    ``APPEARANCES_SHOWN`` with their paths, the others counted by the shown holder they
    were reached through (None: they hold ``slug`` directly)."""
    found: list[Appearance] = []
    more: dict[str | None, int] = {}
    seen = {slug}
    frontier: list[tuple[tuple[str, ...], str | None]] = [((slug,), None)]
    while frontier:
        following = []
        for path, via in frontier:
            for holder, indices in holders.get(path[-1], ()):
                if holder in seen:
                    continue
                seen.add(holder)
                if len(found) < APPEARANCES_SHOWN:
                    found.append(Appearance(holder, (*path, holder), tuple(indices)))
                    following.append(((*path, holder), holder))
                else:  # past the shown ones only the count matters, and the way out
                    more[via] = more.get(via, 0) + 1
                    following.append(((holder,), via))
        frontier = following
    order = [None] + [a.holder for a in found]
    return Appearances(tuple(found), tuple(MoreHolders(via, more[via]) for via in order
                                           if via in more))


# --- chunk suggestions ----------------------------------------------------------------------

_NAMED = re.compile(r"\\(?:operatorname\*?|mathrm|text|textrm|mathit|mathsf)\s*\{([^{}]*)\}"
                    r"|\\([A-Za-z]+)")


@dataclass(frozen=True)
class _Pattern:
    slug: str
    start: int
    end: int
    said: str


def chunk_suggestions(glossary: Glossary, reporter: Reporter) -> None:
    """Warn where an entry's formula names another entry (operator, alias, ``recognize:``)
    without marking it with ``\\chunk``. The body's math is prose: it is not checked."""
    fragments = [(e.slug, fragment) for e in glossary.entries for fragment in e.recognize]
    for entry in glossary.entries:
        tex = entry.formula
        for found in _named(tex, glossary) + _recognized(tex, fragments):
            if found.slug != entry.slug and not _marked(tex, found, glossary):
                reporter.warning(tex.pos_at(found.start),
                                 f"'{found.said}' is the entry '{found.slug}': mark it as a "
                                 f"chunk, \\chunk{{{found.slug}}}{{...}}, so that it is "
                                 "highlighted and linked")


def _named(tex: Tex, glossary: Glossary) -> list[_Pattern]:
    """Operator names and commands that name an entry: ``\\mathrm{softmax}``, ``\\tanh``."""
    out = []
    for match in _NAMED.finditer(tex.tex):
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if not name or not name.strip():
            continue
        slug = glossary.keys.get(link_key(name))
        if slug is not None and match.group(2) != "chunk":
            out.append(_Pattern(slug, match.start(), match.end(), match.group()))
    return out


def _recognized(tex: Tex, fragments: list[tuple[str, str]]) -> list[_Pattern]:
    """Occurrences of the TeX fragments entries declare in ``recognize:`` (spaces ignored)."""
    squeezed, where = _squeeze(tex.tex)
    out = []
    for slug, fragment in fragments:
        wanted = _squeeze(fragment)[0]
        if not wanted:
            continue
        start = squeezed.find(wanted)
        while start >= 0:
            end = start + len(wanted)
            out.append(_Pattern(slug, where[start], where[end - 1] + 1, fragment))
            start = squeezed.find(wanted, end)
    return out


def _squeeze(text: str) -> tuple[str, list[int]]:
    """Drop whitespace; return the text and the original index of each kept character."""
    kept = [(i, c) for i, c in enumerate(text) if not c.isspace()]
    return "".join(c for _, c in kept), [i for i, _ in kept]


def _marked(tex: Tex, found: _Pattern, glossary: Glossary) -> bool:
    """Whether the occurrence lies inside (or is) a chunk naming its entry."""
    for chunk in tex.all_chunks():
        if glossary.resolve(chunk.target) != found.slug:
            continue
        command = tex.tex.rfind(_CHUNK_COMMAND, 0, chunk.start)
        if command <= found.start and found.end <= chunk.end + 1:
            return True
    return False


def entry_formulas(entry: Entry) -> list[Tex]:
    """Return the formula field and every formula of the body."""
    return [entry.formula, *entry.body_math]
