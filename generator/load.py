"""Stage 2: read one entry file into a validated ``Entry``.

Every problem is reported with its file, line and column; a file with errors
still yields as many diagnostics as can be found, but no ``Entry``.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from .diagnostics import Reporter, SourcePos, did_you_mean
from .discover import display_path
from .markdown import plain_text
from .model import RELATIONS, ROADS, SLUG_RE, Entry, Ref, Slug, Snippet, Tex, slugify

REQUIRED = ("title", "chunk", "abstraction", "formula")
TEXT_KEYS = ("title", "chunk", "abstraction", "action", "formula", "road")
LIST_KEYS = ("aliases", "tags", "recognize") + RELATIONS
MAP_KEYS = ("symbols",)
KNOWN_KEYS = TEXT_KEYS + LIST_KEYS + MAP_KEYS

_FENCE_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
CHUNK_RE = re.compile(r"\\chunk\s*\{\s*([^{}]*?)\s*\}")


class SourceText:
    """A file's text with offset <-> (line, col) arithmetic (1-based lines and columns)."""

    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def offset(self, line: int) -> int:
        """Return the offset of the start of 1-based ``line``."""
        return self.line_starts[min(max(line, 1), len(self.line_starts)) - 1]

    def align(self, value: str, start: int) -> tuple[tuple[int, int], ...]:
        """Map each character of ``value`` to a file position, searching from ``start``.

        ``value`` is the text as a parser returned it: YAML block scalars lose their
        indentation and folded ones turn newlines into spaces, so characters are
        matched greedily and whitespace matches any whitespace.
        """
        text, j, offsets = self.text, start, []
        for char in value:
            probe = j
            while probe < len(text) and text[probe] != char and not (
                    char.isspace() and text[probe].isspace()):
                probe += 1
            if probe < len(text):
                j = probe
            offsets.append(self.line_col(min(j, len(text) - 1) if text else 0))
            j += 1
        return tuple(offsets)


def load_entry(path: Path, entries_dir: Path, md: MarkdownIt, reporter: Reporter) -> Entry | None:
    """Read, split, validate and parse one entry file."""
    shown = display_path(path)
    text = _read_text(path, shown, reporter)
    if text is None:
        return None
    source = SourceText(text)
    split = _split_front_matter(text, shown, reporter)
    if split is None:
        return None
    meta = _parse_yaml(split, source, shown, reporter)
    if meta is None:
        return None
    slug = _check_slug(path, shown, reporter)
    tokens = md.parse(text)
    snippets = _snippets(tokens)
    if not any(s.run for s in snippets):
        reporter.error(SourcePos(shown, split.count("\n") + 3, 1),
                       "no executed python block: add a ```python block that checks the formula "
                       "(a ```python norun block is shown but not run)")
    body_math, links = _body_math_and_links(tokens, source, shown)
    if slug is None or any(key not in meta for key in REQUIRED):
        return None  # later stages need these; other errors still let them check the rest
    formula = meta["formula"]
    refs = [*meta["refs"], *_chunk_refs(formula), *_chunk_refs_all(body_math), *links]
    return Entry(
        path=shown, rel_path=path.relative_to(entries_dir).as_posix(), slug=Slug(slug),
        title=meta["title"], chunk=meta["chunk"], abstraction=meta["abstraction"],
        formula=formula, action=meta.get("action", ""), road=meta.get("road", ""),
        aliases=meta.get("aliases", []), tags=meta.get("tags", []), refs=refs,
        symbols=meta.get("symbols", {}), recognize=meta.get("recognize", []),
        tokens=tokens, body_math=body_math, snippets=snippets, body_text=plain_text(tokens),
    )


def _read_text(path: Path, shown: str, reporter: Reporter) -> str | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Count as the loader and editors do: characters, not bytes; \r and \r\n end lines too.
        before = data[:exc.start].decode("utf-8").lstrip("\ufeff")
        before = before.replace("\r\n", "\n").replace("\r", "\n")
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        reporter.error(SourcePos(shown, line, col),
                       f"file is not UTF-8 (byte 0x{data[exc.start]:02x}): save it as UTF-8")
        return None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        reporter.error(SourcePos(shown, 1, 1), "file is empty: an entry starts with front matter "
                       "between two '---' lines (run 'glossary new \"Title\"' for a template)")
        return None
    return text


def _split_front_matter(text: str, shown: str, reporter: Reporter) -> str | None:
    """Return the YAML text between the opening and closing ``---`` lines."""
    if not re.match(r"---[ \t]*\n", text):
        reporter.error(SourcePos(shown, 1, 1), "missing front matter: the first line must be '---'")
        return None
    first_newline = text.index("\n") + 1
    close = _FENCE_CLOSE.search(text, first_newline)
    if close is None:
        reporter.error(SourcePos(shown, 1, 1),
                       "front matter is not closed: add a line '---' after the last key")
        return None
    return text[first_newline:close.start()]


def _parse_yaml(front: str, source: SourceText, shown: str, reporter: Reporter) -> dict | None:
    try:
        root = yaml.compose(front, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 2, mark.column + 1) if mark else (2, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 2 != line:
            problem += f" ({context} started at line {context_mark.line + 2})"
        reporter.error(SourcePos(shown, line, col), f"invalid YAML in front matter: {problem}")
        return None
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 2 if root is not None else 2
        reporter.error(SourcePos(shown, line, 1), "front matter must be a mapping of 'key: value' lines")
        return None
    fm_offset = source.offset(2)
    meta: dict = {"refs": []}
    seen: set[str] = set()
    for key_node, value_node in root.value:
        key = str(key_node.value)
        pos = SourcePos(shown, key_node.start_mark.line + 2, key_node.start_mark.column + 1)
        if key in seen:
            reporter.error(pos, f"duplicate key '{key}'")
            continue
        seen.add(key)
        if key not in KNOWN_KEYS:
            reporter.error(pos, f"unknown key '{key}'{did_you_mean(key, KNOWN_KEYS)}; "
                           f"known keys: {', '.join(KNOWN_KEYS)}")
            continue
        vpos = SourcePos(shown, value_node.start_mark.line + 2, value_node.start_mark.column + 1)
        if key in TEXT_KEYS:
            _text_value(key, value_node, vpos, meta, source, fm_offset, reporter)
        elif key in MAP_KEYS:
            _map_value(key, value_node, vpos, meta, shown, reporter)
        else:
            _list_value(key, value_node, vpos, meta, shown, reporter)
    for key in REQUIRED:
        if key not in seen:
            reporter.error(SourcePos(shown, 1, 1), f"missing required key '{key}'")
    return meta


def _text_value(key, node, pos, meta, source, fm_offset, reporter) -> None:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        reporter.error(pos, f"'{key}' must be text")
        return
    value = node.value.strip()
    if not value:
        reporter.error(pos, f"'{key}' is empty")
        return
    if key == "road" and value not in ROADS:
        reporter.error(pos, f"unknown road '{value}'{did_you_mean(value, ROADS)}; "
                       f"use one of: {', '.join(ROADS)}")
        return
    if key == "formula":
        start = fm_offset + node.start_mark.index
        if node.style in ("|", ">"):
            start = source.text.find("\n", start) + 1
        first = value.splitlines()[0].strip()
        found = source.text.find(first, start)
        start = found if found >= 0 else start
        meta[key] = Tex(value, True, source.align(value, start), pos.path)
        return
    meta[key] = " ".join(value.split()) if key != "abstraction" else value


def _list_value(key, node, pos, meta, shown, reporter) -> None:
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        items = [node]  # a single value is a one-item list
    elif isinstance(node, yaml.SequenceNode):
        items = node.value
    elif isinstance(node, yaml.ScalarNode):
        items = []
    else:
        reporter.error(pos, f"'{key}' must be a list, like [softmax, dot-product]")
        return
    values = []
    for item in items:
        ipos = SourcePos(shown, item.start_mark.line + 2, item.start_mark.column + 1)
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            reporter.error(ipos, f"every item of '{key}' must be non-empty text")
            continue
        value = str(item.value).strip()
        values.append(value)
        if key in RELATIONS:
            meta["refs"].append(Ref(value, ipos, key))
    meta[key] = values


def _map_value(key, node, pos, meta, shown, reporter) -> None:
    if not isinstance(node, yaml.MappingNode):
        reporter.error(pos, f"'{key}' must be a mapping, like {{'\\eta': learning rate}}")
        return
    values = {}
    for name_node, meaning_node in node.value:
        ipos = SourcePos(shown, name_node.start_mark.line + 2, name_node.start_mark.column + 1)
        if not all(isinstance(n, yaml.ScalarNode) and str(n.value).strip()
                   for n in (name_node, meaning_node)):
            reporter.error(ipos, f"every item of '{key}' must be 'symbol: meaning' text")
            continue
        values[str(name_node.value).strip()] = " ".join(str(meaning_node.value).split())
    meta[key] = values


def _check_slug(path: Path, shown: str, reporter: Reporter) -> str | None:
    slug = path.stem
    if SLUG_RE.match(slug):
        return slug
    better = slugify(slug)
    hint = f"; rename it to '{better}.md'" if better else ""
    reporter.error(SourcePos(shown, 1, 1),
                   f"file name '{path.name}' is not a valid slug: use lower-case a-z, 0-9 and "
                   f"single hyphens{hint}")
    return None


def _snippets(tokens: list) -> list[Snippet]:
    snippets = []
    for token in tokens:
        if token.type != "fence":
            continue
        words = token.info.split()
        if not words or words[0] != "python":
            continue
        run = "norun" not in words[1:]
        snippets.append(Snippet(len(snippets), token.content, token.map[0] + 2, run))
    return snippets


def _body_math_and_links(tokens: list, source: SourceText, shown: str) -> tuple[list[Tex], list[Ref]]:
    """Find every formula and wiki link of the body with its file position."""
    maths, links = [], []
    for token in tokens:
        if token.type in ("math_block", "math_block_label"):
            maths.append(_locate_tex(token.content, True, token.map[0] + 1, source, shown))
        cursor = 0
        for child in token.children or []:
            if child.type == "math_inline" or child.type == "math_inline_double":
                found = token.content.find(child.content, cursor)
                cursor = found + len(child.content) if found >= 0 else cursor
                line = token.map[0] + 1 + token.content[:max(found, 0)].count("\n")
                maths.append(_locate_tex(child.content, child.type == "math_inline_double",
                                         line, source, shown))
            elif child.type == "wikilink":
                line = token.map[0] + 1 + token.content[:child.meta["offset"]].count("\n")
                col = source.text.find(child.meta["raw"], source.offset(line)) - source.offset(line)
                links.append(Ref(child.meta["target"], SourcePos(shown, line, max(col, 0) + 1),
                                 "wikilink"))
    return maths, links


def _locate_tex(tex: str, display: bool, line: int, source: SourceText, shown: str) -> Tex:
    tex = tex.strip()
    start = source.offset(line)
    found = source.text.find(tex.splitlines()[0] if tex else tex, start)
    return Tex(tex, display, source.align(tex, found if found >= 0 else start), shown)


def _chunk_refs(tex: Tex) -> list[Ref]:
    return [Ref(m.group(1), tex.pos_at(m.start(1)), "chunk") for m in CHUNK_RE.finditer(tex.tex)]


def _chunk_refs_all(maths: list[Tex]) -> list[Ref]:
    return [ref for tex in maths for ref in _chunk_refs(tex)]
