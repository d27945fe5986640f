"""A deterministic synthetic glossary of N concepts, written for four tools.

The same concepts (prose, formulas, code) are written

- in our entry format (``entries/<slug>.md``: front matter, a paragraph with wiki
  links and inline math, one python snippet with an assert and a figure);
- for MkDocs + Material + markdown-exec (``docs/<slug>.md`` with an ``exec="on"`` block
  that prints the figure as SVG; math through pymdownx.arithmatex);
- for Jupyter Book 1 (``<slug>.md`` MyST notebooks with one ``{code-cell}``);
- for sphinx-gallery (``examples/plot_<slug>.py``, the prose in comment blocks).

Only the link and chunk syntax differs: ``\\chunk{slug}{tex}`` becomes
``\\underbrace{tex}_{\\text{chunk name}}`` for tools without chunks, and ``[[slug]]``
becomes each tool's cross-reference. Every snippet has a line ``scale = 1.0``:
:func:`edit_snippet` changes that number (every assert holds for 1 <= scale < 2) and
the snippet prints it, so a rebuilt page shows the edit.

    python bench/corpus.py --n 100 --format ours --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("ours", "mkdocs", "jupyterbook", "sphinx-gallery")
ROADS = ("abstraction", "chunking", "action")
NOUNS = ("gate", "kernel", "mixer", "pooling", "projection", "normaliser", "residual",
         "embedding", "scorer", "filter", "encoder", "decoder", "router", "adapter",
         "estimator", "sampler", "regulariser", "scheduler", "aggregator", "readout")
ADJECTIVES = ("gated", "shifted", "scaled", "sparse", "smooth", "stacked", "tied", "causal",
              "local", "global", "soft", "hard", "deep", "shallow", "leaky", "dual")
TAGS = ("activations", "attention", "optimisation", "linear-algebra", "probability",
        "normalisation", "losses", "sequences", "convolution", "regularisation",
        "initialisation", "embeddings")
SCALE_RE = re.compile(r"^scale = [0-9.]+$", re.MULTILINE)


@dataclass
class Concept:
    """One synthetic concept; the formula and prose keep chunks and links structured."""

    index: int
    slug: str
    title: str
    chunk: str
    abstraction: str
    action: str
    road: str
    tags: list[str]
    uses: list[str]
    builds_on: list[str]
    see_also: list[str]
    formula: list  # str pieces of TeX and (slug, tex) chunks
    prose: list  # str pieces of markdown, ("link", slug, text|None) and ("math", tex)
    display: str  # one display formula in the prose
    code: str
    titles: dict = field(default_factory=dict, repr=False)  # slug -> title, for links


def slug_of(i: int) -> str:
    return f"c{i:04d}-{ADJECTIVES[i % len(ADJECTIVES)]}-{NOUNS[(i // 3) % len(NOUNS)]}"


def title_of(i: int) -> str:
    return f"{ADJECTIVES[i % len(ADJECTIVES)].capitalize()} {NOUNS[(i // 3) % len(NOUNS)]} {i}"


SNIPPETS = (
    # 0: an activation curve
    """rng = np.random.default_rng({seed})
x = np.linspace(-4.0, 4.0, 400)
A = rng.normal(size=(160, 160)) / np.sqrt(160)
spectrum = np.linalg.eigvalsh(A @ A.T)
a, b = {a}, {b}
y = np.tanh(a * scale * x) + b * x
assert np.all(spectrum > -1e-9)
assert np.all(np.diff(y) > 0)
print(f"scale={{scale}} y(0)={{y[200]:.3f}} largest eigenvalue={{spectrum[-1]:.3f}}")

fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(x, y)
ax.set_xlabel("x")
ax.set_title("{title}")
""",
    # 1: gradient descent on a quadratic
    """rng = np.random.default_rng({seed})
M = rng.normal(size=(160, 160)) / np.sqrt(160)
H = M @ M.T + np.eye(160)
w = rng.normal(size=160)
rate = 0.9 / (scale * np.linalg.eigvalsh(H)[-1])
losses = []
for _ in range(60):
    losses.append(0.5 * w @ H @ w)
    w = w - rate * (H @ w)
losses = np.array(losses)
assert np.all(np.diff(losses) < 0)
print(f"scale={{scale}} first loss={{losses[0]:.3f}} last loss={{losses[-1]:.3f}}")

fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(losses)
ax.set_xlabel("step")
ax.set_title("{title}")
""",
    # 2: softmax weights
    """rng = np.random.default_rng({seed})
scores = rng.normal(size=(64, 400)) * {a}
weights = np.exp(scale * scores - (scale * scores).max(axis=1, keepdims=True))
weights /= weights.sum(axis=1, keepdims=True)
U, S, Vt = np.linalg.svd(weights[:, :64])
assert np.allclose(weights.sum(axis=1), 1.0)
assert np.all(S >= 0)
print(f"scale={{scale}} largest weight={{weights.max():.3f}} top singular value={{S[0]:.3f}}")

fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(np.sort(weights[0])[::-1])
ax.set_xlabel("rank")
ax.set_title("{title}")
""",
    # 3: a running average
    """rng = np.random.default_rng({seed})
signal = np.cumsum(rng.normal(size=4000)) * {b}
beta = 0.9 / scale
average = np.zeros_like(signal)
for t in range(1, 400):
    average[t] = beta * average[t - 1] + (1 - beta) * signal[t]
Q, R = np.linalg.qr(rng.normal(size=(160, 160)))
assert np.allclose(Q.T @ Q, np.eye(160), atol=1e-8)
assert np.abs(average[:400]).max() <= np.abs(signal[:400]).max() + 1e-12
print(f"scale={{scale}} last average={{average[399]:.3f}}")

fig, ax = plt.subplots(figsize=(4, 3))
ax.plot(signal[:400], label="signal")
ax.plot(average[:400], label="average")
ax.legend()
ax.set_title("{title}")
""",
)


TRIVIAL_SNIPPET = "scale = 1.0\nassert 1 <= scale < 2\nprint(f\"scale = {{scale}}\")\n"
"""For scale tests: a snippet whose own cost is nothing, so the generator's cost shows."""


def make_corpus(n: int, trivial: bool = False) -> list[Concept]:
    """Return ``n`` concepts; the same ``n`` always gives the same corpus.

    :param trivial: give every concept the same three-line snippet (no numpy, no figure).
    """
    if n < 4:
        raise ValueError("a corpus needs at least 4 concepts")
    titles = {slug_of(i): title_of(i) for i in range(n)}
    concepts = []
    for i in range(n):
        rng = random.Random(i)
        slug, title = slug_of(i), title_of(i)
        chunked = [slug_of(j) for j in dict.fromkeys((i - 1, i // 2)) if 0 <= j < i]
        builds_on = [slug_of(i // 3)] if i >= 3 and slug_of(i // 3) not in chunked else []
        other = slug_of((i * 7 + 3) % n)
        see_also = [other] if other != slug and other not in chunked + builds_on else []
        if i == 0:
            see_also = [slug_of(1)]
        linked = slug_of(rng.randrange(n))
        k = i % 4
        formula = [f"y_{{{i}}} = "]
        if chunked:
            formula += [(chunked[0], rf"\sigma\left(\mathbf{{W}}_{{{i}}} \mathbf{{x}} + \mathbf{{b}}\right)"),
                        r" \odot "]
        formula += [rf"\tanh\left(\frac{{\mathbf{{z}}_{{{i}}}}}{{\sqrt{{d}}}}\right)"]
        if len(chunked) > 1:
            formula += [" + ", (chunked[1], rf"\sum_{{k=1}}^{{{k + 2}}} \alpha_k \mathbf{{h}}_k")]
        noun = NOUNS[(i // 3) % len(NOUNS)]
        prose = [f"The {title.lower()} is a synthetic concept: it takes the output of ",
                 ("link", chunked[0] if chunked else slug_of(1), None),
                 " and squashes it, so that every coordinate stays in ",
                 ("math", r"(-1, 1)"), f". Like a {noun}, it has one knob, the scale ",
                 ("math", rf"s_{{{i}}} \geq 1"), "; compare it with ",
                 ("link", linked, f"a neighbour, {titles[linked].lower()}"),
                 ". The snippet checks the claim numerically and draws one curve."]
        display = rf"\lVert \mathbf{{y}}_{{{i}}} \rVert_\infty \leq 1 + \frac{{{k + 1}}}{{n}}"
        code = ("import numpy as np\nimport matplotlib.pyplot as plt\n\nscale = 1.0\n"
                + SNIPPETS[k].format(seed=i, a=round(0.5 + rng.random(), 3),
                                     b=round(0.05 + rng.random() / 4, 3), title=title))
        if trivial:
            code = TRIVIAL_SNIPPET.format()
        concepts.append(Concept(
            index=i, slug=slug, title=title, chunk=f"the {noun} block number {i}",
            abstraction=(f"A made-up building block number {i}, written by the benchmark so that "
                         "every tool builds the same pages."),
            action=f"Maps a vector to a squashed vector, like a {noun}.",
            road=ROADS[i % 3], tags=sorted({TAGS[i % len(TAGS)], TAGS[(i * 5 + 1) % len(TAGS)]}),
            uses=list(chunked), builds_on=builds_on, see_also=see_also, formula=formula,
            prose=prose, display=display, code=code, titles=titles))
    return concepts


# --- rendering the pieces for each tool ------------------------------------------------

def formula_tex(concept: Concept, chunks: bool) -> str:
    """Return the formula with ``\\chunk`` marks, or with underbraces naming the chunk."""
    out = []
    for piece in concept.formula:
        if isinstance(piece, str):
            out.append(piece)
        elif chunks:
            out.append(rf"\chunk{{{piece[0]}}}{{{piece[1]}}}")
        else:
            out.append(rf"\underbrace{{{piece[1]}}}_{{\text{{{concept.titles[piece[0]]}}}}}")
    return "".join(out)


def prose_text(concept: Concept, link, math) -> str:
    out = []
    for piece in concept.prose:
        if isinstance(piece, str):
            out.append(piece)
        elif piece[0] == "link":
            out.append(link(piece[1], piece[2] or concept.titles[piece[1]]))
        else:
            out.append(math(piece[1]))
    return "".join(out)


def _wrap(text: str, width: int = 88, prefix: str = "") -> str:
    lines, line = [], ""
    for word in text.split():
        if line and len(prefix) + len(line) + 1 + len(word) > width:
            lines.append(prefix + line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(prefix + line)
    return "\n".join(lines)


def relations_md(concept: Concept, link) -> str:
    rows = []
    for name, slugs in (("Uses", concept.uses), ("Builds on", concept.builds_on),
                        ("See also", concept.see_also)):
        if slugs:
            rows.append(f"- {name}: " + ", ".join(link(s, concept.titles[s]) for s in slugs))
    return "\n".join(rows)


def _header_md(concept: Concept) -> str:
    return (f"**Chunk:** {concept.chunk}. **Road:** {concept.road}. "
            f"**Tags:** {', '.join(concept.tags)}.\n\n"
            f"**In words:** {concept.abstraction}\n\n**What it does:** {concept.action}\n")


def ours(concept: Concept) -> str:
    link = lambda slug, text: f"[[{slug}]]" if text == concept.titles[slug] else f"[[{slug}|{text}]]"
    fm = ["---", f"title: {concept.title}", f"chunk: {concept.chunk}", "abstraction: >-",
          _wrap(concept.abstraction, prefix="  "), f"action: {concept.action}", "formula: |",
          "  " + formula_tex(concept, chunks=True), f"road: {concept.road}",
          f"tags: [{', '.join(concept.tags)}]", f"uses: [{', '.join(concept.uses)}]",
          f"builds_on: [{', '.join(concept.builds_on)}]",
          f"see_also: [{', '.join(concept.see_also)}]", "---", ""]
    body = _wrap(prose_text(concept, link, lambda tex: f"${tex}$"))
    return ("\n".join(fm) + "\n" + body + f"\n\n$$\n{concept.display}\n$$\n\n"
            + f"```python\n{concept.code}```\n")


def mkdocs(concept: Concept) -> str:
    link = lambda slug, text: f"[{text}]({slug}.md)"
    hidden = ("from io import StringIO  # markdown-exec: hide\n"
              "for number in plt.get_fignums():  # markdown-exec: hide\n"
              "    buffer = StringIO()  # markdown-exec: hide\n"
              "    plt.figure(number).savefig(buffer, format=\"svg\")  # markdown-exec: hide\n"
              "    print(buffer.getvalue())  # markdown-exec: hide\n"
              "plt.close(\"all\")  # markdown-exec: hide\n")
    return (f"# {concept.title}\n\n{_header_md(concept)}\n"
            f"$$\n{formula_tex(concept, chunks=False)}\n$$\n\n"
            + _wrap(prose_text(concept, link, lambda tex: f"${tex}$"))
            + f"\n\n$$\n{concept.display}\n$$\n\n"
            + f"```python exec=\"on\" html=\"1\" source=\"above\"\n{concept.code}{hidden}```\n\n"
            + relations_md(concept, link) + "\n")


def jupyterbook(concept: Concept) -> str:
    link = lambda slug, text: f"[{text}]({slug}.md)"
    header = ("---\njupytext:\n  text_representation:\n    extension: .md\n"
              "    format_name: myst\nkernelspec:\n  display_name: Python 3\n"
              "  language: python\n  name: python3\n---\n\n")
    return (header + f"# {concept.title}\n\n{_header_md(concept)}\n"
            f"$$\n{formula_tex(concept, chunks=False)}\n$$\n\n"
            + _wrap(prose_text(concept, link, lambda tex: f"${tex}$"))
            + f"\n\n$$\n{concept.display}\n$$\n\n"
            + f"```{{code-cell}} python\n{concept.code}```\n\n"
            + relations_md(concept, link) + "\n")


def sg_name(slug: str) -> str:
    return "plot_" + slug.replace("-", "_")


def sphinx_gallery(concept: Concept) -> str:
    ref = lambda slug, text: f":ref:`{text} <sphx_glr_auto_examples_{sg_name(slug)}.py>`"
    underline = "=" * len(concept.title)
    rels = relations_md(concept, ref).replace("- ", "* ")
    doc = (f"{concept.title}\n{underline}\n\n**Chunk:** {concept.chunk}. **Road:** {concept.road}. "
           f"**Tags:** {', '.join(concept.tags)}.\n\n**In words:** {concept.abstraction}\n\n"
           f"**What it does:** {concept.action}\n\n.. math::\n\n   "
           f"{formula_tex(concept, chunks=False)}\n")
    prose = _wrap(prose_text(concept, ref, lambda tex: f":math:`{tex}`"), prefix="# ")
    return (f'r"""\n{doc}"""\n\n# %%\n{prose}\n#\n# .. math::\n#\n#    {concept.display}\n#\n'
            + "\n".join(f"# {line}" for line in rels.splitlines()) + "\n\n"
            + concept.code)


# --- whole projects --------------------------------------------------------------------

def write(concepts: list[Concept], fmt: str, root: Path) -> Path:
    """Write the project for ``fmt`` into ``root`` (emptied first); return the folder
    the tool's command runs in."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    n = len(concepts)
    if fmt == "ours":
        (root / "pyproject.toml").write_text(
            f'[tool.glossary]\ntitle = "Synthetic glossary of {n} concepts"\n'
            'entries = "entries"\nout = "site"\ncache_dir = ".glossary-cache"\n')
        for c in concepts:
            _put(root / "entries" / f"{c.slug}.md", ours(c))
    elif fmt == "mkdocs":
        nav = "\n".join(f"  - {c.title}: {c.slug}.md" for c in concepts)
        _put(root / "mkdocs.yml", (
            f"site_name: Synthetic glossary of {n} concepts\ntheme:\n  name: material\n"
            "markdown_extensions:\n  - pymdownx.arithmatex:\n      generic: true\n"
            "  - pymdownx.superfences\nplugins:\n  - search\n  - markdown-exec\n"
            f"nav:\n  - Home: index.md\n{nav}\n"))
        _put(root / "docs" / "index.md", _index_md(concepts, lambda c: f"{c.slug}.md"))
        for c in concepts:
            _put(root / "docs" / f"{c.slug}.md", mkdocs(c))
    elif fmt == "jupyterbook":
        _put(root / "_config.yml", (
            f"title: Synthetic glossary of {n} concepts\nauthor: bench\nonly_build_toc_files: true\n"
            "execute:\n  execute_notebooks: cache\n  timeout: 120\n"
            "parse:\n  myst_enable_extensions: [dollarmath, amsmath]\n"))
        toc = "\n".join(f"  - file: {c.slug}" for c in concepts)
        _put(root / "_toc.yml", f"format: jb-book\nroot: intro\nchapters:\n{toc}\n")
        _put(root / "intro.md", _index_md(concepts, lambda c: f"{c.slug}.md"))
        for c in concepts:
            _put(root / f"{c.slug}.md", jupyterbook(c))
        # The kernel saves figures as SVG, as every other tool here does.
        _put(root / ".ipython" / "profile_default" / "ipython_kernel_config.py",
             "c.InlineBackend.figure_formats = {'svg'}\n")
    elif fmt == "sphinx-gallery":
        _put(root / "conf.py", (
            "import sys\nfrom pathlib import Path\n\nsys.path.insert(0, str(Path(__file__).parent))\n"
            "from svg_scraper import SVGScraper  # noqa: E402\n\n"
            f'project = "Synthetic glossary of {n} concepts"\n'
            'extensions = ["sphinx.ext.mathjax", "sphinx_gallery.gen_gallery"]\n'
            'exclude_patterns = ["_build", "examples"]\n'
            'sphinx_gallery_conf = {"examples_dirs": "examples", "gallery_dirs": "auto_examples",\n'
            '                       "image_scrapers": (SVGScraper(),), "download_all_examples": False}\n'))
        _put(root / "svg_scraper.py", (  # a module, so Sphinx can pickle the scraper
            "from sphinx_gallery.scrapers import matplotlib_scraper\n\n\n"
            "class SVGScraper:\n    \"\"\"Figures as SVG, as every other tool here saves them.\"\"\"\n\n"
            "    def __repr__(self):\n        return 'SVGScraper'\n\n"
            "    def __call__(self, *args, **kwargs):\n"
            "        return matplotlib_scraper(*args, format='svg', **kwargs)\n"))
        _put(root / "index.rst", f"Synthetic glossary of {n} concepts\n{'=' * 40}\n\n"
             ".. toctree::\n\n   auto_examples/index\n")
        _put(root / "examples" / "README.txt", "Concepts\n========\n")
        for c in concepts:
            _put(root / "examples" / f"{sg_name(c.slug)}.py", sphinx_gallery(c))
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return root


def _index_md(concepts: list[Concept], href) -> str:
    rows = "\n".join(f"- [{c.title}]({href(c)}): {c.chunk}" for c in concepts)
    return f"# Synthetic glossary of {len(concepts)} concepts\n\n{rows}\n"


def _put(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def entry_file(fmt: str, root: Path, slug: str) -> Path:
    """Return the file that holds ``slug``'s snippet in the project for ``fmt``."""
    return {"ours": root / "entries" / f"{slug}.md", "mkdocs": root / "docs" / f"{slug}.md",
            "jupyterbook": root / f"{slug}.md",
            "sphinx-gallery": root / "examples" / f"{sg_name(slug)}.py"}[fmt]


def edit_snippet(path: Path, value: float) -> None:
    """Set the snippet's ``scale`` to ``value`` (1 <= value < 2 keeps every assert true)."""
    text = path.read_text("utf-8")
    new, count = SCALE_RE.subn(f"scale = {value!r}", text)
    if count != 1:
        raise RuntimeError(f"{path}: expected one 'scale = ...' line, found {count}")
    path.write_text(new, "utf-8")


def snippets(concepts: list[Concept]) -> list[tuple[str, str]]:
    """Return (slug, code) pairs for the plain-Python baseline."""
    return [(c.slug, c.code) for c in concepts]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--format", choices=FORMATS + ("all", "json"), default="ours")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--trivial", action="store_true", help="a three-line snippet, no figure")
    args = parser.parse_args()
    concepts = make_corpus(args.n, args.trivial)
    if args.format == "json":
        args.out.write_text(json.dumps(snippets(concepts)))
    for fmt in FORMATS if args.format == "all" else (args.format,) if args.format in FORMATS else ():
        target = args.out / fmt if args.format == "all" else args.out
        write(concepts, fmt, target)
        print(f"wrote {args.n} concepts for {fmt} into {target}")


if __name__ == "__main__":
    main()
