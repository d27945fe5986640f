"""Downloads (issue 14): standalone .py per executed block, a notebook per entry."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat

from conftest import entry, soup, write_entries

FIRST = "import numpy as np\nfrom glossary.entries.base import double\nx = double(np.arange(3))"
SECOND = "assert list(x) == [0, 2, 4]\nprint('checked', gain)"


def project(tmp_path):
    base = entry("base", body="The base.", code="def double(v):\n    return 2 * v\nprint('noise')")
    write_entries(tmp_path, dict([base, ("entries/user.md", f"""\
---
title: "User encoding: utf-99"
chunk: user chunk
abstraction: Uses the base code.
formula: x
uses: [base]
params: {{gain: [1, 2]}}
---

First the [[base|doubling]].

```python
{FIRST}
```

Then the check.

```python
{SECOND}
```

The end.
""")]))
    run = subprocess.run([sys.executable, "-m", "generator", "build", "--jobs", "1"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return tmp_path / "site"


def run_plain(path, cwd):
    return subprocess.run([sys.executable, "-I", str(path)], cwd=cwd, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"})


def test_each_block_downloads_as_a_script_that_runs_alone(tmp_path):
    site = project(tmp_path / "p")
    whole, first = site / "downloads/user.py", site / "downloads/user-1.py"
    assert "gain = 1  # the page tries 1, 2" in whole.read_text()
    assert "# User encoding: utf-99" in whole.read_text().splitlines()[2]   # not a coding line
    assert "print('checked'" not in first.read_text()             # up to block 1 only
    assert run_plain(first, tmp_path).returncode == 0
    run = run_plain(whole, tmp_path)
    assert (run.returncode, run.stdout) == (0, "checked 1\n")      # base's print dropped
    page = soup(site / "concepts/user.html")
    hrefs = [a["href"] for a in page.select(".snippet-label a.download")]
    assert hrefs == ["../downloads/user-1.py", "../downloads/user.py", "../downloads/user.ipynb"]
    assert all((site / "concepts" / h).is_file() for h in hrefs)


def test_the_notebook_is_valid_and_runs_cell_by_cell(tmp_path):
    site = project(tmp_path / "p")
    book = nbformat.read(site / "downloads/user.ipynb", as_version=4)
    nbformat.validate(book)
    kinds = [cell.cell_type for cell in book.cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown", "code", "markdown"]
    assert book.cells[2].source == "First the doubling."
    assert book.cells[3].source == FIRST
    code = "\n".join(cell.source for cell in book.cells if cell.cell_type == "code")
    (tmp_path / "cells.py").write_text(code)
    run = run_plain(tmp_path / "cells.py", tmp_path)
    assert (run.returncode, run.stdout) == (0, "checked 1\n"), run.stderr
    again = (site / "downloads/user.ipynb").read_bytes()
    assert json.loads(again)["nbformat"] == 4
