"""Static assets: our CSS and JS (or the theme's), minified; the vocabulary's CSS, code
colours, the math engine's stylesheets and fonts, and MiniSearch.

Dark styles follow the page's ``color-scheme`` through ``light-dark()``: style.css sets it
from the reader's choice (``html[data-theme]``, set by ``theme.js``), else the system's
preference, on screens only, so print is always light.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import rcssmin
import rjsmin
from pygments.formatters import HtmlFormatter

from ..assets import find_package
from ..cache import ContentCache, content_key, source_digest
from ..chunk_html import card_styles
from ..katex import prune_css, shorten_css_classes
from ..render import SiteModel
from ..vocabulary import Vocabulary
from . import OutputFile

STATIC = Path(__file__).resolve().parent.parent / "static"
CODE_BG = {"light": "#f3f4f6", "dark": "#1f232b"}
"""``--code`` in style.css: code colours are made to contrast with these."""
MIN_CONTRAST = 4.6
"""WCAG AA asks 4.5:1 for body text; a little margin for rounding."""


def emit(model: SiteModel) -> list[OutputFile]:
    config = model.config
    formulas = list(model.math.html.values())
    files = [OutputFile(dest, content=math_css(source, formulas) if dest.endswith(".css") else None,
                        source=source, origin=f"the math engine's {source.name}")
             for source, dest in model.engine.stylesheets()]
    minisearch = find_package("minisearch", config.root)
    files.append(OutputFile("static/minisearch.js",
                            minify_js(minisearch.file("dist/umd/index.js").read_text("utf-8")),
                            origin="MiniSearch"))
    files.append(OutputFile("static/vocabulary.css", vocabulary_css(config.vocabulary),
                            origin="the vocabulary's styles"))
    code = {name for rendered in model.entries for name in _TOKEN.findall(rendered.body_html)}
    files.append(OutputFile("static/pygments.css", pygments_css(code), origin="code colours"))
    most = max((len(t.all_chunks()) for e in model.glossary.entries
                for t in (e.formula, *e.body_math)), default=0)
    files.append(OutputFile("static/chunk-cards.css",
                            rcssmin.cssmin(card_styles(most)).encode("utf-8") + b"\n",
                            origin="the chunks' name cards"))
    theme = config.resolve(config.theme_dir) / "static" if config.theme_dir else None
    cache = ContentCache(config.resolve(config.cache_dir), "minified", enabled=config.use_cache)
    for path in static_files(theme):
        files.append(OutputFile(f"static/{path.name}", minified(path, cache),
                                origin=f"static file {path.name}"))
    return files


def static_files(theme: Path | None = None) -> list[Path]:
    """Return our static files, each replaced by the theme's file of the same name."""
    chosen = {p.name: p for p in STATIC.iterdir() if p.is_file()}
    if theme is not None and theme.is_dir():
        chosen.update({p.name: p for p in theme.iterdir() if p.is_file()})
    return [chosen[name] for name in sorted(chosen)]


def minified(path: Path, cache: ContentCache | None = None) -> bytes:
    """Return a static file's bytes, CSS and JS minified (our ES5 scripts' locals renamed).

    Renaming a script's locals takes the ES5 parser about 0.15 s per file, so its result
    is kept in ``cache`` under the script's text, the parser's version and this module's.
    """
    if path.suffix == ".js":
        text = path.read_text("utf-8")
        if cache is None:
            return mangle_js(text)
        key = content_key("mangled-js", version("calmjs.parse"), source_digest(Path(__file__)), text)
        hit = cache.get(key)
        if hit is not None and isinstance(hit.get("js"), str):
            return hit["js"].encode("utf-8")
        mangled = mangle_js(text)
        cache.put(key, {"js": mangled.decode("utf-8")})
        return mangled
    if path.suffix == ".css":
        return rcssmin.cssmin(path.read_text("utf-8")).encode("utf-8") + b"\n"
    return path.read_bytes()


def minify_js(text: str) -> bytes:
    return rjsmin.jsmin(text, keep_bang_comments=True).encode("utf-8") + b"\n"


def mangle_js(text: str) -> bytes:
    """Return an ES5 script minified with its local names shortened (about a fifth smaller
    than whitespace removal alone); a script the ES5 parser refuses (a theme's modern JS)
    is only stripped of whitespace and comments."""
    from calmjs.parse import es5  # imported only when a script is not in the cache
    from calmjs.parse.exceptions import ECMARegexSyntaxError, ECMASyntaxError
    from calmjs.parse.unparsers.es5 import minify_print

    try:
        program = es5(text)
    except (ECMASyntaxError, ECMARegexSyntaxError):
        return minify_js(text)
    return minify_print(program, obfuscate=True, obfuscate_globals=False).encode("utf-8") + b"\n"


_SIZE_PAIR = re.compile(r"reset-size(\d+) size(\d+)")
_SIZE_RULE = re.compile(rb"\.katex \.fontsize-ensurer\.reset-size(\d+)\.size(\d+),"
                        rb"\.katex \.sizing\.reset-size\1\.size\2\{[^}]*\}")


def math_css(source: Path, formulas: list[str]) -> bytes:
    """Return KaTeX's stylesheet with only what this site's formulas can use."""
    trimmed = katex_css(source.read_bytes(), used_sizes(formulas)).decode("utf-8")
    return prune_css(shorten_css_classes(trimmed), formulas).encode("utf-8")


_TOKEN = re.compile(r'<span class="([a-z0-9]{1,3})">')
"""A highlighted code token (Pygments' short classes)."""


def used_sizes(formulas) -> set[tuple[bytes, bytes]]:
    """Return the (from, to) size changes the rendered formulas use."""
    return {(a.encode(), b.encode()) for html in formulas for a, b in _SIZE_PAIR.findall(html)}


def katex_css(css: bytes, used: set[tuple[bytes, bytes]]) -> bytes:
    """Return KaTeX's stylesheet without what this site cannot use (about half of it).

    Of the 121 size-change rules only those our formulas use stay (every formula is
    rendered at build time, so the set is known); the woff and ttf fallbacks of the
    @font-face rules go, since only the woff2 fonts are shipped.
    """
    css = _SIZE_RULE.sub(lambda m: m.group(0) if (m.group(1), m.group(2)) in used else b"", css)
    return re.sub(rb',url\([^)]*\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)', b"", css)


def vocabulary_css(vocabulary: Vocabulary) -> bytes:
    """Return the stylesheet that draws each relation kind, light and dark (``light-dark()``)."""
    rules = ["/* Written by the generator from the glossary's vocabulary. */"]
    for kind in vocabulary.relations:
        s = kind.stroke
        colour = f"light-dark({s.color}, {s.dark})"
        dash = f" stroke-dasharray: {s.dash};" if s.dash else ""
        rules.append(f".edge-{kind.key} {{ stroke: {s.color}; stroke: {colour}; "
                     f"stroke-width: {s.width:g};{dash} }}")
        rules.append(f".rel-{kind.key} {{ --rel: {s.color}; --rel: {colour}; }}")
    return ("\n".join(rules) + "\n").encode("utf-8")


def pygments_css(tokens: set[str] | None = None) -> bytes:
    """Return the code-highlighting styles, each colour readable on its theme's background.

    :param tokens: the token classes the site's code uses (the others' rules go), or all.

    One rule per token with ``light-dark()``: the page's ``color-scheme`` (set with the
    theme in style.css, light in print) picks the colour; older browsers get the light one.
    """
    light = _colours(_readable(HtmlFormatter(style="friendly").get_style_defs("pre"),
                               CODE_BG["light"]))
    dark = _colours(_readable(HtmlFormatter(style="monokai").get_style_defs("pre"),
                              CODE_BG["dark"]))
    rules = []
    for selector in dict.fromkeys([*light, *dark]):
        if tokens is not None and selector != "pre" and selector.rpartition(".")[2] not in tokens:
            continue
        day, night = light.get(selector, ("inherit", "")), dark.get(selector, ("inherit", ""))
        if day[0] == night[0] == "inherit":
            colour = ""
        else:
            pick = [c if c != "inherit" else "currentcolor" for c in (day[0], night[0])]
            fallback = f"color:{day[0]};" if day[0] != "inherit" else ""
            colour = f"{fallback}color:light-dark({pick[0]},{pick[1]})"
        body = ";".join(x for x in (colour, day[1]) if x)
        if body:
            rules.append(f"{selector}{{{body}}}")
    return ("\n".join(rules) + "\n").encode("utf-8")


_RULE = re.compile(r"^([^{\n]+?)\s*\{([^}]*)\}", flags=re.M)


def _colours(css: str) -> dict[str, tuple[str, str]]:
    """Return selector -> (colour or 'inherit', its other declarations) of a Pygments sheet."""
    found = {}
    for selector, body in _RULE.findall(css):
        if "linenos" in selector:
            continue
        decls = [d.strip() for d in body.split(";") if d.strip()]
        colour = next((d.split(":", 1)[1].strip() for d in decls if d.startswith("color:")),
                      "inherit")
        others = ";".join(d.replace(": ", ":") for d in decls if not d.startswith("color:"))
        found[selector.strip()] = (colour, others)
    return found


def _readable(css: str, background: str) -> str:
    """Drop the style's own backgrounds and lift every colour to MIN_CONTRAST on ``background``."""
    css = re.sub(r"background(-color)?: #[0-9a-fA-F]{3,6};?", "", css)
    return re.sub(r"(?<![-\w])color: (#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b",
                  lambda m: f"color: {_with_contrast(m.group(1), background)}", css)


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """Return the WCAG contrast ratio of two colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _with_contrast(colour: str, background: str) -> str:
    """Return ``colour``, darkened (or lightened on a dark background) until it reads."""
    h = colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i:i + 2], 16) for i in (0, 2, 4)]
    towards = 0 if _luminance(background) > 0.5 else 255
    for _ in range(100):
        candidate = "#" + "".join(f"{c:02x}" for c in rgb)
        if contrast(candidate, background) >= MIN_CONTRAST:
            return candidate
        rgb = [round(c + (towards - c) * 0.08) for c in rgb]
    return "#000000" if towards == 0 else "#ffffff"
