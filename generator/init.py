"""``glossary init``: a starter project in the current folder, for any field.

Writes the ``[tool.glossary]`` section, two linked example entries, a shared
macro file, a CI workflow that checks pull requests, and a .gitignore. Never
overwrites a file; a pyproject.toml that exists gets the section appended.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .diagnostics import UsageError

SECTION = '''
[tool.glossary]
title = "{title}"
subject = "{subject}"
entries = "entries"
out = "site"
# base_url = "https://example.org/glossary/"   # enables canonical URLs and sitemap.xml
# repo_url = "https://github.com/you/glossary" # enables "Edit this page"
# theme_dir = "theme"                          # theme/templates/*.html, theme/static/* override ours
'''

ENTRIES = {
    "entries/mean.md": '''---
title: Mean
chunk: the average
abstraction: >-
  The value every item would have if the total were shared out equally.
action: Summarises many numbers by one.
formula: |
  \\bar x = \\frac{1}{n} \\sum_{i=1}^{n} x_i
road: abstraction
aliases: [average, arithmetic mean]
tags: [statistics]
symbols: {"\\\\bar x": mean, "n": number of items}
---

Add the items, divide by how many there are. The [[variance]] measures how far
the items stray from it.

```python
import numpy as np

x = np.array([2.0, 4.0, 9.0])
mean = x.sum() / len(x)
assert np.isclose(mean, np.mean(x))
assert np.isclose((x - mean).sum(), 0.0)   # the deviations cancel out
print(mean)
```
''',
    "entries/variance.md": '''---
title: Variance
chunk: mean squared deviation
abstraction: >-
  How far, on average, the items lie from their mean, measured in squared units.
action: Turns a spread of numbers into one number.
formula: |
  s^2 = \\frac{1}{n} \\sum_{i=1}^{n} (x_i - \\chunk{mean}{\\bar x})^2
road: chunking
tags: [statistics]
uses: [mean]
symbols: {"s^2": variance, "\\\\bar x": mean, "n": number of items}
---

Inside the formula sits a [[mean]]: spot it, and the rest reads as "square the
distances to it and average them".

```python
import numpy as np
import matplotlib.pyplot as plt

x = np.array([2.0, 4.0, 9.0])
variance = ((x - x.mean()) ** 2).mean()
assert np.isclose(variance, np.var(x))
assert np.isclose(variance, (x ** 2).mean() - x.mean() ** 2)   # a second way

fig, ax = plt.subplots(figsize=(4, 2.5))
ax.scatter(x, np.zeros_like(x))
ax.axvline(x.mean(), linestyle="--")
ax.set_title("Items and their mean")
```
''',
}

MACROS = "% Shared TeX macros for every formula; each \\newcommand is checked once per build.\n" \
         "\\newcommand{\\vect}[1]{\\mathbf{#1}}\n"

WORKFLOW = '''# Checks every pull request: every entry loads, every snippet runs and passes.
# It runs contributors' code: read-only permissions, no secrets, never pull_request_target.
name: glossary
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  check:
    runs-on: ubuntu-24.04
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install concept-glossary
      - run: glossary build --out site
      - uses: actions/upload-artifact@v4
        with:
          name: site-preview
          path: site
'''

GITIGNORE = "/site/\n.glossary-cache/\n"


def init_project(folder: Path, title: str | None, subject: str | None) -> int:
    """Write the starter files into ``folder``; refuse when an entry folder already exists."""
    if (folder / "entries").exists():
        raise UsageError("error: 'entries' already exists here; this folder already holds a "
                         "glossary (run 'glossary new \"Title\"' to add an entry)")
    title = title or "Concept Glossary"
    subject = subject or "statistics"
    for text in (title, subject):
        if '"' in text or "\\" in text or "\n" in text:
            raise UsageError('error: --title and --subject cannot contain quotes or backslashes')
    written = []
    pyproject = folder / "pyproject.toml"
    section = SECTION.format(title=title, subject=subject)
    if pyproject.exists():
        if "[tool.glossary]" in pyproject.read_text("utf-8"):
            raise UsageError("error: pyproject.toml already has a [tool.glossary] section")
        with pyproject.open("a", encoding="utf-8") as handle:
            handle.write(section)
    else:
        pyproject.write_text(section.lstrip(), "utf-8")
    written.append("pyproject.toml")
    files = {**ENTRIES, "macros.tex": MACROS, ".github/workflows/glossary.yml": WORKFLOW,
             ".gitignore": GITIGNORE}
    for name, text in files.items():
        path = folder / name
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        written.append(name)
    print("wrote " + ", ".join(written) + "\nnext: 'glossary build', then open site/index.html",
          file=sys.stderr)
    return 0
