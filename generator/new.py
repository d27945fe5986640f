"""``glossary new "Title"``: write a new entry from a template made from the entry schema.

Every placeholder the template writes contains ``TODO``; ``load`` reports each
one as an error at its line, so a scaffold cannot be merged unfinished.
"""

from __future__ import annotations

import json
import re
import sys

from .config import SiteConfig
from .diagnostics import UsageError
from .discover import discover, display_path
from .model import slugify
from .vocabulary import Vocabulary

BODY = '''
TODO: explain {title} in prose, in your own words. Inline math: $f(x)$. Link
other entries with `[[slug]]` or `[[slug|other text]]`.

```python
# This block runs when the site is built. Compute what the formula says and
# assert a property that would fail if the formula or the text were wrong.
# Figures left open are shown under the block (give each one a title).
import numpy as np

x = np.array([1.0, 2.0, 3.0])
y = x  # TODO compute the formula
assert y.shape == x.shape
print(y)
```
'''


def template(vocabulary: Vocabulary, title: str) -> str:
    """Return the text of a new entry: every field of the schema with a hint above it."""
    lines = ["---", "# Every TODO below is an error in 'glossary check' until you replace it."]
    for spec in vocabulary.fields:
        need = "required" if spec.required else "optional"
        if spec.kind == "road":
            roads = " | ".join(vocabulary.road_keys)
            lines += [f"# {spec.label} ({need}): {spec.hint}: {roads}",
                      f"{spec.key}: TODO one of {', '.join(vocabulary.road_keys)}"]
        elif spec.kind == "tex":
            lines += [f"# {spec.label} ({need}): {spec.hint}; grey out what to look past "
                      "with \\fade{...}", f"{spec.key}: |", "  \\text{TODO}"]
        elif spec.kind in ("list", "relation"):
            lines += [f"# {spec.label} ({need}): {spec.hint}", f"{spec.key}: []"]
        elif spec.kind in ("map", "params"):
            lines += [f"# {spec.label} ({need}): {spec.hint}", f"{spec.key}: {{}}"]
        elif spec.key == "title":
            lines.append(f"title: {title}")
        else:
            example = (spec.example or "TODO").replace("{title}", title)
            text = f"{spec.key}: >-\n  {example}" if spec.key == "abstraction" \
                else f"{spec.key}: {example}"
            lines += [f"# {spec.label} ({need}): {spec.hint}", text]
    lines.append("---")
    return "\n".join(lines) + "\n" + BODY.format(title=title)


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
    text = template(config.vocabulary,
                    clean_title if plain else json.dumps(clean_title, ensure_ascii=False))
    with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    print(f"wrote {display_path(path)}: replace every TODO, then run 'glossary check'",
          file=sys.stderr)
    return 0
