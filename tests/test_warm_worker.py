"""`glossary serve` keeps one warm snippet worker between rebuilds, and replaces one that died."""

from __future__ import annotations

import os
import signal

from conftest import entry, soup, write_entries
from generator.config import load_config
from generator.execute import SnippetWorker
from generator.serve import BuildState, rebuild


def printed(project) -> str:
    return soup(project / "site/concepts/relu.html").select_one("pre.output").get_text()


def test_rebuilds_reuse_the_warm_worker_and_show_each_edit(tmp_path):
    write_entries(tmp_path, dict([entry("relu", code="print('one')"), entry("gelu")]))
    config = load_config(tmp_path)
    state, worker = BuildState(), SnippetWorker(config)
    try:
        assert rebuild(config, state, worker) is True
        pid = worker.proc.pid
        assert printed(tmp_path) == "one\n"
        for text in ("two", "three"):
            write_entries(tmp_path, dict([entry("relu", code=f"print('{text}')")]))
            assert rebuild(config, state, worker) is True
            assert printed(tmp_path) == f"{text}\n"
            assert worker.proc.pid == pid and worker.proc.poll() is None
        write_entries(tmp_path, dict([entry("relu", code="assert False, 'no'")]))
        assert rebuild(config, state, worker) is False  # a failing snippet does not end the worker
        assert worker.proc.pid == pid and "no" in state.snapshot()["errors"][0]
    finally:
        worker.close()
    assert worker.proc is None


def test_a_worker_that_died_is_replaced_on_the_next_rebuild(tmp_path):
    write_entries(tmp_path, dict([entry("relu", code="print('one')")]))
    config = load_config(tmp_path)
    state, worker = BuildState(), SnippetWorker(config)
    try:
        assert rebuild(config, state, worker) is True
        old = worker.proc.pid
        os.kill(old, signal.SIGKILL)
        worker.proc.wait()
        write_entries(tmp_path, dict([entry("relu", code="print('two')")]))
        assert rebuild(config, state, worker) is True
        assert printed(tmp_path) == "two\n" and worker.proc.pid != old
    finally:
        worker.close()
