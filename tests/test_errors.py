"""Every error path: each tests/sites_invalid/<case> must fail with exactly expected.txt."""

from __future__ import annotations

import shutil

import pytest

from conftest import INVALID, entry, write_entries

CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_invalid_glossary_reports_exact_diagnostics(case, tmp_path, glossary):
    project = tmp_path / case
    shutil.copytree(INVALID / case, project)
    expected = (project / "expected.txt").read_text("utf-8").splitlines()
    run = glossary(project, "check")
    assert run.code == 1
    errors = [line for line in run.diagnostics if ": error: " in line]
    assert errors == expected
    assert "Traceback" not in run.stderr.split("Traceback (most recent call last, the entry")[0]


def test_all_errors_of_all_files_in_one_run_sorted(tmp_path, glossary):
    for case in ("unknown-key", "tex-errors", "snippet-errors", "unknown-links"):
        for source in (INVALID / case / "entries").rglob("*.md"):
            target = tmp_path / "entries" / f"{case}-{source.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 1
    report = run.report
    errors = [d for d in report["diagnostics"] if d["severity"] == "error"]
    files = {d["path"] for d in errors}
    assert len(files) == 6 and len(errors) >= 14
    keys = [(d["path"], d["line"], d["col"]) for d in report["diagnostics"]]
    assert keys == sorted(keys)
    assert not (tmp_path / "site").exists()


def test_json_mode_prints_only_json_on_stdout(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu", body="[[nothing]]")]))
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 1
    diag = run.report["diagnostics"]
    assert [d["message"] for d in diag if d["severity"] == "error"] == \
        ["unknown link target 'nothing' in [[nothing]]"]
    assert diag[0]["path"] == "entries/relu.md" and diag[0]["line"] == 8


def test_usage_errors_exit_2(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    assert glossary(tmp_path, "build", "--jobs", "0").code == 2
    assert glossary(tmp_path, "build", "--entries", "missing").code == 2
    assert glossary(tmp_path, "frobnicate").code == 2


def test_bad_config_table_exit_2_with_did_you_mean(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    (tmp_path / "pyproject.toml").write_text('[tool.glossary]\ntitel = "x"\ntimeout = "slow"\n'
                                             '[tool.glossary.relations.rivals]\nlable = "Rivals"\n')
    run = glossary(tmp_path, "build")
    assert run.code == 2
    assert "'timeout' must be a float" in run.stderr
    assert "relations.rivals: unknown key 'lable' (did you mean 'label'?)" in run.stderr


def test_unknown_config_key_is_a_warning_with_did_you_mean(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("relu")]))
    (tmp_path / "pyproject.toml").write_text('[tool.glossary]\ntitel = "x"\n')
    run = glossary(tmp_path, "build")
    assert run.code == 0
    assert ("pyproject.toml: warning: [tool.glossary] unknown key 'titel' is ignored "
            "(did you mean 'title'?)") in run.stderr
