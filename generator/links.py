"""Stage 3: know every slug, resolve every reference, and build relations both ways."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Reporter, SourcePos, did_you_mean
from .model import Entry, Ref, link_key

# Each relation shows on both pages; this is the name it has on each end.
RELATION_LABELS = {
    "uses": ("Uses", "Used by"),
    "builds_on": ("Builds on", "Leads to"),
    "see_also": ("See also", "See also"),
    "chunk": ("Chunks in its formula", "Appears inside the formula of"),
    "wikilink": ("Mentions", "Mentioned in"),
}


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


def link(entries: list[Entry], reporter: Reporter, known_broken: set[str] = frozenset()) -> Glossary:
    """Index all entries, report duplicates and dangling references, and build relations.

    :param known_broken: slugs of files that failed to load; links to them are not
        reported again as unknown (their own errors already were).
    """
    by_slug: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.path):
        if entry.slug in by_slug:
            first = by_slug[entry.slug]
            reporter.error(_pos(entry), f"duplicate slug '{entry.slug}': {first.path} has the same "
                           "file name; slugs must be unique across all folders")
            continue
        by_slug[entry.slug] = entry
    keys = _index_keys(by_slug, reporter)
    glossary = Glossary(sorted(by_slug.values(), key=lambda e: (e.title.lower(), e.slug)),
                        by_slug, keys, {slug: Relations() for slug in by_slug})
    names = sorted({*by_slug, *(a for e in by_slug.values() for a in e.aliases)})
    broken_keys = {link_key(slug) for slug in known_broken}
    for entry in glossary.entries:
        for ref in entry.refs:
            target = glossary.resolve(ref.target)
            if target is None and link_key(ref.target) in broken_keys:
                continue
            if target is None:
                reporter.error(ref.pos, _unknown(ref, names))
            elif target == entry.slug and ref.kind in ("uses", "builds_on", "see_also"):
                reporter.error(ref.pos, f"'{ref.target}' in '{ref.kind}' is this entry itself")
            elif target != entry.slug:
                _add(glossary, entry.slug, target, ref.kind)
    return glossary


def _pos(entry: Entry) -> SourcePos:
    return SourcePos(entry.path, 1, 1)


def _index_keys(by_slug: dict[str, Entry], reporter: Reporter) -> dict[str, str]:
    keys: dict[str, str] = {link_key(slug): slug for slug in by_slug}
    for entry in by_slug.values():
        for alias in entry.aliases:
            key = link_key(alias)
            owner = keys.get(key)
            if owner is None:
                keys[key] = entry.slug
            elif owner != entry.slug:
                other = by_slug[owner]
                reporter.error(_alias_pos(entry, alias),
                               f"alias '{alias}' is already a name of '{owner}' ({other.path}); "
                               "every alias must name one entry")
    return keys


def _alias_pos(entry: Entry, alias: str) -> SourcePos:
    for number, line in enumerate(_front_lines(entry), start=1):
        col = line.find(alias)
        if col >= 0 and number > 1:
            return SourcePos(entry.path, number, col + 1)
    return SourcePos(entry.path, 1, 1)


def _front_lines(entry: Entry) -> list[str]:
    front = entry.tokens[0].content if entry.tokens and entry.tokens[0].type == "front_matter" else ""
    return ["---", *front.splitlines()]


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
    if kind == "chunk":  # a chunk in the formula counts as `uses`
        _add(glossary, source, target, "uses")
