"""Stage 2: read one entry file into a validated ``Entry``.

Every problem is reported with its file, line and column (computed by the
file's ``SourceText``); a file with errors still yields as many diagnostics as
can be found, but no ``Entry``. Which keys exist, which are required and which
are relations comes from the vocabulary.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from .diagnostics import Reporter, SourcePos, did_you_mean
from .discover import display_path
from .markdown import plain_text
from .model import SLUG_RE, Chunk, Entry, Ref, Slug, Snippet, Tex, slugify
from .source import SourceText
from .sweeps import check_names, mark_symbols, parse_params
from .vocabulary import Vocabulary

_FENCE_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)
_CHUNK = re.compile(r"\\chunk(?![A-Za-z])\s*\{")


class _Front:
    """The front matter's YAML text and where it starts in the file."""

    def __init__(self, source: SourceText, start: int, end: int):
        self.source, self.start, self.text = source, start, source.text[start:end]

    def pos(self, mark) -> SourcePos:
        """Return the file position of a YAML mark (its index counts from the front matter)."""
        return self.source.pos(self.start + mark.index)


def load_entry(path: Path, entries_dir: Path, md: MarkdownIt, reporter: Reporter,
               vocabulary: Vocabulary = Vocabulary()) -> Entry | None:
    """Read, split, validate and parse one entry file."""
    shown = display_path(path)
    source = _read_source(path, shown, reporter)
    if source is None:
        return None
    front = _split_front_matter(source, reporter)
    if front is None:
        return None
    meta = _parse_yaml(front, vocabulary, reporter)
    if meta is None:
        return None
    slug = _check_slug(path, source, reporter)
    tokens = md.parse(source.text)
    snippets = _snippets(tokens)
    if not any(s.run for s in snippets):
        after_front = source.line_of(front.start + len(front.text)) + 1
        reporter.error(SourcePos(source.path, after_front, 1),
                       "no executed python block: add a ```python block that checks the formula "
                       "(a ```python norun block is shown but not run)")
    params = meta["values"].get("params", ())
    sweep_errors = reporter.error_count
    check_names(params, "\n".join(s.code for s in snippets if s.run), reporter)
    sweep_errors = reporter.error_count > sweep_errors or params is None
    _report_placeholders(source, front.start, reporter)
    body_math, links = _body_math_and_links(tokens, source)
    if slug is None or any(key not in meta["values"] for key in vocabulary.required):
        return None  # later stages need these; other errors still let them check the rest
    if sweep_errors:
        return None  # running it without its parameters would only add NameErrors
    values = meta["values"]
    formula = mark_symbols(values["formula"], params)
    refs = [*meta["refs"], *_chunk_refs(formula), *(r for t in body_math for r in _chunk_refs(t)),
            *links]
    return Entry(
        path=shown, source=source, rel_path=path.relative_to(entries_dir).as_posix(),
        slug=Slug(slug), title=values["title"], chunk=values["chunk"],
        abstraction=values["abstraction"], formula=formula, action=values.get("action", ""),
        road=values.get("road", ""), aliases=values.get("aliases", []),
        tags=values.get("tags", []), symbols=values.get("symbols", {}),
        recognize=values.get("recognize", []), params=params, symbol_math=values.get("symbols_tex", []),
        refs=refs, tokens=tokens, body_math=body_math,
        snippets=snippets, body_text=plain_text(tokens),
        fields={spec.key: values[spec.key] for spec in vocabulary.extra_fields
                if spec.key in values},
        positions=meta["positions"], item_positions=meta["items"],
    )


_PLACEHOLDER = re.compile(r"\bTODO\b")


def _report_placeholders(source: SourceText, front_start: int, reporter: Reporter) -> None:
    """Report every ``TODO`` the entry template wrote and nobody replaced (comments aside)."""
    for match in _PLACEHOLDER.finditer(source.text, front_start):
        line_start = source.text.rfind("\n", 0, match.start()) + 1
        if source.text.startswith("# Every TODO", line_start):
            continue  # the template's own explanation, a YAML comment
        reporter.error(source.pos(match.start()), "placeholder 'TODO' from the entry template: "
                       "replace it with the real text")


def _read_source(path: Path, shown: str, reporter: Reporter) -> SourceText | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Count as the loader and editors do: characters, not bytes; \r and \r\n end lines too.
        before = data[:exc.start].decode("utf-8").removeprefix("\ufeff")
        before = SourceText(shown, before.replace("\r\n", "\n").replace("\r", "\n"))
        reporter.error(before.pos(len(before.text)),
                       f"file is not UTF-8 (byte 0x{data[exc.start]:02x}): save it as UTF-8")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source = SourceText(shown, text)
    if not text.strip():
        reporter.error(source.start(), "file is empty: an entry starts with front matter "
                       "between two '---' lines (run 'glossary new \"Title\"' for a template)")
        return None
    return source


def _split_front_matter(source: SourceText, reporter: Reporter) -> _Front | None:
    """Return the YAML text between the opening and closing ``---`` lines."""
    text = source.text
    if not re.match(r"---[ \t]*\n", text):
        reporter.error(source.start(), "missing front matter: the first line must be '---'")
        return None
    first_newline = text.index("\n") + 1
    close = _FENCE_CLOSE.search(text, first_newline)
    if close is None:
        reporter.error(source.start(),
                       "front matter is not closed: add a line '---' after the last key")
        return None
    return _Front(source, first_newline, close.start())


FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML has it: about 5x faster, the same nodes, marks and tags."""


def _compose(text: str) -> yaml.Node | None:
    """Return the YAML node tree; errors always come from the pure parser (its wording, its marks)."""
    try:
        return yaml.compose(text, Loader=FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _parse_yaml(front: _Front, vocabulary: Vocabulary, reporter: Reporter) -> dict | None:
    try:
        root = _compose(front.text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        pos = front.pos(mark) if mark else front.source.pos(front.start)
        problem = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None and front.pos(context_mark).line != pos.line:
            problem += f" ({context} started at line {front.pos(context_mark).line})"
        reporter.error(pos, f"invalid YAML in front matter: {problem}")
        return None
    if not isinstance(root, yaml.MappingNode):
        pos = front.pos(root.start_mark) if root is not None else front.source.pos(front.start)
        reporter.error(SourcePos(pos.path, pos.line, 1),
                       "front matter must be a mapping of 'key: value' lines")
        return None
    meta: dict = {"values": {}, "refs": [], "positions": {}, "items": {}}
    known = vocabulary.field_keys
    seen: set[str] = set()
    for key_node, value_node in root.value:
        key = str(key_node.value)
        pos = front.pos(key_node.start_mark)
        if key in seen:
            reporter.error(pos, f"duplicate key '{key}'")
            continue
        seen.add(key)
        spec = vocabulary.field(key)
        if spec is None:
            reporter.error(pos, f"unknown key '{key}'{did_you_mean(key, known)}; "
                           f"known keys: {', '.join(known)}")
            continue
        vpos = front.pos(value_node.start_mark)
        meta["positions"][key] = vpos
        if spec.kind in ("text", "tex", "road"):
            _text_value(key, spec.kind, value_node, vpos, meta, front, vocabulary, reporter)
        elif spec.kind == "map":
            _map_value(key, value_node, vpos, meta, front, reporter)
        elif spec.kind == "params":
            before = reporter.error_count
            params = parse_params(value_node, vpos, front.pos, reporter)
            meta["values"][key] = params if reporter.error_count == before else None
        else:
            _list_value(key, spec.kind == "relation", value_node, vpos, meta, front, reporter)
    for key in vocabulary.required:
        if key not in seen:
            reporter.error(front.source.start(), f"missing required key '{key}'")
    return meta


def _text_value(key, kind, node, pos, meta, front: _Front, vocabulary, reporter) -> None:
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        reporter.error(pos, f"'{key}' must be text")
        return
    value = node.value.strip()
    if not value:
        reporter.error(pos, f"'{key}' is empty")
        return
    if kind == "road" and value not in vocabulary.road_keys:
        roads = vocabulary.road_keys
        reporter.error(pos, f"unknown road '{value}'{did_you_mean(value, roads)}; "
                       f"use one of: {', '.join(roads)}")
        return
    if kind == "tex":
        source = front.source
        start = front.start + node.start_mark.index
        if node.style in ("|", ">"):
            start = source.text.find("\n", start) + 1
        found = source.text.find(value.splitlines()[0].strip(), start)
        meta["values"][key] = make_tex(value, True, source, found if found >= 0 else start)
        return
    meta["values"][key] = " ".join(value.split()) if key != "abstraction" else value


def _list_value(key, is_relation, node, pos, meta, front: _Front, reporter) -> None:
    if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
        items = [node]  # a single value is a one-item list
    elif isinstance(node, yaml.SequenceNode):
        items = node.value
    elif isinstance(node, yaml.ScalarNode):
        items = []
    else:
        reporter.error(pos, f"'{key}' must be a list, like [softmax, dot-product]")
        return
    values, positions = [], []
    for item in items:
        ipos = front.pos(item.start_mark)
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            reporter.error(ipos, f"every item of '{key}' must be non-empty text")
            continue
        value = str(item.value).strip()
        values.append(value)
        positions.append(ipos)
        if is_relation:
            meta["refs"].append(Ref(value, ipos, key))
    meta["values"][key] = values
    meta["items"][key] = tuple(positions)


def _map_value(key, node, pos, meta, front: _Front, reporter) -> None:
    if not isinstance(node, yaml.MappingNode):
        reporter.error(pos, f"'{key}' must be a mapping, like {{'\\eta': learning rate}}")
        return
    values, positions, texs = {}, [], []
    for name_node, meaning_node in node.value:
        npos = front.pos(name_node.start_mark)
        if not all(isinstance(n, yaml.ScalarNode) and str(n.value).strip()
                   for n in (name_node, meaning_node)):
            reporter.error(npos, f"every item of '{key}' must be 'symbol: meaning' text")
            continue
        name = str(name_node.value).strip()
        if name in values:
            reporter.error(npos, f"symbol '{name}' is declared twice in '{key}'")
            continue
        values[name] = " ".join(str(meaning_node.value).split())
        positions.append(npos)
        texs.append(make_tex(name, False, front.source, front.start + name_node.start_mark.index))
    meta["values"][key] = values
    meta["items"][key] = tuple(positions)
    meta["values"][f"{key}_tex"] = texs


def _check_slug(path: Path, source: SourceText, reporter: Reporter) -> str | None:
    slug = path.stem
    if SLUG_RE.match(slug):
        return slug
    better = slugify(slug)
    hint = f"; rename it to '{better}.md'" if better else ""
    reporter.error(source.start(),
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


def _body_math_and_links(tokens: list, source: SourceText) -> tuple[list[Tex], list[Ref]]:
    """Find every formula and wiki link of the body with its file position."""
    maths, links = [], []
    for token in tokens:
        if token.type in ("math_block", "math_block_label"):
            maths.append(_locate_tex(token.content, True, token.map[0] + 1, source))
        cursor = 0
        for child in token.children or []:
            if child.type in ("math_inline", "math_inline_double"):
                found = token.content.find(child.content, cursor)
                cursor = found + len(child.content) if found >= 0 else cursor
                line = token.map[0] + 1 + token.content[:max(found, 0)].count("\n")
                maths.append(_locate_tex(child.content, child.type == "math_inline_double",
                                         line, source))
            elif child.type == "wikilink":
                line = token.map[0] + 1 + token.content[:child.meta["offset"]].count("\n")
                start = source.line_offset(line)
                found = source.text.find(child.meta["raw"], start)
                links.append(Ref(child.meta["target"], source.pos(found if found >= 0 else start),
                                 "wikilink"))
    return maths, links


def _locate_tex(tex: str, display: bool, line: int, source: SourceText) -> Tex:
    tex = tex.strip()
    start = source.line_offset(line)
    found = source.text.find(tex.splitlines()[0] if tex else tex, start)
    return make_tex(tex, display, source, found if found >= 0 else start)


def make_tex(tex: str, display: bool, source: SourceText, start: int) -> Tex:
    """Return a Tex located at ``start`` in ``source``, with its chunk tree parsed."""
    offsets = source.align(tex, start)
    positions = lambda i: source.pos(offsets[min(i, len(offsets) - 1)]) if offsets else source.start()
    targets: list[tuple[int, int, int]] = []
    chunks = _parse_chunks(tex, 0, len(tex), positions, targets)
    engine, shifts = _engine_tex(tex, targets)
    return Tex(tex, display, source, offsets, tuple(chunks), engine, shifts)


def _parse_chunks(tex: str, start: int, end: int, positions,
                  targets: list[tuple[int, int, int]]) -> list[Chunk]:
    """Return the chunks of ``tex[start:end]``, each with the chunks nested inside it.

    ``targets`` collects (start, end, chunk index) of every target name, in order.
    """
    chunks, pos = [], start
    while (match := _CHUNK.search(tex, pos, end)) is not None:
        target_end = _closing_brace(tex, match.end(), end)
        body_open = re.compile(r"\s*\{").match(tex, target_end + 1, end) if target_end else None
        if body_open is None:
            pos = match.end()
            continue  # malformed: the math engine reports it
        body_end = _closing_brace(tex, body_open.end(), end)
        if body_end is None:
            pos = match.end()
            continue
        raw_target = tex[match.end():target_end]
        lead = len(raw_target) - len(raw_target.lstrip())
        index = len(targets)
        targets.append((match.end(), target_end, index))
        children = _parse_chunks(tex, body_open.end(), body_end, positions, targets)
        chunks.append(Chunk(raw_target.strip(), index, body_open.end(), body_end,
                            positions(match.end() + lead), tuple(children)))
        pos = body_end + 1
    return chunks


def _closing_brace(tex: str, start: int, end: int) -> int | None:
    """Return the index of the ``}`` closing a group that opened just before ``start``."""
    depth, i = 1, start
    while i < end:
        char = tex[i]
        if char == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return i
        i += 1
    return None


def _engine_tex(tex: str, targets: list[tuple[int, int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Replace each chunk's target by its index, so the rendered output names chunks exactly."""
    out, shifts, pos, removed, length = [], [], 0, 0, 0
    for begin, finish, index in targets:  # in text order: a target precedes its body
        label = str(index)
        out += [tex[pos:begin], label]
        length += (begin - pos) + len(label)
        removed += (finish - begin) - len(label)
        shifts.append((length, removed))
        pos = finish
    out.append(tex[pos:])
    return "".join(out), tuple(shifts)


def _chunk_refs(tex: Tex) -> list[Ref]:
    return [Ref(chunk.target, chunk.pos, "chunk") for chunk in tex.all_chunks()]
