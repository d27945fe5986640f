"""Property-based fuzzing of `glossary check`: random and mutated entries never crash it.

Whatever the entries hold (broken front matter, markdown, TeX, wiki links, unicode,
NUL bytes, very long lines), ``check`` exits 0 or 1 with diagnostics only: never a
traceback, never a hang, never a position outside the file. Snippets are not run
(the worker is replaced by one that reports success), so each example costs one
KaTeX batch; the number of examples is bounded so the suite stays fast in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import generator.execute
from generator.cli import main

EXAMPLES = int(os.environ.get("GLOSSARY_FUZZ_EXAMPLES", "40"))
"""Examples per property in CI; set GLOSSARY_FUZZ_EXAMPLES=2000 for a long local hunt."""
HANG = 60  # seconds: one check taking longer than this is a hang

VALID = """---
title: Attention weights
chunk: softmax over scores
abstraction: >-
  For the current decoder step, how much each encoder state matters.
formula: |
  \\alpha_{ts} = \\chunk{softmax}{\\frac{\\exp(s_t)}{\\sum_{s'} \\exp(s_{s'})}}
road: chunking
aliases: [alignment weights]
tags: [attention]
uses: [softmax]
see_also: [softmax]
---

Prose with $e^{z_i}$ and $$\\sum_j w_j = 1$$ and [[softmax]] or [[softmax|the softmax]].

```python
print(1)
```
"""
SOFTMAX = VALID.replace("title: Attention weights", "title: Softmax").replace(
    "uses: [softmax]", "uses: []").replace("see_also: [softmax]", "see_also: []").replace(
    "\\chunk{softmax}", "").replace("[[softmax]] or [[softmax|the softmax]]", "words")

FRAGMENTS = ["---", "\n---\n", "```python\n", "```\n", "$", "$$", "\\frac{", "}", "{", "\\chunk{",
             "\\chunk{softmax}{", "\\fade{", "[[", "]]", "[[|]]", "|", "\\", "\\href{javascript:x}{y}",
             "\x00", "\r", "\r\n", "\ufeff", "\t", ": ", "- ", "&a ", "*a", "!!python/object:os.system",
             "{", "[", "'", '"', "\u202e", "\U0001F600", "é", "\\begin{matrix}", "\\end{pmatrix}",
             "x" * 20_000, "\n" * 50, "title: again\n", "unknown_key: 1\n", "formula: \n", "#", "<script>"]


def mutate(text: str, edits: list[tuple[int, int, int, str]]) -> str:
    for kind, where, length, fragment in edits:
        at = where % (len(text) + 1)
        if kind == 0:
            text = text[:at] + fragment + text[at:]
        elif kind == 1:
            text = text[:at] + text[at + length % 40:]
        else:
            text = text[:at] + fragment + text[at + length % 40:]
    return text


edits = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10_000), st.integers(0, 1000),
                           st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30))),
                 min_size=1, max_size=8)
mutated = st.builds(mutate, st.just(VALID), edits)
random_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=2000)
random_front = st.builds(lambda body: f"---\n{body}\n---\n\n```python\nx = 1\n```\n", random_text)


@pytest.fixture(scope="module")
def workdir():
    folder = Path(tempfile.mkdtemp(prefix="glossary-fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def no_snippet_runs(monkeypatch):
    def succeed(entries, config, progress, worker=None):
        for entry in entries:
            yield entry, {"status": "ok", "blocks": []}
    monkeypatch.setattr(generator.execute, "_run_in_worker", succeed)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang(f"glossary check took more than {HANG} s")


def check(workdir: Path, files: dict[str, bytes], capsys, monkeypatch) -> None:
    """Run ``glossary check --json`` on ``files`` and assert the properties."""
    shutil.rmtree(workdir / "entries", ignore_errors=True)
    (workdir / "entries").mkdir()
    for name, data in files.items():
        (workdir / "entries" / name).write_bytes(data)
    monkeypatch.chdir(workdir)
    capsys.readouterr()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG)
    try:
        code = main(["check", "--json", "--no-cache"])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    out, err = capsys.readouterr()
    assert code in (0, 1), (code, err)
    assert "Traceback" not in err
    report = json.loads(out)  # stdout is one JSON object, nothing else
    lines = {f"entries/{name}": data.decode("utf-8", "replace").lstrip("\ufeff")
             .replace("\r\n", "\n").replace("\r", "\n").split("\n")
             for name, data in files.items()}
    for d in report["diagnostics"]:
        assert d["severity"] in ("error", "warning", "note")
        assert d["message"].strip(), d
        if d["path"] not in lines:
            assert d["path"] in ("entries", "macros.tex"), d
            continue
        text = lines[d["path"]]
        assert 1 <= d["line"] <= len(text), d
        if d.get("col"):
            assert 1 <= d["col"] <= len(text[d["line"] - 1]) + 1, (d, text[d["line"] - 1][:200])
    if code == 0:
        assert not [d for d in report["diagnostics"] if d["severity"] == "error"]


FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize=os.environ.get("GLOSSARY_FUZZ_EXAMPLES") is None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.large_base_example, HealthCheck.data_too_large])


@pytest.mark.slow
@FUZZ
@given(text=mutated)
def test_mutated_entries_give_diagnostics_only(workdir, capsys, monkeypatch, text):
    check(workdir, {"attention-weights.md": text.encode("utf-8"),
                    "softmax.md": SOFTMAX.encode("utf-8")}, capsys, monkeypatch)


@pytest.mark.slow
@FUZZ
@given(text=st.one_of(random_text, random_front))
def test_random_entries_give_diagnostics_only(workdir, capsys, monkeypatch, text):
    check(workdir, {"random.md": text.encode("utf-8"), "softmax.md": SOFTMAX.encode("utf-8")},
          capsys, monkeypatch)


@pytest.mark.slow
@FUZZ
@given(data=st.binary(max_size=600), prefix=st.sampled_from([b"", VALID.encode()[:200]]))
def test_random_bytes_give_diagnostics_only(workdir, capsys, monkeypatch, data, prefix):
    check(workdir, {"bytes.md": prefix + data}, capsys, monkeypatch)


def test_the_valid_base_entry_passes(workdir, capsys, monkeypatch):
    check(workdir, {"attention-weights.md": VALID.encode(), "softmax.md": SOFTMAX.encode()},
          capsys, monkeypatch)
    assert json.loads("{}") == {}
