"""Data that flows between the pipeline stages. No I/O here.

SourcePath -> Entry (load) -> Glossary (link) -> SnippetResult (execute)
-> rendered math (katex) -> Page (render) -> written files (write).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NewType

from .diagnostics import SourcePos
from .source import SourceText

Slug = NewType("Slug", str)
"""File stem of an entry: lower-case ``a-z0-9`` words joined by single hyphens."""

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """Return the slug a title would get: ``"Layer Normalization"`` -> ``layer-normalization``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words)


def link_key(text: str) -> str:
    """Return the lookup key of a link target: case, spaces, hyphens and underscores ignored."""
    return re.sub(r"[\s_-]+", "", text.lower())


@dataclass(frozen=True)
class Ref:
    """A reference from an entry to another entry, as written, with its place."""

    target: str
    pos: SourcePos
    kind: str
    """``uses`` | ``builds_on`` | ``see_also`` | ``chunk`` | ``wikilink``."""


@dataclass(frozen=True)
class Chunk:
    """A ``\\chunk{target}{tex}`` of a formula: a named sub-expression, maybe holding others."""

    target: str
    """The entry it names, as written (slug or alias); resolved by link."""
    index: int
    """Number of this chunk in its formula, in reading (pre-)order; the engine marks it."""
    start: int
    end: int
    """Span of the chunk's inner TeX in ``Tex.tex``."""
    pos: SourcePos
    """Where the target is written in the file."""
    children: tuple["Chunk", ...] = ()

    def walk(self):
        """Yield this chunk and every chunk inside it, outer before inner."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, eq=False)
class Tex:
    """One formula, display or inline, with the file offset of each of its characters."""

    tex: str
    display: bool
    source: SourceText
    offsets: tuple[int, ...]
    """File offset of each character of ``tex``; filled by load."""
    chunks: tuple[Chunk, ...] = ()
    """Top-level chunks (each holds its nested ones)."""
    engine_tex: str = ""
    """``tex`` as the math engine gets it: each chunk target replaced by its index."""
    engine_shifts: tuple[tuple[int, int], ...] = ()
    """(index in engine_tex, characters removed before it) for mapping errors back."""

    @property
    def path(self) -> str:
        return self.source.path

    def pos_at(self, index: int) -> SourcePos:
        """Return the file position of character ``index`` of ``tex`` (clamped)."""
        if not self.offsets:
            return SourcePos(self.source.path)
        return self.source.pos(self.offsets[max(0, min(index, len(self.offsets) - 1))])

    def source_index(self, engine_index: int) -> int:
        """Map an index into ``engine_tex`` (a TeX error's position) back into ``tex``."""
        removed = 0
        for at, total in self.engine_shifts:
            if engine_index >= at:
                removed = total
        return engine_index + removed

    def all_chunks(self) -> list[Chunk]:
        return [c for top in self.chunks for c in top.walk()]


@dataclass(frozen=True)
class Snippet:
    """One fenced python block of an entry."""

    index: int
    code: str
    line: int
    """1-based line in the markdown file of the block's first code line."""
    run: bool
    """False for ``python norun`` blocks, which are shown but not executed."""


@dataclass
class Entry:
    """One concept, parsed and validated once by the load stage."""

    path: str
    """Path as shown in diagnostics (relative to the working directory)."""
    source: SourceText
    """The file's text: every position inside the file is computed from it."""
    rel_path: str
    """Path relative to the entries folder, posix style (for "edit this page")."""
    slug: Slug
    title: str
    chunk: str
    abstraction: str
    formula: Tex
    action: str = ""
    road: str = ""
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    symbols: dict[str, str] = field(default_factory=dict)
    """TeX symbol -> what it means in this entry (for the notation page and checks)."""
    symbol_math: list[Tex] = field(default_factory=list)
    """Each declared symbol as inline TeX (rendered for the notation page), in order."""
    recognize: list[str] = field(default_factory=list)
    """TeX fragments that are this entry when they appear in another formula."""
    params: tuple = ()
    """The swept parameters (``sweeps.Param``), in front-matter order."""
    refs: list[Ref] = field(default_factory=list)
    """Relations from the front matter, then wiki links and chunks; resolved by link."""
    tokens: list = field(default_factory=list)
    """markdown-it tokens of the whole file (front matter token included)."""
    body_math: list[Tex] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    body_text: str = ""
    """Plain prose of the body, for the search index."""
    fields: dict[str, str] = field(default_factory=dict)
    """Values of the project's own text fields (``[tool.glossary.fields]``)."""
    positions: dict[str, SourcePos] = field(default_factory=dict)
    """Where each front-matter key's value starts."""
    item_positions: dict[str, tuple[SourcePos, ...]] = field(default_factory=dict)
    """Where each item of a list key starts (``aliases``, ``tags``, relations)."""

    @property
    def executed(self) -> list[Snippet]:
        return [s for s in self.snippets if s.run]


@dataclass(frozen=True)
class Figure:
    """One matplotlib figure left open by a block, as SVG."""

    svg: str
    alt: str


@dataclass(frozen=True)
class BlockResult:
    """What one executed block printed and drew."""

    index: int
    stdout: str
    truncated: bool
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class SnippetResult:
    """The outcome of running all executed blocks of one entry (filled by execute)."""

    slug: str
    status: str
    """``ok`` | ``excepted`` (the snippet raised) | ``timeout`` | ``memory`` | ``crashed``."""
    blocks: tuple[BlockResult, ...] = ()
    error: str = ""
    """One-line message, e.g. ``ZeroDivisionError: division by zero``."""
    error_line: int = 0
    traceback: str = ""
    seconds: float = 0.0
    cached: bool = False
    combination: tuple[int, ...] = ()
    """The parameter values it ran with (indices into each ``Param.values``)."""
    variants: tuple["SnippetResult", ...] = ()
    """For a swept entry (on the default's result only): every combination's result, in order."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"
