"""Parameter sweeps (issue 14): syntax errors at their lines, one cached run per
combination, an assert naming the combination, the page's controls and listing."""

from __future__ import annotations

import pytest

from conftest import entry, soup, write_entries

PLOT = ("import matplotlib.pyplot as plt\n"
        "plt.plot([0, 1], [0, beta])\nplt.title(f'beta {beta}')\nprint('beta is', beta)")


FORMULA = '"v_t = \\\\beta v_{t-1} + (1 - \\\\beta) x_t"'


def control_symbol(page) -> str:
    return page.select_one(".sweep-controls [data-param]")["data-symbol"]


def errors(run) -> list[str]:
    return [f'{d["path"]}:{d["line"]}:{d.get("col", d.get("column"))}: {d["message"]}'
            for d in run.report["diagnostics"] if d["severity"] == "error"]


@pytest.mark.parametrize("params, code, expected", [
    ("{beta: []}", "print(beta)",
     "entries/ema.md:6:16: parameter 'beta' has no values: give at least one"),
    ("{betta: [1, 2]}", "print(beta)",
     "entries/ema.md:6:10: parameter 'betta' is not used by the code (did you mean 'beta'?)"),
    ("{beta: [1, 2]}", "beta = 3\nprint(beta)",
     "entries/ema.md:6:10: parameter 'beta' is assigned in the code, so the sweep would not "
     "change it: remove the assignment"),
    ("{a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4], c: [1, 2, 3, 4]}", "print(a, b, c)",
     "entries/ema.md:6:9: 'params' makes 80 combinations (5 x 4 x 4); the most is 64: "
     "try fewer values"),
    ("{beta: {values: [1, 2], default: 3}}", "print(beta)",
     "entries/ema.md:6:42: default of parameter 'beta' must be one of its values"),
    ("{beta: [1, 1]}", "print(beta)",
     "entries/ema.md:6:20: value 1 of parameter 'beta' is listed twice"),
    ("{2x: [1]}", "print(1)",
     "entries/ema.md:6:10: parameter name '2x' is not a python identifier"),
])
def test_sweep_syntax_errors_are_reported_at_their_line(tmp_path, glossary, params, code,
                                                        expected):
    write_entries(tmp_path, dict([entry("ema", code=code, params=params)]))
    run = glossary(tmp_path, "check", "--json")
    assert run.code == 1
    assert errors(run) == [expected]


def test_each_combination_runs_once_and_is_cached_on_its_own(tmp_path, glossary):
    write_entries(tmp_path, dict([entry("ema", code=PLOT, params="{beta: [0.5, 0.9]}"),
                                  entry("other")]))
    first = glossary(tmp_path, "build", "--json")
    assert first.code == 0, first.stderr
    assert first.report["snippets"] == {"run": 3, "cached": 0}
    again = glossary(tmp_path, "build", "--json")
    assert again.report["up_to_date"] and again.report["snippets"] == {"run": 0, "cached": 3}
    # A new value runs only the new combination; the others come from the cache.
    write_entries(tmp_path, dict([entry("ema", code=PLOT, params="{beta: [0.5, 0.9, 0.98]}"),
                                  entry("other")]))
    third = glossary(tmp_path, "build", "--json")
    assert third.report["snippets"] == {"run": 1, "cached": 3}


def test_a_failing_combination_fails_the_build_at_the_assert_naming_it(tmp_path, glossary):
    code = "x = window / (1 - beta)\nassert x < 20, 'too slow to forget'"
    write_entries(tmp_path, dict([entry("ema", code=code,
                                        params="{beta: [0.5, 0.9, 0.98], window: [1, 1.5]}")]))
    run = glossary(tmp_path, "build", "--json")
    assert run.code == 1
    assert errors(run) == [
        "entries/ema.md:13:0: AssertionError: too slow to forget (with beta=0.98, window=1)",
        "entries/ema.md:13:0: AssertionError: too slow to forget (with beta=0.98, window=1.5)",
    ]


def test_page_shows_the_default_and_lists_every_combination(tmp_path, glossary):
    params = '{beta: {values: [0.5, 0.9, 0.98], default: 0.9, symbol: "\\\\beta"}}'
    write_entries(tmp_path, dict([entry("ema", code=PLOT, params=params, formula=FORMULA),
                                  entry("plain")]))
    run = glossary(tmp_path, "build")
    assert run.code == 0, run.stderr
    page = soup(tmp_path / "site/concepts/ema.html")
    # The symbol is marked once, at build time: \beta, not the beta inside \betafoo.
    assert len(page.select(".formula-math .katex-html .param-beta")) == 2
    assert control_symbol(page) == "param-beta"
    shown = page.select_one(".sweep-out[data-sweep-block]")
    assert "beta is 0.9" in shown.get_text()
    assert shown.img["src"].startswith("../figures/ema-1-1-")
    control = page.select_one(".sweep-controls input[type=range]")
    assert (control["min"], control["max"], control["value"]) == ("0", "2", "1")
    assert page.select_one(".sweep-controls").has_attr("hidden")  # shown by actions.js
    # The other combinations are links to a page of their own, not in the entry's page.
    assert not page.select(".sweep-variant")
    links = [a.get_text() for a in page.select(".sweep-links a")]
    assert links == ["beta=0.9", "beta=0.5", "beta=0.98"]
    every = soup(tmp_path / "site/sweeps/ema.html")
    for a in page.select(".sweep-links a"):
        path, _, anchor = a["href"].partition("#")
        assert path == "../sweeps/ema.html" and every.find(id=anchor) is not None
    assert "beta is 0.98" in every.find(id="ema-sweep-2").get_text()
    figures = {img["src"] for img in every.select(".sweep-variant img.fig-light")}
    assert len(figures) == 3 and all((tmp_path / "site/sweeps" / f).is_file() for f in figures)
    # With JavaScript the outputs come from sweeps/ema.js, loaded on demand.
    data = (tmp_path / "site/sweeps/ema.js").read_text("utf-8")
    assert data.startswith("(window.GLOSSARY_SWEEPS = window.GLOSSARY_SWEEPS || {})[\"ema\"]")
    assert "beta is 0.98" in data and "</" not in data
    assert page.find("script", src="../static/actions.js") is not None
    plain = soup(tmp_path / "site/concepts/plain.html")
    assert plain.find("script", src="../static/actions.js") is None
    assert not plain.select(".sweep")


def test_a_tex_error_after_a_marked_symbol_keeps_its_column(tmp_path, glossary):
    bad = '"\\\\beta_t + \\\\chunk{plain}{x} + \\\\beta + \\\\frac{1}"'
    symbol = '{beta: {values: [1, 2], symbol: "\\\\beta"}}'
    write_entries(tmp_path, dict([entry("ema", code="print(beta)", params=symbol, formula=bad),
                                  entry("plain")]))
    marked = errors(glossary(tmp_path, "check", "--json"))
    write_entries(tmp_path, dict([entry("ema", code="print(1)", formula=bad), entry("plain")]))
    unmarked = errors(glossary(tmp_path, "check", "--json"))
    assert marked == unmarked and any(":5:59: TeX error" in e for e in marked)


@pytest.mark.parametrize("tex, symbol, marked", [
    ("\\cos\\psi + \\psi_t", "\\psi", 2),     # after a command, before a subscript
    ("\\beta + \\betax", "\\beta", 1),         # not the start of a longer command
    ("x + \\exp(x_1)", "x", 2),               # not the x inside \exp
])
def test_the_formula_symbol_is_marked_only_where_it_is_the_symbol(tex, symbol, marked):
    from generator.diagnostics import SourcePos
    from generator.load import make_tex
    from generator.source import SourceText
    from generator.sweeps import Param, mark_symbols
    tex_ = make_tex(tex, True, SourceText("x.md", tex), 0)
    param = Param("p", (1, 2), 0, symbol, SourcePos("x.md"))
    assert mark_symbols(tex_, (param,)).engine_tex.count("\\htmlClass{param-p}") == marked
