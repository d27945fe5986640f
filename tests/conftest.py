"""Shared helpers: copy a fixture glossary into tmp_path and run the real CLI on it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.cli import main

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
BROWSER_MARKS = [pytest.mark.browser,
                 pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")]

HERE = Path(__file__).parent
SITES = HERE / "sites"
INVALID = HERE / "sites_invalid"
REPO = HERE.parent
# Subprocesses (`python -m generator ...`) must run this checkout's code, not whatever
# copy of the package the virtual environment has installed (another worktree's).
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(REPO), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))])


@pytest.fixture(autouse=True)
def no_thread_left_behind():
    """Fail a test that leaves a thread of its own running.

    A thread left blocked in a system call outlives its test: a later test's signal
    (SIGALRM in test_files and test_fuzz) interrupts the call, and it fails there, in
    someone else's test, as an unhandled thread exception.
    """
    before = set(threading.enumerate())
    yield
    started = [t for t in threading.enumerate() if t not in before]
    for thread in started:
        thread.join(timeout=1)  # one that is just returning
    left = [t.name for t in started if t.is_alive()]
    assert left == [], f"threads still running after the test: {left}"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict:
        return json.loads(self.stdout)

    @property
    def diagnostics(self) -> list[str]:
        """The diagnostic lines of stderr (the summary line and detail lines dropped)."""
        return [line for line in self.stderr.splitlines()
                if not line.startswith((" ", "glossary:")) and line.strip()]


@pytest.fixture
def glossary(monkeypatch, capsys):
    """Return ``run(project, *args)``: run ``glossary`` in ``project`` and capture its output."""
    def run(project: Path, *args: str) -> Run:
        monkeypatch.chdir(project)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err)
    return run


def copy_site(name: str, dest: Path) -> Path:
    """Copy ``tests/sites/<name>`` to ``dest`` and return the copy."""
    shutil.copytree(SITES / name, dest, ignore=shutil.ignore_patterns(".glossary-cache", "site"))
    return dest


def write_entries(root: Path, files: dict[str, str]) -> Path:
    """Write a throwaway glossary: ``{"entries/x.md": text}`` (dedented)."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return root


def entry(slug: str, body: str = "", code: str = "assert True", **front) -> tuple[str, str]:
    """Return (path, text) of a minimal valid entry with optional extra front matter."""
    meta = {"title": slug.replace("-", " ").title(), "chunk": f"{slug} chunk",
            "abstraction": f"What {slug} is.", "formula": "x", **front}
    lines = ["---", *(f"{k}: {v}" for k, v in meta.items()), "---", "", body, "",
             "```python", code, "```", ""]
    return f"entries/{slug}.md", "\n".join(lines)


def start_serve(project: Path) -> tuple[subprocess.Popen, str]:
    """Start ``glossary serve --port 0`` in ``project``; return it and its URL once it listens."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0"],
                              cwd=project, stderr=subprocess.PIPE, text=True, env=env)
    for line in server.stderr:
        found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", line)
        if found:
            return server, found.group(1)
    server.wait(timeout=10)
    raise AssertionError(f"glossary serve exited with {server.returncode} before listening")


@pytest.fixture(scope="session")
def shipped_build(tmp_path_factory) -> Path:
    """The shipped glossary, built once per test session; modules take copies of its site."""
    project = tmp_path_factory.mktemp("shipped-build")
    for name in ("entries", "macros.tex", "pyproject.toml"):
        source = HERE.parent / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, project / name)
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--json"], cwd=project,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return project / "site"


def copy_shipped(shipped_build: Path, dest: Path) -> Path:
    """Return a copy of the shipped site a test module may add files to."""
    return Path(shutil.copytree(shipped_build, dest / "site"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def axe_path() -> Path | None:
    """Return axe-core's script: ``$AXE_CORE``, else the pinned one ``npm ci`` installed."""
    for candidate in (os.environ.get("AXE_CORE", ""),
                      HERE.parent / "node_modules/axe-core/axe.min.js"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def browser():
    """One headless Debian chromium (driven by Playwright) for every browser test."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
