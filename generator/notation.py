"""One notation: every declared symbol, its meanings, and where two entries disagree.

Entries declare ``symbols: {"\\\\eta": learning rate}``. The notation page lists
every symbol with its meaning and entries; ``glossary check`` warns when a symbol
means two things in an entry and its neighbour, or one meaning has two symbols
along a relation (so a reader following a chain never has to translate).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .diagnostics import Reporter, SourcePos
from .links import Glossary
from .model import Entry

CHAIN_KINDS = ("uses", "builds_on", "chunk")
"""Relations that make a chain a reader follows from one formula into another."""


def meaning_key(meaning: str) -> str:
    return " ".join(meaning.lower().split())


def symbol_key(symbol: str) -> str:
    """Return a symbol with spaces and grouping braces dropped: ``\\hat{m}_t`` = ``\\hat m_t``."""
    return re.sub(r"[\s{}]", "", symbol)


_CHAIN_WORDS = {"uses": "uses", "builds_on": "builds on", "chunk": "has as a chunk"}


@dataclass
class SymbolUse:
    """One symbol with one meaning, and the entries that use it so."""

    symbol: str
    meaning: str
    slugs: list[str] = field(default_factory=list)


def notation_table(glossary: Glossary) -> list[SymbolUse]:
    """Return every (symbol, meaning) pair with its entries, sorted by meaning then symbol."""
    uses: dict[tuple[str, str], SymbolUse] = {}
    for entry in glossary.entries:
        for symbol, meaning in entry.symbols.items():
            use = uses.setdefault((symbol_key(symbol), meaning_key(meaning)),
                                  SymbolUse(symbol, meaning))
            use.slugs.append(entry.slug)
    return sorted(uses.values(), key=lambda u: (meaning_key(u.meaning), u.symbol))


def _symbol_pos(entry: Entry, symbol: str) -> SourcePos:
    for name, pos in zip(entry.symbols, entry.item_positions.get("symbols", ()), strict=False):
        if name == symbol:
            return pos
    return entry.positions.get("symbols", entry.source.start())


def notation_warnings(glossary: Glossary, reporter: Reporter) -> None:
    """Warn about a symbol with two meanings between neighbours, or a meaning with two symbols."""
    seen: set[tuple[str, str, str]] = set()
    for source, target, kind in glossary.edges():
        a, b = glossary.by_slug[source], glossary.by_slug[target]
        pair = tuple(sorted((source, target)))
        by_key = {symbol_key(s): m for s, m in b.symbols.items()}
        for symbol, meaning in a.symbols.items():
            other = by_key.get(symbol_key(symbol))
            if other is not None and meaning_key(other) != meaning_key(meaning) \
                    and (pair, symbol, "symbol") not in seen:
                seen.add((pair, symbol, "symbol"))
                reporter.warning(_symbol_pos(a, symbol),
                                 f"symbol '{symbol}' means '{meaning}' here but '{other}' in "
                                 f"'{b.slug}', a neighbour; use one meaning or another symbol")
        if kind not in CHAIN_KINDS:
            continue
        theirs: dict[str, list[str]] = {}
        for other_symbol, other_meaning in b.symbols.items():
            theirs.setdefault(meaning_key(other_meaning), []).append(other_symbol)
        for symbol, meaning in a.symbols.items():
            written = theirs.get(meaning_key(meaning), [])
            if written and symbol_key(symbol) not in map(symbol_key, written) \
                    and (pair, meaning, "meaning") not in seen:
                other = written[0]
                seen.add((pair, meaning, "meaning"))
                reporter.warning(_symbol_pos(a, symbol),
                                 f"'{meaning}' is written '{symbol}' here but '{other}' in "
                                 f"'{b.slug}', which this entry {_CHAIN_WORDS[kind]}; "
                                 "use one symbol along a chain")
