"""SourceText: a file's text and the one place where offsets become ``line:col``.

Every stage that reports a position inside a file (front matter keys and list
items, TeX tokens, wiki links, the shared macros, a byte that is not UTF-8) asks
the file's ``SourceText``; nobody adds line numbers by hand.
"""

from __future__ import annotations

import bisect
import re

from .diagnostics import SourcePos


class SourceText:
    """A file's text (as shown in diagnostics by ``path``) with offset arithmetic."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __repr__(self) -> str:
        return f"SourceText({self.path!r}, {len(self.text)} chars)"

    def line_col(self, offset: int) -> tuple[int, int]:
        """Return the 1-based (line, column) of character ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return line + 1, offset - self._line_starts[line] + 1

    def pos(self, offset: int) -> SourcePos:
        """Return the diagnostic position of character ``offset``."""
        return SourcePos(self.path, *self.line_col(offset))

    def line_pos(self, line: int) -> SourcePos:
        """Return a position naming a whole line (no column)."""
        return SourcePos(self.path, line)

    def start(self) -> SourcePos:
        return SourcePos(self.path, 1, 1)

    def line_offset(self, line: int) -> int:
        """Return the offset of the start of 1-based ``line`` (clamped to the file)."""
        return self._line_starts[min(max(line, 1), len(self._line_starts)) - 1]

    def line_of(self, offset: int) -> int:
        return self.line_col(offset)[0]

    def align(self, value: str, start: int) -> tuple[int, ...]:
        """Return the file offset of each character of ``value``, searching from ``start``.

        ``value`` is text as a parser returned it: YAML block scalars lose their
        indentation and folded ones turn newlines into spaces, so characters are
        matched greedily and whitespace matches any whitespace.
        """
        text, j, offsets = self.text, max(start, 0), []
        for char in value:
            probe = j
            while probe < len(text) and text[probe] != char and not (
                    char.isspace() and text[probe].isspace()):
                probe += 1
            if probe < len(text):
                j = probe
            offsets.append(min(j, max(len(text) - 1, 0)))
            j += 1
        return tuple(offsets)
