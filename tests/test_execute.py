"""Snippet execution: isolation, limits, errors at markdown lines, cache counts."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time

import pytest

from conftest import entry, soup, write_entries


def test_hang_is_stopped_by_timeout_and_others_still_run(tmp_path, glossary):
    write_entries(tmp_path, dict([
        entry("hang", code="import time\nprint('starting')\nwhile True:\n    time.sleep(0.01)"),
        entry("fine", code="print('fine ran')"),
    ]))
    started = time.monotonic()
    run = glossary(tmp_path, "build", "--timeout", "2", "--json")
    assert time.monotonic() - started < 30
    assert run.code == 1
    errors = [d for d in run.report["diagnostics"] if d["severity"] == "error"]
    assert len(errors) == 1
    assert errors[0]["path"] == "entries/hang.md" and errors[0]["line"] == 11
    assert errors[0]["message"].startswith("timed out after 2 s")
    assert run.report["snippets"]["run"] == 2


def test_memory_hog_is_stopped_and_the_machine_stays_healthy(tmp_path, glossary):
    # Bounded (1.5 GB), so that without the limit the test fails instead of taking the machine.
    hog = "chunks = []\nfor _ in range(30):\n    chunks.append(bytearray(50 * 1024 * 1024))"
    write_entries(tmp_path, dict([entry("hog", code=hog), entry("fine")]))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    run = glossary(tmp_path, "build", "--memory", "600", "--json")
    assert run.code == 1
    errors = [d for d in run.report["diagnostics"] if d["severity"] == "error"]
    assert [(e["path"], e["line"]) for e in errors] == [("entries/hog.md", 13)]
    assert "memory limit" in errors[0]["message"] and "MemoryError" in errors[0]["message"]
    # The generator itself never held the hog's memory.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 600 * 1024
    # Nor did any snippet process: the largest one stayed under the limit.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss <= max(before, 650 * 1024)


def test_exception_is_reported_at_its_markdown_line_with_trimmed_traceback(tmp_path, glossary):
    code = "x = 1\ny = 0\nprint(x / y)"
    write_entries(tmp_path, dict([entry("div", code=code)]))
    run = glossary(tmp_path, "build")
    assert "entries/div.md:13: error: ZeroDivisionError: division by zero" in run.diagnostics
    assert 'File "entries/div.md", line 13' in run.stderr
    assert "snippet_worker" not in run.stderr  # our own frames are trimmed


def test_parent_environment_is_invisible_to_snippets(tmp_path, glossary, monkeypatch):
    monkeypatch.setenv("GLOSSARY_TEST_TOKEN", "s3cret")
    code = ("import os\nassert 'GLOSSARY_TEST_TOKEN' not in os.environ, 'leaked'\n"
            "print(sorted(os.environ))\nprint(os.getcwd())")
    write_entries(tmp_path, dict([entry("env", code=code)]))
    assert glossary(tmp_path, "build").code == 0
    output = soup(tmp_path / "site/concepts/env.html").select_one("pre.output").get_text()
    assert "s3cret" not in output and "GLOSSARY_TEST_TOKEN" not in output
    assert str(tmp_path) not in output  # it ran in its own temporary folder


def test_blocks_share_one_namespace_per_entry_and_entries_are_isolated(tmp_path, glossary):
    write_entries(tmp_path, {
        "entries/a.md": entry("a", code="shared = 41")[1] + "\n```python\nassert shared == 41\n```\n",
        "entries/b.md": entry("b", code="assert 'shared' not in globals()")[1],
    })
    assert glossary(tmp_path, "build").code == 0


def test_numpy_seed_and_matplotlib_defaults_are_reset_per_entry(tmp_path, glossary):
    code = ("import numpy as np, matplotlib.pyplot as plt\n"
            "print(np.random.rand())\nassert plt.rcParams['lines.linewidth'] == 1.5\n"
            "plt.rcParams['lines.linewidth'] = 9")
    write_entries(tmp_path, dict([entry("one", code=code), entry("two", code=code)]))
    assert glossary(tmp_path, "build").code == 0
    outputs = {soup(tmp_path / f"site/concepts/{s}.html").select_one("pre.output").get_text()
               for s in ("one", "two")}
    assert len(outputs) == 1


def test_long_output_is_capped_with_a_visible_note(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("chatty", code="for i in range(100000):\n    print(i)")]))
    assert glossary(tmp_path, "build").code == 0
    page = soup(tmp_path / "site/concepts/chatty.html")
    assert len(page.select_one("pre.output").get_text()) <= 10_000
    assert page.select_one(".output-note").get_text() == "output truncated"


def test_crash_of_one_entry_is_named_and_others_run(tmp_path, glossary):
    crash = "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"
    write_entries(tmp_path, dict([entry("crash", code=crash), entry("fine")]))
    run = glossary(tmp_path, "build", "--json")
    errors = [d for d in run.report["diagnostics"] if d["severity"] == "error"]
    assert [e["path"] for e in errors] == ["entries/crash.md"]
    assert "crashed (SIGSEGV)" in errors[0]["message"]


def test_cache_counts_after_no_change_and_one_entry_change(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("a"), entry("b"), entry("c", code="x = 1")]))
    write_entries(tmp_path, {"entries/c.md": entry("c")[1] + "\n```python\nassert True\n```\n"})
    first = glossary(tmp_path, "build", "--json").report
    assert first["snippets"] == {"run": 4, "cached": 0}
    unchanged = glossary(tmp_path, "build", "--json").report  # stops at the no-op check
    assert unchanged["up_to_date"] is True and unchanged["snippets"]["run"] == 0
    shutil.rmtree(tmp_path / ".glossary-cache" / "builds")  # past the check: the caches answer
    second = glossary(tmp_path, "build", "--json").report
    assert second["snippets"] == {"run": 0, "cached": 4}
    assert second["formulas"]["rendered"] == 0 and second["js_engine_started"] is False
    write_entries(tmp_path, dict([entry("b", code="assert 2 + 2 == 4")]))
    third = glossary(tmp_path, "build", "--json").report
    assert third["snippets"] == {"run": 1, "cached": 3}
    forced = glossary(tmp_path, "build", "--json", "--no-cache").report
    assert forced["snippets"] == {"run": 4, "cached": 0}


@pytest.mark.parametrize("isolation", ["fork", "spawn"])
def test_both_isolation_modes_give_identical_pages(tmp_path, glossary, isolation):
    code = ("import numpy as np, matplotlib.pyplot as plt\nprint(np.arange(3))\n"
            "fig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])\nax.set_title('a line')")
    write_entries(tmp_path, dict([entry("plot", code=code)]))
    run = glossary(tmp_path, "build", "--isolation", isolation, "--no-cache", "--jobs", "1")
    assert run.code == 0, run.stderr
    page = soup(tmp_path / "site/concepts/plot.html")
    assert page.select_one("pre.output").get_text() == "[0 1 2]\n"
    assert page.select_one("figure.plot img")["alt"] == "a line"


def test_no_python_in_generator_process_ran_the_snippet(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("pid", code="import os\nprint(os.getpid())")]))
    assert glossary(tmp_path, "build").code == 0
    pid = int(soup(tmp_path / "site/concepts/pid.html").select_one("pre.output").get_text())
    assert pid != os.getpid()


def _can_cut_network() -> bool:
    probe = "from generator.snippet_worker import _cut_network; print(_cut_network())"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return out.stdout.strip() == "True"


@pytest.mark.skipif(not _can_cut_network(), reason="this system allows no network namespace")
def test_snippets_have_no_network(tmp_path, glossary):
    import socket

    # No thread waits in accept(): a connection the snippet made would sit in the backlog.
    # (A thread left blocked on the closed listener raised in a later test when woken.)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        code = ("import socket\ntry:\n    socket.create_connection(('127.0.0.1', %d), timeout=2)\n"
                "    reached = True\nexcept OSError:\n    reached = False\nprint(reached)") % port
        write_entries(tmp_path, dict([entry("net", code=code)]))
        assert glossary(tmp_path, "build").code == 0
        with pytest.raises(BlockingIOError):
            listener.accept()
    printed = soup(tmp_path / "site/concepts/net.html").select_one("pre.output").get_text()
    assert printed == "False\n"


def test_snippets_cannot_write_huge_files(tmp_path, glossary):
    code = ("with open('big.bin', 'wb') as f:\n    f.seek(300 * 1024 * 1024)\n"
            "    f.write(b'x')")
    write_entries(tmp_path, dict([entry("disk", code=code)]))
    run = glossary(tmp_path, "build", "--json")
    errors = [d for d in run.report["diagnostics"] if d["severity"] == "error"]
    assert [(e["path"], e["line"]) for e in errors] == [("entries/disk.md", 11)]  # raised when the file is flushed
    assert "File too large" in errors[0]["message"]
