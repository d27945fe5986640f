"""The pull-request summary: which pages the changed entries became.

``python -m generator.ci_summary BASE_REF`` prints a markdown list for
``$GITHUB_STEP_SUMMARY``: one line per entry file changed since ``BASE_REF``,
with the page it builds in the uploaded site preview (or "removed").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .config import load_config


def changed_entries(base: str, root: Path, entries: Path) -> list[tuple[str, str]]:
    """Return (status letter, path) of every entry file that differs from ``base``."""
    folder = entries.relative_to(root).as_posix() if entries.is_absolute() else entries.as_posix()
    proc = subprocess.run(["git", "diff", "--name-status", "--no-renames", f"{base}...HEAD", "--",
                           f"{folder}/"], cwd=root, capture_output=True, text=True, check=True)
    rows = [line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line]
    return sorted((status[:1], path) for status, path in rows if path.endswith(".md"))


def summary(changes: list[tuple[str, str]]) -> str:
    if not changes:
        return "### Glossary preview\n\nNo entry changed in this pull request.\n"
    lines = ["### Glossary preview", "",
             "Download the `site-preview` artifact and open these pages:", ""]
    for status, path in changes:
        page = f"concepts/{Path(path).stem}.html"
        what = {"A": "new", "D": "removed", "M": "changed"}.get(status, "changed")
        lines.append(f"- `{path}` ({what})" + ("" if status == "D" else f": `{page}`"))
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m generator.ci_summary BASE_REF", file=sys.stderr)
        return 2
    config = load_config(Path.cwd())
    print(summary(changed_entries(argv[0], config.root, config.entries)), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
