"""Diagnostics: the one place that formats and collects user-facing errors.

Stages never print. They call ``reporter.error(pos, message)`` and go on, so a
build reports every problem of every file at once, sorted by file and line.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from typing import IO, Iterable


@dataclass(frozen=True, order=True)
class SourcePos:
    """A place in a source file; ``line`` and ``col`` are 1-based, 0 means unknown."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        text = self.path
        if self.line:
            text += f":{self.line}"
            if self.col:
                text += f":{self.col}"
        return text


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the input, with where it is and how bad."""

    pos: SourcePos
    severity: str  # "error" | "warning" | "note"
    message: str
    detail: str = ""
    """Extra lines shown under the message (a trimmed traceback, KaTeX's text)."""

    def format(self) -> str:
        """Return the compiler-style text: ``path:line:col: severity: message``."""
        text = f"{self.pos}: {self.severity}: {self.message}"
        if self.detail:
            text += "\n" + "\n".join("    " + line for line in self.detail.rstrip().splitlines())
        return text

    def as_dict(self) -> dict:
        """Return the JSON form used by ``--json``."""
        data = {
            "path": self.pos.path,
            "line": self.pos.line,
            "col": self.pos.col,
            "severity": self.severity,
            "message": self.message,
        }
        if self.detail:
            data["detail"] = self.detail
        return data


@dataclass
class Reporter:
    """Collect diagnostics from every stage; the build fails once, at the end of a stage."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def error(self, pos: SourcePos, message: str, detail: str = "") -> None:
        self.diagnostics.append(Diagnostic(pos, "error", message, detail))

    def warning(self, pos: SourcePos, message: str, detail: str = "") -> None:
        self.diagnostics.append(Diagnostic(pos, "warning", message, detail))

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    def sorted(self) -> list[Diagnostic]:
        """Return the diagnostics sorted by file, line and column, duplicates dropped."""
        unique = dict.fromkeys(self.diagnostics)
        return sorted(unique, key=lambda d: (d.pos.path, d.pos.line, d.pos.col, d.message))


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream: IO[str]) -> None:
    """Print diagnostics for people, and as workflow annotations under GitHub Actions.

    The annotations (``::error file=...,line=...,col=...::message``) put every
    error on the pull request's diff, next to the line it is about.
    """
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=stream)
        if annotate and diagnostic.severity in ("error", "warning"):
            print(annotation(diagnostic), file=stream)
    stream.flush()


def annotation(diagnostic: Diagnostic) -> str:
    """Return the GitHub Actions workflow command for one diagnostic."""
    pos = diagnostic.pos
    props = [f"file={_escape(pos.path, True)}"]
    if pos.line:
        props.append(f"line={pos.line}")
    if pos.col:
        props.append(f"col={pos.col}")
    message = diagnostic.message + (f"\n{diagnostic.detail}" if diagnostic.detail else "")
    return f"::{diagnostic.severity} {','.join(props)}::{_escape(message)}"


def _escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


class BuildFailed(Exception):
    """Content errors were reported; the build stops after the current stage."""

    def __init__(self, errors: int, result=None):
        super().__init__(f"{errors} error(s)")
        self.errors = errors
        self.result = result
        """The BuildResult as far as the build got."""


class UsageError(Exception):
    """The command line or configuration is wrong (exit status 2)."""


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    matches = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""
