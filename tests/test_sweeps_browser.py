"""A sweep's slider swaps the pre-rendered figure and output in Chromium, from file://."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BROWSER_MARKS, entry, write_entries

pytestmark = BROWSER_MARKS
expect = pytest.importorskip("playwright.sync_api").expect

PLOT = ("import matplotlib.pyplot as plt\n"
        "plt.plot([0, 1], [0, beta])\nplt.title(f'beta {beta}')\nprint('beta is', beta)")
PARAMS = '{beta: {values: [0.5, 0.9, 0.98], default: 0.9, symbol: "\\\\beta"}}'
FORMULA = '"v_t = \\\\beta v_{t-1} + (1 - \\\\beta) x_t"'


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("sweep")
    write_entries(project, dict([entry("ema", code=PLOT, params=PARAMS, formula=FORMULA)]))
    proc = subprocess.run([sys.executable, "-m", "generator", "build", "--jobs", "1"],
                          cwd=project, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return project / "site"


def test_slider_swaps_figure_and_output_and_highlights_the_symbol(site, browser):
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto((site / "concepts/ema.html").as_uri())
    shown = page.locator(".sweep-out").first
    slider = page.locator(".sweep-controls input[type=range]")
    assert slider.is_visible()
    assert "beta is 0.9" in shown.inner_text()
    before = shown.locator("img").first.get_attribute("src")
    slider.focus()
    assert page.locator(".formula-math .param-beta.param-active").count() == 2
    page.keyboard.press("ArrowRight")  # the outputs load from sweeps/ema.js on demand
    expect(shown).to_contain_text("beta is 0.98")
    after = shown.locator("img").first.get_attribute("src")
    assert after != before
    assert page.locator(".sweep-controls output").inner_text() == "0.98"
    image = shown.locator("img").first
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle())
    page.keyboard.press("Home")
    expect(shown).to_contain_text("beta is 0.5")
    slider.blur()
    assert page.locator(".formula-math .param-active").count() == 0
    assert problems == []
    page.close()


def test_without_javascript_the_default_shows_and_the_others_are_links(site, browser):
    page = browser.new_page(java_script_enabled=False)
    page.goto((site / "concepts/ema.html").as_uri())
    assert "beta is 0.9" in page.locator(".sweep-out").first.inner_text()
    assert not page.locator(".sweep-controls").is_visible()
    page.locator(".sweep-all summary").click()
    page.locator(".sweep-links a", has_text="beta=0.98").click()
    page.wait_for_url("**/sweeps/ema.html#ema-sweep-2")
    assert page.locator("#ema-sweep-2").is_visible()
    assert "beta is 0.98" in page.locator("#ema-sweep-2").inner_text()
    page.close()
