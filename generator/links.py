"""Stage 3: know every slug, resolve every reference, and build relations both ways."""

from __future__ import annotations

from dataclasses import dataclass, field

from .code_imports import CodeGraph, check_imports, transitive
from .diagnostics import Reporter, did_you_mean
from .model import Entry, Ref, link_key
from .vocabulary import Vocabulary


@dataclass
class Relations:
    """The resolved neighbours of one entry, by relation, both directions."""

    outgoing: dict[str, list[str]] = field(default_factory=dict)
    incoming: dict[str, list[str]] = field(default_factory=dict)

    def neighbours(self) -> set[str]:
        return {s for group in (*self.outgoing.values(), *self.incoming.values()) for s in group}


@dataclass
class Glossary:
    """All entries, every name they answer to, and the relation graph (filled by link)."""

    entries: list[Entry]
    """Sorted A-Z by title."""
    by_slug: dict[str, Entry]
    keys: dict[str, str]
    """link_key(slug or alias) -> slug."""
    relations: dict[str, Relations]
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    code: CodeGraph = field(default_factory=lambda: CodeGraph({}, set()))
    """Whose code each entry's snippets import (``code_imports.py``)."""

    def code_importers(self, slug: str) -> list[str]:
        """Return the entries that import ``slug``'s code directly, A-Z by title."""
        return list(self.code.importers.get(slug, ()))

    def code_dependencies(self, slug: str) -> list[Entry] | None:
        """Return every entry whose code ``slug`` imports, directly or not, dependencies first.

        None when it or one of them has a refused import (already reported).
        """
        slugs = transitive(slug, self.code.imports)
        if self.code.broken & {slug, *slugs}:
            return None
        return [self.by_slug[s] for s in slugs]

    def resolve(self, target: str) -> str | None:
        """Return the slug a link target names, ignoring case, spaces and hyphens."""
        return self.keys.get(link_key(target))

    def edges(self) -> list[tuple[str, str, str]]:
        """Return every (source, target, kind) edge once, sorted."""
        out = set()
        for slug, rel in self.relations.items():
            for kind, targets in rel.outgoing.items():
                out.update((slug, t, kind) for t in targets)
        return sorted(out)


def link(entries: list[Entry], reporter: Reporter, known_broken: set[str] = frozenset(),
         vocabulary: Vocabulary = Vocabulary()) -> Glossary:
    """Index all entries, report duplicates and dangling references, and build relations.

    :param known_broken: slugs of files that failed to load; links to them are not
        reported again as unknown (their own errors already were).
    """
    by_slug: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        if entry.slug in by_slug:
            first = by_slug[entry.slug]
            reporter.error(entry.source.start(), f"duplicate slug '{entry.slug}': {first.path} has the same "
                           "file name; slugs must be unique across all folders")
            continue
        by_slug[entry.slug] = entry
    keys = _index_keys(by_slug, reporter)
    glossary = Glossary(sorted(by_slug.values(), key=lambda e: (e.title.lower(), e.slug)),
                        by_slug, keys, {slug: Relations() for slug in by_slug}, vocabulary)
    front_matter = set(vocabulary.front_matter_relations)
    names = sorted({*by_slug, *(a for e in by_slug.values() for a in e.aliases)})
    broken_keys = {link_key(slug) for slug in known_broken}
    for entry in glossary.entries:
        for ref in entry.refs:
            target = glossary.resolve(ref.target)
            if target is None and link_key(ref.target) in broken_keys:
                continue
            if target is None:
                reporter.error(ref.pos, _unknown(ref, names))
            elif target == entry.slug and ref.kind in front_matter:
                reporter.error(ref.pos, f"'{ref.target}' in '{ref.kind}' is this entry itself")
            elif target != entry.slug:
                _add(glossary, entry.slug, target, ref.kind)
    glossary.code = check_imports(
        glossary.entries, {slug: r.outgoing for slug, r in glossary.relations.items()}, reporter)
    return glossary


def _index_keys(by_slug: dict[str, Entry], reporter: Reporter) -> dict[str, str]:
    keys: dict[str, str] = {link_key(slug): slug for slug in by_slug}
    for entry in by_slug.values():
        positions = entry.item_positions.get("aliases", ())
        for alias, pos in zip(entry.aliases, positions, strict=True):
            key = link_key(alias)
            owner = keys.get(key)
            if owner is None:
                keys[key] = entry.slug
            elif owner != entry.slug:
                other = by_slug[owner]
                reporter.error(pos, f"alias '{alias}' is already a name of '{owner}' "
                               f"({other.path}); every alias must name one entry")
    return keys


def _unknown(ref: Ref, names: list[str]) -> str:
    where = {
        "wikilink": f"in [[{ref.target}]]",
        "chunk": f"in \\chunk{{{ref.target}}}",
    }.get(ref.kind, f"in '{ref.kind}'")
    return f"unknown link target '{ref.target}' {where}{did_you_mean(ref.target, names)}"


def _add(glossary: Glossary, source: str, target: str, kind: str) -> None:
    out = glossary.relations[source].outgoing.setdefault(kind, [])
    if target not in out:
        out.append(target)
    back = glossary.relations[target].incoming.setdefault(kind, [])
    if source not in back:
        back.append(source)
    for implied in glossary.vocabulary.relation(kind).implies:  # a chunk counts as `uses`
        _add(glossary, source, target, implied)
