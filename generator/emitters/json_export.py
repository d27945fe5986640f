"""``glossary build --format json``: the whole glossary as one versioned JSON document.

The format is described in ``docs/json-format.md``; ``format_version`` changes
only when a field is removed or changes meaning (adding fields does not).
"""

from __future__ import annotations

import json

from .. import __version__
from ..katex import mathml_of
from ..render import ChunkNode, RenderedEntry, SiteModel, entry_url
from . import OutputFile

FORMAT_VERSION = 1


def emit(model: SiteModel) -> list[OutputFile]:
    vocabulary = model.config.vocabulary
    document = {
        "format": "concept-glossary", "format_version": FORMAT_VERSION,
        "generator": __version__, "title": model.config.title, "subject": model.config.subject,
        "math_engine": {"name": model.engine.name, "version": model.engine.version},
        "relation_kinds": [{"key": k.key, "label": k.label, "inverse_label": k.inverse_label,
                            "symmetric": k.symmetric, "implies": list(k.implies)}
                           for k in vocabulary.relations],
        "roads": [{"key": r.key, "name": r.name, "meaning": r.meaning} for r in vocabulary.roads],
        "entries": [_entry(model, r) for r in model.entries],
    }
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=False) + "\n"
    return [OutputFile("glossary.json", text.encode("utf-8"), origin="the JSON export")]


def _entry(model: SiteModel, rendered: RenderedEntry) -> dict:
    entry = rendered.entry
    relations = model.glossary.relations[entry.slug]
    blocks = {b.index: b for b in rendered.result.blocks} if rendered.result else {}
    figures = iter(rendered.figures)
    snippets = []
    for snippet in entry.snippets:
        block = blocks.get(snippet.index)
        count = len(block.figures) if block else 0
        snippets.append({
            "line": snippet.line, "run": snippet.run, "code": snippet.code,
            "output": block.stdout if block else "", "truncated": bool(block and block.truncated),
            "figures": [{"path": a.dest, "alt": a.alt} for a in
                        (next(figures) for _ in range(count))],
        })
    return {
        "slug": entry.slug, "title": entry.title, "chunk": entry.chunk,
        "abstraction": entry.abstraction, "action": entry.action, "road": entry.road,
        "aliases": entry.aliases, "tags": entry.tags, "symbols": entry.symbols,
        "fields": entry.fields, "source": entry.rel_path, "page": entry_url(entry.slug, ""),
        "formula": {"tex": entry.formula.tex,
                    "mathml": mathml_of(model.math.lookup(entry.formula.tex, True)),
                    "chunks": [_chunk(c) for c in rendered.chunk_tree]},
        "relations": {kind.key: {"out": relations.outgoing.get(kind.key, []),
                                 "in": relations.incoming.get(kind.key, [])}
                      for kind in model.config.vocabulary.relations},
        "snippets": snippets,
    }


def _chunk(node: ChunkNode) -> dict:
    return {"target": node.target, "slug": node.slug,
            "children": [_chunk(c) for c in node.children]}
