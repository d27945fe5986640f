"""``glossary new "Title"``: write a new entry from a template that explains every field."""

from __future__ import annotations

import json
import re
import sys

from .config import SiteConfig
from .diagnostics import UsageError
from .discover import discover, display_path
from .model import slugify

TEMPLATE = '''---
title: {title}
# Chunk name: what a reader says when they spot this block inside a bigger formula.
chunk: TODO name of the block
# Abstraction: one or two plain sentences, no symbols: what is this, in words?
abstraction: >-
  TODO say what {title} is, in words.
# Action (optional): what it does, in one sentence.
action: TODO what it does.
# Formula: TeX for KaTeX. Wrap sub-expressions that are other entries in
# \\chunk{{slug}}{{...}}; grey out what the reader should look past with \\fade{{...}}.
formula: |
  y = f(x)
# Road (optional): abstraction | chunking | action
road: abstraction
# Other names that [[links]] may use (optional).
aliases: []
tags: []
# Relations, by slug or alias (optional): each shows on both pages.
uses: []         # concepts that appear inside this one
builds_on: []    # concepts this one extends or abstracts from
see_also: []
---

Explain {title} in prose. Inline math: $f(x)$. Link other entries: [[softmax]]
or [[softmax|a softmax]].

```python
# This block runs when the site is built. Compute what the formula says and
# assert a property, so the entry tests itself. Figures left open are shown.
import numpy as np

x = np.array([1.0, 2.0, 3.0])
y = x  # TODO compute the formula
assert y.shape == x.shape
print(y)
```
'''


def new_entry(config: SiteConfig, title: str) -> int:
    """Write ``entries/<slug>.md``; refuse to overwrite an entry of the same slug."""
    slug = slugify(title)
    if not slug or not title.strip():
        raise UsageError(f"error: cannot make a file name from the title {title!r}; "
                         "use letters or digits")
    entries_dir = config.resolve(config.entries)
    existing = [p for p in discover(entries_dir) if p.stem == slug] if entries_dir.is_dir() else []
    if existing:
        raise UsageError(f"error: an entry with slug '{slug}' already exists: "
                         f"{display_path(existing[0])}; edit it instead")
    entries_dir.mkdir(parents=True, exist_ok=True)
    path = entries_dir / f"{slug}.md"
    clean_title = " ".join(title.split())
    plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ()'-]*", clean_title)
    text = TEMPLATE.format(title=clean_title if plain else json.dumps(clean_title, ensure_ascii=False))
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    print(f"wrote {display_path(path)}: fill in the TODOs, then run 'glossary check'",
          file=sys.stderr)
    return 0
