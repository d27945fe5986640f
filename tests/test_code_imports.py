"""Executable relations (issue 14): one entry's snippet imports another's code, by slug."""

from __future__ import annotations

from conftest import entry, soup, write_entries

from generator.diagnostics import Reporter
from generator.links import link
from generator.load import load_entry
from generator.markdown import make_md

SOFTMAX = ("import numpy as np\nCALLS = []\n"
           "def softmax(z):\n    CALLS.append(1)\n    e = np.exp(z - np.max(z))\n    return e / e.sum()\n"
           "print('softmax ran')")
ATTENTION = ("from glossary.entries.softmax import softmax, CALLS\nimport numpy as np\n"
             "w = softmax(np.array([1.0, 2.0, 3.0]))\nassert abs(w.sum() - 1) < 1e-12\n"
             "assert len(CALLS) == 1, 'state left by another entry'\nprint('weights', w.round(3))")


def errors(run) -> list[str]:
    return [f'{d["path"]}:{d["line"]}:{d.get("col", 0)}: {d["message"]}'
            for d in run.report["diagnostics"] if d["severity"] == "error"]


def glossary_files(softmax: str = SOFTMAX, **extra) -> dict[str, str]:
    return dict([
        entry("softmax", code=softmax),
        entry("attention-weights", code=ATTENTION, uses="[softmax]"),
        entry("context-vector", code=ATTENTION.replace("weights'", "context'"),
              builds_on="[attention-weights]", uses="[softmax]"),
        entry("stacked", code="from glossary.entries.attention_weights import w\nprint(w.sum())",
              uses="[attention-weights]"),
        entry("unrelated", code="print('alone')"),
        *extra.items(),
    ])


def test_importers_run_the_dependency_code_isolated_and_silently(tmp_path, glossary):
    write_entries(tmp_path, glossary_files())
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 0, run.stderr
    page = soup(tmp_path / "site/concepts/attention-weights.html")
    output = page.select_one(".snippet .output").get_text()
    assert output.startswith("weights [0.09  0.245 0.665]") and "softmax ran" not in output
    # A dependency's importers run its code each in their own process: both saw one call.
    label = page.select_one(".snippet-label")
    assert label.get_text() == ("python · ran at build time · uses code from: Softmax"
                                " · code used by: Stacked · download .py .ipynb")
    assert label.a["href"] == "../concepts/softmax.html"
    used_by = soup(tmp_path / "site/concepts/softmax.html").select_one(".snippet-label")
    assert [a.get_text() for a in used_by.select(".code-relation a")] == [
        "Attention Weights", "Context Vector"]
    total = soup(tmp_path / "site/concepts/stacked.html").select_one(".output").get_text()
    assert abs(float(total) - 1) < 1e-12


def test_code_importers_are_an_index_built_once_by_link_not_a_scan_per_call(tmp_path):
    write_entries(tmp_path, glossary_files())
    md, reporter = make_md(), Reporter()
    paths = sorted((tmp_path / "entries").glob("*.md"))
    glossary = link([load_entry(p, tmp_path / "entries", md, reporter) for p in paths], reporter)
    assert reporter.diagnostics == []
    assert glossary.code.importers == {"softmax": ("attention-weights", "context-vector"),
                                       "attention-weights": ("stacked",)}
    # Answered from that index: with the entry list gone, the answers stay (A-Z by title).
    glossary.entries = []
    assert glossary.code_importers("softmax") == ["attention-weights", "context-vector"]
    assert glossary.code_importers("attention-weights") == ["stacked"]
    assert glossary.code_importers("unrelated") == []


def test_changing_softmax_reruns_it_and_its_importers_only(tmp_path, glossary):
    write_entries(tmp_path, glossary_files())
    assert glossary(tmp_path, "build", "--json").report["snippets"] == {"run": 5, "cached": 0}
    assert glossary(tmp_path, "build", "--json").report["snippets"] == {"run": 0, "cached": 5}
    write_entries(tmp_path, glossary_files(SOFTMAX.replace("'softmax ran'", "'changed'")))
    # softmax, attention-weights, context-vector and stacked (through attention-weights).
    assert glossary(tmp_path, "build", "--json").report["snippets"] == {"run": 4, "cached": 1}
    write_entries(tmp_path, dict([entry("unrelated", code="print('still alone')")]))
    assert glossary(tmp_path, "build", "--json").report["snippets"] == {"run": 1, "cached": 4}


def test_import_of_an_entry_not_in_uses_is_an_error_at_the_import(tmp_path, glossary):
    files = glossary_files()
    files.update([entry("attention-weights", code="x = 1\n" + ATTENTION, uses="[unrelated]")])
    write_entries(tmp_path, files)
    run = glossary(tmp_path, "check", "--json")
    assert errors(run) == [
        "entries/attention-weights.md:13:1: imports code from 'softmax', which is not in 'uses' "
        "or 'builds_on': add it to 'uses: [softmax]'"]


def test_unknown_entry_in_an_import_has_a_did_you_mean(tmp_path, glossary):
    files = glossary_files()
    files.update([entry("attention-weights", code=ATTENTION.replace(".softmax ", ".sofmax "),
                        uses="[softmax]")])
    write_entries(tmp_path, files)
    run = glossary(tmp_path, "check", "--json")
    assert errors(run) == [
        "entries/attention-weights.md:12:1: unknown entry 'sofmax' in import from "
        "glossary.entries (did you mean 'softmax'?)"]


def test_an_import_cycle_is_an_error_naming_the_loop(tmp_path, glossary):
    files = glossary_files(softmax="from glossary.entries.stacked import w\n" + SOFTMAX)
    files.update([entry("softmax", code="from glossary.entries.stacked import w\n" + SOFTMAX,
                        uses="[stacked]")])
    write_entries(tmp_path, files)
    run = glossary(tmp_path, "check", "--json")
    assert errors(run) == [
        "entries/stacked.md:12:1: import cycle: attention-weights -> softmax -> stacked -> "
        "attention-weights: an entry's code cannot depend on itself"]
