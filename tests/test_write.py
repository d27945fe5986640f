"""Safe writing: atomic swap, refusal to clobber foreign folders, and `glossary new`."""

from __future__ import annotations

from conftest import entry, write_entries
from generator.write import MARKER


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_failed_build_leaves_previous_site_byte_identical(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu"), entry("gelu")]))
    assert glossary(tmp_path, "build").code == 0
    before = snapshot(tmp_path / "site")
    assert (tmp_path / "site" / MARKER).is_file()
    write_entries(tmp_path, dict([entry("gelu", code="assert 1 == 2")]))
    run = glossary(tmp_path, "build")
    assert run.code == 1
    assert "entries/gelu.md:11: error: AssertionError" in run.stderr
    assert snapshot(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".glossary-cache", "entries", "site"]


def test_refuses_foreign_nonempty_folder_and_keeps_its_files(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    run = glossary(tmp_path, "build", "--out", "mine")
    assert run.code == 2
    assert "refusing to build into" in run.stderr and "not empty" in run.stderr
    assert [p.name for p in foreign.iterdir()] == ["thesis.tex"]
    assert (foreign / "thesis.tex").read_text() == "precious"


def test_empty_existing_folder_is_fine_and_rebuilds_replace_our_own(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    (tmp_path / "out").mkdir()
    assert glossary(tmp_path, "build", "--out", "out").code == 0
    (tmp_path / "out" / "stale.html").write_text("old")
    assert glossary(tmp_path, "build", "--out", "out").code == 0
    assert not (tmp_path / "out" / "stale.html").exists()
    assert (tmp_path / "out" / "concepts" / "relu.html").is_file()


def test_check_writes_no_site(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    run = glossary(tmp_path, "check")
    assert run.code == 0 and "checked" in run.stderr
    assert not (tmp_path / "site").exists()


def test_new_writes_a_template_that_passes_check(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("softmax")]))
    run = glossary(tmp_path, "new", "Layer normalization")
    assert run.code == 0
    text = (tmp_path / "entries" / "layer-normalization.md").read_text()
    for key in ("title:", "chunk:", "abstraction:", "action:", "formula:", "road:", "aliases:",
                "tags:", "uses:", "builds_on:", "see_also:", "```python"):
        assert key in text
    assert text.count("# ") >= 6  # a hint for the fields
    unfinished = glossary(tmp_path, "check")
    assert unfinished.code == 1  # every placeholder is an error at its own line
    lines = text.splitlines()
    todo_lines = {n for n, line in enumerate(lines, 1) if "TODO" in line and "# Every" not in line}
    reported = {int(d.split(":")[1]) for d in unfinished.diagnostics if "placeholder 'TODO'" in d}
    assert reported == todo_lines and len(todo_lines) >= 6
    filled = text.replace("TODO one of abstraction, chunking, action", "chunking")
    filled = filled.replace("\\text{TODO}", "y = \\gamma x").replace("TODO: explain", "Explain")
    filled = filled.replace("  # TODO compute the formula", "").replace("TODO ", "")
    (tmp_path / "entries" / "layer-normalization.md").write_text(filled)
    assert glossary(tmp_path, "check").code == 0


def test_new_refuses_to_overwrite(tmp_path, glossary):
    write_entries(tmp_path, {"entries/sub/softmax.md": "keep me"})
    run = glossary(tmp_path, "new", "Softmax")
    assert run.code == 2
    assert "already exists: entries/sub/softmax.md" in run.stderr
    assert (tmp_path / "entries/sub/softmax.md").read_text() == "keep me"
    assert not (tmp_path / "entries/softmax.md").exists()


def test_new_quotes_titles_yaml_would_misread(tmp_path, glossary):
    (tmp_path / "entries").mkdir()
    assert glossary(tmp_path, "new", "Attention: #1 idea").code == 0
    assert 'title: "Attention: #1 idea"' in (tmp_path / "entries/attention-1-idea.md").read_text()


def test_stages_run_in_the_documented_order(tmp_path, monkeypatch):
    from generator.build import STAGES, build
    from generator.config import load_config
    from generator.diagnostics import Reporter

    write_entries(tmp_path, dict([entry("relu")]))
    result = build(load_config(tmp_path), Reporter())
    assert result.stages_run == list(STAGES)
    assert "concepts/relu.html" in result.written
    checked = build(load_config(tmp_path), Reporter(), until="emit")
    assert checked.stages_run == list(STAGES[:-1])
    executed = build(load_config(tmp_path), Reporter(), until="execute")
    assert executed.stages_run == list(STAGES[:STAGES.index("execute") + 1])
