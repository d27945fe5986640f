"""Stage 5: turn entries, snippet results and rendered math into pages (no file I/O).

Every page is at the site root or one folder down; ``root`` is the relative
prefix back to the site root, so every internal URL is relative and the site
works from a sub-path and from file://.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pygments.formatters import HtmlFormatter
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import __version__
from .config import SiteConfig
from .conceptmap import concept_map_svg, neighbour_map_svg
from .katex import MathTable, link_chunks
from .links import RELATION_LABELS, Glossary
from .markdown import make_md, render_tokens
from .model import ROADS, Entry, SnippetResult, slugify

_MATHML = re.compile(r'<span class="katex-mathml"><math.*?</math></span>', re.S)

ROAD_INFO = {
    "abstraction": ("Abstraction", "What is this, said in words?"),
    "chunking": ("Chunking", "What do I call this block when I see it?"),
    "action": ("Action", "What does it do?"),
}


@dataclass(frozen=True)
class Page:
    """One output file: its path inside the site and its content."""

    dest: str
    content: bytes


def entry_url(slug: str, root: str) -> str:
    return f"{root}concepts/{slug}.html"


def tag_url(tag: str, root: str) -> str:
    return f"{root}tags/{slugify(tag) or 'tag'}.html"


class Renderer:
    """Render every page of the site from the outputs of the earlier stages."""

    def __init__(self, config: SiteConfig, glossary: Glossary, math: MathTable,
                 results: dict[str, SnippetResult]):
        self.config, self.glossary, self.math, self.results = config, glossary, math, results
        self.md = make_md(math.lookup)
        self.md.add_render_rule("fence", self._fence_rule())
        self.jinja = Environment(loader=PackageLoader("generator", "templates"),
                                 autoescape=select_autoescape(default=True),
                                 undefined=StrictUndefined, keep_trailing_newline=True)
        self.jinja.globals.update(site=config, entry_url=entry_url, tag_url=tag_url,
                                  road_info=ROAD_INFO, version=__version__)
        self.figures: list[Page] = []

    # --- helpers used by the templates and markdown rules ---------------------------

    def formula_html(self, entry: Entry, root: str, linked: bool = True) -> Markup:
        rendered = self.math.lookup(entry.formula.tex, True)
        return Markup(link_chunks(rendered, self._chunk_info(root) if linked else lambda _: None))

    def _chunk_info(self, root: str):
        def info(target: str):
            slug = self.glossary.resolve(target)
            if slug is None:
                return None
            other = self.glossary.by_slug[slug]
            return entry_url(slug, root), slug, f"{other.title} ({other.chunk}): {other.abstraction}"
        return info

    def _link(self, root: str):
        def resolve(target: str):
            slug = self.glossary.resolve(target)
            return (entry_url(slug, root), slug) if slug else None
        return resolve

    def _fence_rule(self):
        """Return a fence render rule that puts each block's output and figures under it."""
        def fence(renderer, tokens, idx, options, env) -> str:
            return self._fence(renderer.fence(tokens, idx, options, env), tokens[idx], env)
        return fence

    def _fence(self, code: str, token, env: dict) -> str:
        words = token.info.split()
        if not words or words[0] != "python":
            return code
        entry: Entry = env["glossary"]["entry"]
        label = "not run" if "norun" in words[1:] else "ran at build time"
        block = next((s for s in entry.snippets if s.line == token.map[0] + 2), None)
        out = self._block_output(entry, block.index) if block is not None and block.run else ""
        return (f'<div class="snippet"><div class="snippet-label">python · {label}</div>'
                f"{code}{out}</div>\n")

    def _block_output(self, entry: Entry, index: int) -> str:
        result = self.results.get(entry.slug)
        if result is None:
            return ""
        block = next((b for b in result.blocks if b.index == index), None)
        if block is None:
            return ""
        parts = []
        if block.stdout:
            parts.append(f'<pre class="output" aria-label="printed output">{html.escape(block.stdout)}</pre>')
        if block.truncated:
            parts.append('<p class="output-note">output truncated</p>')
        for number, figure in enumerate(block.figures, start=1):
            digest = hashlib.sha256(figure.svg.encode("utf-8")).hexdigest()[:10]
            name = f"figures/{entry.slug}-{index + 1}-{number}-{digest}.svg"
            self.figures.append(Page(name, figure.svg.encode("utf-8")))
            parts.append(f'<figure class="plot"><img src="../{name}" alt="{html.escape(figure.alt)}" '
                         f'loading="lazy"><figcaption>{html.escape(figure.alt)}</figcaption></figure>')
        return "".join(parts)

    # --- pages -----------------------------------------------------------------------

    def _page(self, template: str, dest: str, **context) -> Page:
        root = "../" * dest.count("/")
        if dest == "404.html" and self.config.base_url:
            root = self.config.base_url.rstrip("/") + "/"  # served at any depth by hosts
        canonical = self.config.base_url.rstrip("/") + "/" + dest if self.config.base_url else ""
        text = self.jinja.get_template(template).render(root=root, dest=dest, canonical=canonical,
                                                        **context)
        return Page(dest, text.encode("utf-8"))

    def render_entry(self, entry: Entry, position: int) -> Page:
        root = "../"
        env = {"glossary": {"entry": entry, "link": self._link(root)}}
        body = render_tokens(self.md, entry.tokens, env)
        entries = self.glossary.entries
        relations = self.glossary.relations[entry.slug]
        groups = []
        for kind, (out_label, in_label) in RELATION_LABELS.items():
            if kind == "see_also":
                both = relations.outgoing.get(kind, []) + relations.incoming.get(kind, [])
                groups.append((out_label, kind, list(dict.fromkeys(both))))
                continue
            groups.append((out_label, kind, relations.outgoing.get(kind, [])))
            groups.append((in_label, kind, relations.incoming.get(kind, [])))
        groups = [(label, kind, [self.glossary.by_slug[s] for s in slugs])
                  for label, kind, slugs in groups if slugs]
        edit = ""
        if self.config.repo_url:
            entries_dir = self.config.entries.as_posix().strip("/")
            edit = (f"{self.config.repo_url.rstrip('/')}/edit/{self.config.repo_branch}/"
                    f"{entries_dir}/{quote(entry.rel_path)}")
        return self._page(
            "entry.html", f"concepts/{entry.slug}.html", entry=entry, body=Markup(body),
            formula=self.formula_html(entry, root), groups=groups, edit_url=edit,
            result=self.results.get(entry.slug),
            previous=entries[position - 1] if position > 0 else None,
            next=entries[position + 1] if position + 1 < len(entries) else None,
            neighbour_map=Markup(neighbour_map_svg(self.glossary, entry.slug, root)),
            title=entry.title, description=entry.abstraction)

    def render_all(self) -> list[Page]:
        """Return every page of the site (figures included)."""
        entries = self.glossary.entries
        pages = [self.render_entry(entry, i) for i, entry in enumerate(entries)]
        by_letter: dict[str, list[Entry]] = {}
        for entry in entries:
            letter = entry.title[:1].upper()
            by_letter.setdefault(letter if letter.isalpha() else "#", []).append(entry)
        by_road = {road: [e for e in entries if e.road == road] for road in ROADS}
        unsorted = [e for e in entries if not e.road]
        tags = _tags(entries)
        pages.append(self._page("index.html", "index.html", by_letter=by_letter, by_road=by_road,
                                title=self.config.title, description=self.config.description,
                                count=len(entries)))
        pages.append(self._page("roads.html", "roads.html", by_road=by_road, unsorted=unsorted,
                                title="The three roads", description=self.config.description))
        pages.append(self._page("map.html", "map.html", title="Concept map",
                                description="Every entry and every relation between them.",
                                svg=Markup(concept_map_svg(self.glossary, "")), wide=True,
                                legend=RELATION_LABELS))
        pages.append(self._page("tags.html", "tags/index.html", tags=tags, title="Tags",
                                description="Entries by tag."))
        for tag, tagged in tags.items():
            pages.append(self._page("tag.html", f"tags/{slugify(tag) or 'tag'}.html", tag=tag,
                                    entries=tagged, title=f"Tag: {tag}",
                                    description=f"Entries tagged {tag}."))
        pages.append(self._page("404.html", "404.html", title="Not found",
                                description="This page does not exist."))
        pages.append(Page("cards.js", self._cards_js()))
        pages.extend(self.figures)
        return pages

    def _cards_js(self) -> bytes:
        # Cards are a visual preview: the MathML half of KaTeX's output is dropped to halve the file.
        cards = {e.slug: {"title": e.title, "chunk": e.chunk, "abstraction": e.abstraction,
                          "formula": _MATHML.sub("", str(self.formula_html(e, "", linked=False)))}
                 for e in self.glossary.entries}
        data = json.dumps(cards, ensure_ascii=True, sort_keys=True).replace("</", "<\\/")
        return f"window.GLOSSARY_CARDS = {data};\n".encode("utf-8")


def _tags(entries: list[Entry]) -> dict[str, list[Entry]]:
    tags: dict[str, list[Entry]] = {}
    for entry in entries:
        for tag in entry.tags:
            tags.setdefault(tag, []).append(entry)
    return dict(sorted(tags.items(), key=lambda item: item[0].lower()))


def pygments_css() -> bytes:
    """Return the code-highlighting styles, light and dark."""
    light = HtmlFormatter(style="friendly").get_style_defs([".snippet pre", ".body pre"])
    dark = HtmlFormatter(style="monokai").get_style_defs([".snippet pre", ".body pre"])
    return (f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n").encode("utf-8")


def static_files() -> list[Path]:
    """Return our own static assets (CSS, JS, favicon)."""
    folder = Path(__file__).with_name("static")
    return sorted(p for p in folder.iterdir() if p.is_file())
