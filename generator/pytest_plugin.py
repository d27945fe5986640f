"""pytest plugin: ``pytest entries/`` collects each entry as a test that runs its snippets.

The snippets run exactly as in ``glossary build``: the same stages, stopped
after ``execute`` (same worker, limits and cache); all collected entries run in
one batch, so the warm worker starts once. Only ``*.md`` files inside the
configured entries folder of a project with a ``[tool.glossary]`` section are
collected: other projects in the same environment are left alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .build import build
from .config import load_config, replace
from .diagnostics import BuildFailed, Reporter, UsageError


def pytest_addoption(parser):
    group = parser.getgroup("glossary")
    group.addoption("--glossary-no-cache", action="store_true",
                    help="run every entry's snippets even if cached results exist")


_ENTRIES_DIR = pytest.StashKey["Path | None"]()


def _entries_dir(config) -> Path | None:
    """Return the glossary's entries folder (None outside a glossary project), read once."""
    if _ENTRIES_DIR not in config.stash:
        try:
            site = load_config(Path(config.rootpath))
        except UsageError:
            site = None
        config.stash[_ENTRIES_DIR] = (site.resolve(site.entries).resolve()
                                      if site is not None and site.has_section else None)
    return config.stash[_ENTRIES_DIR]


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".md":
        return None
    entries_dir = _entries_dir(parent.config)
    if entries_dir is None:
        return None
    try:
        file_path.resolve().relative_to(entries_dir)
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
    """Run the build's stages up to ``execute`` for the collected entries.

    Return nodeid -> failure text ('' if it passed): the errors of that entry's file.
    """
    site = load_config(Path(config.rootpath))
    if config.getoption("glossary_no_cache"):
        site = replace(site, use_cache=False)
    items = [item for item in session.items if isinstance(item, EntryItem)]
    reporter = Reporter()
    try:
        build(site, reporter, until="execute", only={item.path.resolve() for item in items})
    except BuildFailed:
        pass  # the errors are in the reporter, each tied to its file
    outcomes = {}
    for item in items:
        shown = item.path.resolve()
        errors = [d.format() for d in reporter.sorted()
                  if d.severity == "error" and Path(d.pos.path).resolve() == shown]
        outcomes[item.nodeid] = "\n".join(errors)
    return outcomes
