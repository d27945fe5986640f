"""The glossary is written in our own words: no run of eight words in common with the essay.

The essay the glossary grows from lives beside the repository (``../shared/seed``);
where it is absent (a contributor's clone), the check is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed"
RUN = 8
"""Shortest run of consecutive words that counts as copied."""


def words(text: str) -> list[str]:
    """Return the lower-case words of ``text`` (apostrophes and hyphens split words)."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))


def shared_runs(text: str, source_runs: set[tuple[str, ...]], size: int = RUN) -> list[str]:
    """Return every run of ``size`` words of ``text`` that also appears in the source."""
    found = words(text)
    return [" ".join(found[i:i + size]) for i in range(len(found) - size + 1)
            if tuple(found[i:i + size]) in source_runs]


def runs_of(text: str, size: int = RUN) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[i:i + size]) for i in range(len(found) - size + 1)}


@pytest.mark.parametrize("text, expected", [
    ("One two three four five six seven eight nine", ["one two three four five six seven eight",
                                                      "two three four five six seven eight nine"]),
    ("one two three four five six seven", []),
    ("ONE two, three; four five-six seven eight", ["one two three four five six seven eight"]),
])
def test_shared_runs_finds_runs_of_eight_words(text, expected):
    source = runs_of("one two three four five six seven eight nine ten")
    assert shared_runs(text, source) == expected


def test_no_entry_shares_eight_words_with_the_essay():
    essays = sorted(SEED.glob("*.txt")) if SEED.is_dir() else []
    if not essays:
        pytest.skip(f"the seed essay is not beside the repository ({SEED})")
    source = set().union(*(runs_of(p.read_text("utf-8")) for p in essays))
    copied = {}
    for path in sorted((ROOT / "entries").rglob("*.md")):
        runs = shared_runs(path.read_text("utf-8"), source)
        if runs:
            copied[path.relative_to(ROOT).as_posix()] = runs
    assert not copied, copied
