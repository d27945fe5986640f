"""pytest plugin: ``pytest entries/`` collects each entry as a test that runs its snippets.

The snippets run exactly as in ``glossary build`` (same worker, limits and cache);
all collected entries run in one batch, so the warm worker starts once.
Only ``*.md`` files inside the configured entries folder are collected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .config import load_config, replace
from .diagnostics import Reporter
from .execute import execute
from .load import load_entry
from .markdown import make_md


def pytest_addoption(parser):
    group = parser.getgroup("glossary")
    group.addoption("--glossary-no-cache", action="store_true",
                    help="run every entry's snippets even if cached results exist")


_ENTRIES_DIR = pytest.StashKey[Path]()


def _entries_dir(config) -> Path:
    """Return the configured entries folder, reading pyproject.toml once per session."""
    if _ENTRIES_DIR not in config.stash:
        site = load_config(Path(config.rootpath))
        config.stash[_ENTRIES_DIR] = site.resolve(site.entries).resolve()
    return config.stash[_ENTRIES_DIR]


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md":
        return None
    try:
        file_path.resolve().relative_to(_entries_dir(parent.config))
    except ValueError:
        return None
    return EntryFile.from_parent(parent, path=file_path)


class EntryFailed(Exception):
    """The entry has errors; their text is the test's failure report."""


class EntryFile(pytest.File):
    def collect(self):
        yield EntryItem.from_parent(self, name=self.path.stem)


class EntryItem(pytest.Item):
    def runtest(self) -> None:
        outcomes = self.session.stash.setdefault(_OUTCOMES, {})
        if self.nodeid not in outcomes:
            outcomes.update(_run_batch(self.session, self.config))
        failure = outcomes.get(self.nodeid)
        if failure:
            raise EntryFailed(failure)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, EntryFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"glossary entry {self.name}"


_OUTCOMES = pytest.StashKey[dict]()


def _run_batch(session, config) -> dict[str, str]:
    """Load and run every collected entry; return nodeid -> failure text ('' if it passed)."""
    site = load_config(Path(config.rootpath))
    if config.getoption("glossary_no_cache"):
        site = replace(site, use_cache=False)
    entries_dir = site.resolve(site.entries)
    md = make_md()
    items = [item for item in session.items if isinstance(item, EntryItem)]
    reporters, loaded = {}, {}
    for item in items:
        reporter = Reporter()
        entry = load_entry(item.path, entries_dir, md, reporter)
        reporters[item.nodeid] = reporter
        if entry is not None:
            loaded[item.nodeid] = entry
    if loaded:
        shared = Reporter()
        execute(list(loaded.values()), site, shared)
        for nodeid, entry in loaded.items():
            reporters[nodeid].diagnostics += [d for d in shared.diagnostics if d.pos.path == entry.path]
    return {nodeid: "\n".join(d.format() for d in r.sorted() if d.severity == "error")
            for nodeid, r in reporters.items()}
