"""Take the action home: an entry's code as a ``.py`` that runs on its own, or a notebook.

The script holds what the build ran: the code of every entry it imports
(transitively) run as the module ``glossary.entries.<name>`` the way the snippet
worker runs it (fresh module, its prints dropped), the parameters' default
values, then the entry's blocks in order. Plain ``python file.py`` runs it and
checks its asserts. The notebook (nbformat 4) has the same code, one cell per
block, with the entry's prose between them.
"""

from __future__ import annotations

import re

from . import sweeps
from .code_imports import module_name
from .links import Glossary
from .model import Entry, Snippet

# The first two lines stay fixed: python reads a "coding:" in them as the file's encoding.
HEADER = """\
# The code of a glossary entry, runnable on its own.
#
# {title}
#
{abstraction}
#
# Run it with plain python (numpy and matplotlib installed); every assert is a claim
# the entry makes. Generated from {path}.
"""

LOADER = '''\
import contextlib
import io
import sys
import types


def _entry_module(name, source, params):
    """Run another entry's code as the module glossary.entries.<name>, its prints dropped."""
    for package in ("glossary", "glossary.entries"):
        if package not in sys.modules:
            sys.modules[package] = types.ModuleType(package)
            sys.modules[package].__path__ = []
    module = types.ModuleType(f"glossary.entries.{name}")
    module.__dict__.update(params)
    sys.modules[module.__name__] = module
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(source, f"<entry {name}>", "exec"), module.__dict__)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    return module

'''


def script_name(entry: Entry, snippet: Snippet | None = None) -> str:
    """Return the download's path: the whole entry, or the entry up to one block."""
    if snippet is None or snippet.index == entry.executed[-1].index:
        return f"downloads/{entry.slug}.py"
    return f"downloads/{entry.slug}-{snippet.index + 1}.py"


def notebook_name(entry: Entry) -> str:
    return f"downloads/{entry.slug}.ipynb"


def script(glossary: Glossary, entry: Entry, upto: Snippet | None = None) -> str:
    """Return the entry's code, up to and including block ``upto``, as a standalone script."""
    abstraction = "\n".join(f"# {line}" for line in _wrap(entry.abstraction).splitlines())
    parts = [HEADER.format(title=entry.title, abstraction=abstraction, path=entry.rel_path)]
    setup = _setup(glossary, entry)
    if setup:
        parts.append(setup)
    for snippet in entry.executed:
        parts.append(f"# --- block {snippet.index + 1} (line {snippet.line} of the entry) ---\n"
                     f"{snippet.code.rstrip()}\n")
        if upto is not None and snippet.index == upto.index:
            break
    return "\n".join(parts)


def notebook(glossary: Glossary, entry: Entry) -> bytes:
    """Return the entry as a Jupyter notebook: its prose and code, one cell per block."""
    import nbformat  # 0.25 s to import: only when a notebook is not in the cache

    cells = [nbformat.v4.new_markdown_cell(f"# {entry.title}\n\n{entry.abstraction}")]
    setup = _setup(glossary, entry)
    if setup:
        cells.append(nbformat.v4.new_code_cell(setup.rstrip()))
    lines = entry.source.text.splitlines()
    start = _body_start(entry)
    for snippet in entry.executed:
        prose = _prose("\n".join(lines[start:snippet.line - 2]))
        if prose:
            cells.append(nbformat.v4.new_markdown_cell(prose))
        cells.append(nbformat.v4.new_code_cell(snippet.code.rstrip()))
        start = snippet.line + snippet.code.count("\n")  # the line after the closing fence
    prose = _prose("\n".join(lines[start:]))
    if prose:
        cells.append(nbformat.v4.new_markdown_cell(prose))
    book = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"}})
    for number, cell in enumerate(book.cells):
        cell["id"] = f"{entry.slug}-{number}"  # stable ids: byte-identical rebuilds
    nbformat.validate(book)
    return (nbformat.writes(book) + "\n").encode("utf-8")


def _setup(glossary: Glossary, entry: Entry) -> str:
    """Return the imported entries' modules and the parameters' defaults, or ``""``."""
    parts = []
    dependencies = glossary.code_dependencies(entry.slug) or []
    if dependencies:
        parts.append(LOADER)
        for dep in dependencies:
            code = "\n".join(s.code.rstrip() for s in dep.executed)
            params = sweeps.values_of(dep.params, sweeps.default_combination(dep.params))
            parts.append(f"# the code of the entry '{dep.title}' ({dep.rel_path})\n"
                         f"_entry_module({module_name(dep.slug)!r}, {_literal(code)}, "
                         f"{params!r})\n")
    if entry.params:
        lines = ["# parameters: the page's controls; change them and run again"]
        for param in entry.params:
            default = param.values[param.default]
            others = ", ".join(sweeps.show(v) for v in param.values)
            lines.append(f"{param.name} = {default!r}  # the page tries {others}")
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


def _literal(code: str) -> str:
    """Return a python literal of ``code``, readable as code when it can be."""
    if "'''" not in code and not code.endswith("\\"):
        return f"r'''\n{code}\n'''"
    return repr(code)


def _body_start(entry: Entry) -> int:
    """Return the 0-based line after the front matter's closing ``---``."""
    lines = entry.source.text.splitlines()
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() == "---":
            return number + 1
    return 0


_WIKILINK = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")


def _prose(text: str) -> str:
    """Return markdown for a notebook cell: wiki links become their text."""
    text = _WIKILINK.sub(lambda m: m.group(2) or m.group(1), text)
    return text.strip()


def _wrap(text: str, width: int = 88) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return "\n".join(lines)
