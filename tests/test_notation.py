"""One notation: symbols declared per entry, checked across relations, listed on one page."""

from __future__ import annotations

from conftest import entry, soup, write_entries


PLOT = "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.title('a line')"


def notation_project(tmp_path, eta_meaning="learning rate", step_symbol="\\\\eta"):
    return write_entries(tmp_path, dict([
        entry("descent", code=PLOT, symbols=f'{{"{step_symbol}": learning rate, "\\\\theta": parameters}}'),
        entry("momentum", code=PLOT, uses="[descent]",
              symbols=f'{{"\\\\eta": {eta_meaning}, "\\\\hat{{m}}_t": first moment}}'),
        entry("adam", code=PLOT, builds_on="[momentum]", symbols='{"\\\\hat m_t": first moment}'),
    ]))


def test_consistent_notation_passes_strict(tmp_path, glossary):
    notation_project(tmp_path)
    run = glossary(tmp_path, "check", "--strict")
    assert run.code == 0, run.stderr
    assert "warning" not in run.stderr.replace("0 warning(s)", "")


def test_a_symbol_with_two_meanings_between_neighbours_is_reported_at_the_symbol(tmp_path, glossary):
    notation_project(tmp_path, eta_meaning="step size")
    run = glossary(tmp_path, "check", "--strict")
    assert run.code == 1
    assert ("entries/momentum.md:7:11: warning: symbol '\\eta' means 'step size' here but "
            "'learning rate' in 'descent', a neighbour; use one meaning or another symbol"
            ) in run.diagnostics


def test_one_meaning_with_two_symbols_along_a_chain(tmp_path, glossary):
    notation_project(tmp_path, step_symbol="\\\\alpha")
    run = glossary(tmp_path, "check")
    assert run.code == 0  # warnings only, without --strict
    assert ("entries/momentum.md:7:11: warning: 'learning rate' is written '\\eta' here but "
            "'\\alpha' in 'descent', which this entry uses; use one symbol along a chain"
            ) in run.diagnostics


def test_symbols_that_differ_only_in_braces_are_one_symbol(tmp_path, glossary):
    notation_project(tmp_path)  # \hat{m}_t in momentum, \hat m_t in adam: no warning
    run = glossary(tmp_path, "check", "--strict")
    assert "first moment" not in run.stderr


def test_a_symbol_that_is_bad_tex_is_an_error_at_its_line(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("descent", symbols='{"\\\\frac{": learning rate}')]))
    run = glossary(tmp_path, "check")
    assert run.code == 1
    assert any(d.startswith("entries/descent.md:6:") and "TeX error" in d for d in run.diagnostics)


def test_the_notation_page_lists_each_symbol_with_its_entries(tmp_path, glossary):
    notation_project(tmp_path)
    assert glossary(tmp_path, "build").code == 0
    page = soup(tmp_path / "site/notation.html")
    rows = {tr.select("td")[1].get_text(): [a.get_text() for a in tr.select("td a")]
            for tr in page.select("table.notation tbody tr")}
    assert rows["learning rate"] == ["Descent", "Momentum"]
    assert rows["first moment"] == ["Adam", "Momentum"]
    assert page.select_one("table.notation .katex") is not None
    assert soup(tmp_path / "site/index.html").select_one('nav a[href="notation.html"]') is not None
