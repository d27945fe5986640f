"""The generator is installable for any field: a wheel in a fresh venv, in an empty folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import soup

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_inits_and_builds_a_glossary(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT / "generator", source / "generator",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    assert (source / "generator/vendor/katex/dist/katex.min.js").is_file(), "run make setup"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(source)], check=True)
    wheel = next((tmp_path / "dist").glob("concept_glossary-*.whl"))

    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    subprocess.run([fresh / "bin/pip", "install", "-q", str(wheel)], check=True)
    project = tmp_path / "my-glossary"
    project.mkdir()
    env = {"PATH": f"{fresh / 'bin'}:/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path),
           "LANG": "C.UTF-8"}
    run = lambda *args: subprocess.run([fresh / "bin/glossary", *args], cwd=project, env=env,
                                       capture_output=True, text=True)
    init = run("init", "--title", "Glossary of Statistics", "--subject", "statistics")
    assert init.returncode == 0, init.stderr
    assert (project / ".github/workflows/glossary.yml").is_file()
    built = run("build")
    assert built.returncode == 0, built.stderr
    site = project / "site"
    variance = soup(site / "concepts/variance.html")
    assert variance.select_one(".formula a.chunk")["href"] == "../concepts/mean.html"
    assert "concepts of statistics" in soup(site / "index.html").get_text()
    assert (site / "static/katex/katex.min.css").is_file() and (site / "static/minisearch.js").is_file()
    assert not (project / "node_modules").exists()
    again = run("init")
    assert again.returncode == 2 and "already holds a glossary" in again.stderr
