"""SiteConfig: defaults, then ``[tool.glossary]`` in pyproject.toml, then the command line."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import UsageError, did_you_mean
from .vocabulary import Vocabulary, VocabularyError, extend


@dataclass(frozen=True)
class SiteConfig:
    """Everything a build needs to know besides the entries themselves."""

    root: Path = Path(".")
    """Project folder: where pyproject.toml is; relative paths below start here."""
    title: str = "Concept Glossary of Deep Learning"
    description: str = "Deep-learning concepts as words, named chunks and actions."
    subject: str = "deep learning"
    """The field the glossary covers, as the templates say it ("concepts of deep learning")."""
    base_url: str = ""
    """Public URL of the site (``https://example.org/glossary/``); enables sitemap.xml."""
    repo_url: str = ""
    """Repository URL for "edit this page" (``https://github.com/org/repo``)."""
    repo_branch: str = "main"
    entries: Path = Path("entries")
    out: Path = Path("site")
    cache_dir: Path = Path(".glossary-cache")
    cache_keep_days: int = 30
    """Cached values no build has used for this many days are deleted (0: never)."""
    macros: Path = Path("macros.tex")
    theme_dir: Path | None = None
    """Folder with ``templates/`` and ``static/`` that override the built-in ones."""
    timeout: float = 60.0
    """Wall-clock seconds one entry's snippets may take together."""
    memory: int = 2048
    """Memory limit for one entry's snippets, in MB."""
    jobs: int = 0
    """Entries run in parallel; 0 means one per CPU."""
    use_cache: bool = True
    isolation: str = "fork"
    """``fork`` (warm worker) or ``spawn`` (fresh interpreter per entry)."""
    vocabulary: Vocabulary = Vocabulary()
    """Relation kinds, roads and entry fields, extended from ``[tool.glossary]``."""
    formats: tuple[str, ...] = ("html",)
    """Outputs to write: ``html`` (the site), ``json``, ``anki``."""
    warnings: tuple[str, ...] = ()
    """Problems in ``[tool.glossary]`` that do not stop a build (unknown keys)."""
    has_section: bool = False
    """pyproject.toml has a ``[tool.glossary]`` section (the pytest plugin collects only then)."""

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    def resolve(self, path: Path) -> Path:
        """Return ``path`` made absolute against the project folder."""
        return path if path.is_absolute() else self.root / path


_FILE_KEYS = {
    "title": str, "description": str, "subject": str, "base_url": str, "repo_url": str,
    "repo_branch": str, "entries": Path, "out": Path, "cache_dir": Path, "cache_keep_days": int,
    "macros": Path, "theme_dir": Path, "timeout": float, "memory": int, "jobs": int,
}
_TABLE_KEYS = ("relations", "roads", "fields")


def load_config(root: Path, overrides: dict | None = None) -> SiteConfig:
    """Read ``[tool.glossary]`` from ``root/pyproject.toml`` (if any) and apply overrides.

    Every problem in the table is collected and reported in one UsageError.
    """
    values: dict = {"root": root}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            tool = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{pyproject}: error: cannot read pyproject.toml: {exc}") from None
        table = tool.get("glossary")
        if isinstance(table, dict):
            values["has_section"] = True
            values.update(_check_table(table, pyproject))
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    config = SiteConfig(**values)
    if config.timeout <= 0 or config.memory < 64:
        raise UsageError("error: --timeout must be positive and --memory at least 64 MB")
    return config


def _check_table(table: dict, pyproject: Path) -> dict:
    errors, warnings, values = [], [], {}
    for key, value in table.items():
        if key in _TABLE_KEYS:
            continue
        kind = _FILE_KEYS.get(key)
        if kind is None:  # a newer generator's key, or a typo: say so, go on
            warnings.append(f"{pyproject.name}: warning: [tool.glossary] unknown key '{key}' is "
                            f"ignored{did_you_mean(key, (*_FILE_KEYS, *_TABLE_KEYS))}")
            continue
        expected = (int, float) if kind is float else (str if kind is Path else kind)
        if not isinstance(value, expected) or isinstance(value, bool):
            errors.append(f"'{key}' must be a {kind.__name__ if kind is not Path else 'path string'}")
            continue
        if key == "cache_keep_days" and value < 0:
            errors.append(f"'cache_keep_days' must be 0 (keep everything) or a number of days, "
                          f"not {value}")
            continue
        values[key] = kind(value)
    tables = {}
    for key in _TABLE_KEYS:
        tables[key] = table.get(key, {})
        if not isinstance(tables[key], dict):
            errors.append(f"'{key}' must be a table ([tool.glossary.{key}.NAME])")
            tables[key] = {}
    try:
        values["vocabulary"] = extend(Vocabulary(), tables["relations"], tables["roads"],
                                      tables["fields"])
    except VocabularyError as exc:
        errors.extend(str(exc).splitlines())
    if errors:
        raise UsageError("\n".join(f"{pyproject}: error: [tool.glossary] {e}" for e in errors))
    values["warnings"] = tuple(warnings)
    return values


def replace(config: SiteConfig, **changes) -> SiteConfig:
    """Return a copy of ``config`` with some fields changed."""
    return dataclasses.replace(config, **changes)
