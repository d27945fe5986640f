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
    """The farthest shown holder they hold in turn (its own page lists the nearest of them);
    None: they hold none of the shown ones, so they hold this entry directly or through
    direct holders past the shown ones (its relations list those)."""
    count: int


@dataclass(frozen=True)
class Appearances:
    """Where an entry appears inside other formulas: the nearest, and how many more."""

    shown: tuple[Appearance, ...]
    """The nearest ``APPEARANCES_SHOWN`` holders, nearest first, then A-Z."""
    more: tuple[MoreHolders, ...] = ()
    """The holders past those: the ones reached from its other direct holders first, then
    those through each shown holder, nearest first."""

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
    bit = {entry.slug: 1 << number for number, entry in enumerate(glossary.entries)}
    """slug -> its bit in the masks of ``_reach_masks``."""
    reach = _reach_masks(holders, bit)
    found = {}
    for slug in bit:
        shown = _nearest(slug, holders)
        found[slug] = Appearances(shown, _more(slug, shown, reach, bit))
    return found


def _nearest(slug: str, holders: dict[str, list[tuple[str, list[int]]]]) -> tuple[Appearance, ...]:
    """Breadth first out from ``slug``: each holder once, by its shortest path, the nearest
    ``APPEARANCES_SHOWN`` only."""
    found: list[Appearance] = []
    seen, frontier = {slug}, [(slug,)]
    while frontier:
        following = []
        for path in frontier:
            for holder, indices in holders.get(path[-1], ()):
                if holder in seen:
                    continue
                seen.add(holder)
                found.append(Appearance(holder, (*path, holder), tuple(indices)))
                if len(found) == APPEARANCES_SHOWN:
                    return tuple(found)
                following.append((*path, holder))
        frontier = following
    return tuple(found)


def _reach_masks(holders: dict[str, list[tuple[str, list[int]]]],
                 bit: dict[str, int]) -> dict[str, int]:
    """Return slug -> every entry holding it, directly or through chunks, as a mask of their
    bits. (A search from every entry to count them is quadratic: half a million steps for a
    chain of a thousand.)"""
    reach = dict.fromkeys(bit, 0)
    order = _holders_first(holders, list(bit))
    changed = True
    while changed:  # once for chains without a loop, and once more to see that nothing moved
        changed = False
        for slug in order:
            mask = reach[slug]
            for holder, _indices in holders.get(slug, ()):
                mask |= bit[holder] | reach[holder]
            if mask != reach[slug]:
                reach[slug], changed = mask, True
    return {slug: mask & ~bit[slug] for slug, mask in reach.items()}


def _holders_first(holders: dict[str, list[tuple[str, list[int]]]], slugs: list[str]) -> list[str]:
    """Return the slugs, each after the entries holding it (where chunks loop: somewhere)."""
    order: list[str] = []
    visited: set[str] = set()
    for start in slugs:
        if start in visited:
            continue
        visited.add(start)
        stack = [(start, iter(holders.get(start, ())))]
        while stack:
            slug, pending = stack[-1]
            for holder, _indices in pending:
                if holder not in visited:
                    visited.add(holder)
                    stack.append((holder, iter(holders.get(holder, ()))))
                    break
            else:
                stack.pop()
                order.append(slug)
    return order


def _more(slug: str, shown: tuple[Appearance, ...], reach: dict[str, int],
          bit: dict[str, int]) -> tuple[MoreHolders, ...]:
    """Count the holders past ``shown``, each under the farthest shown holder it holds in
    turn, else under None (reached from the direct holders past the shown ones)."""
    if len(shown) < APPEARANCES_SHOWN:
        return ()
    remaining = reach[slug]
    for found in shown:
        remaining &= ~bit[found.holder]
    counts: dict[str | None, int] = {}
    for found in reversed(shown):
        through = reach[found.holder] & remaining
        if through:
            counts[found.holder] = through.bit_count()
            remaining &= ~through
    if remaining:
        counts[None] = remaining.bit_count()
    return tuple(MoreHolders(via, counts[via]) for via in [None, *(f.holder for f in shown)]
                 if via in counts)


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
