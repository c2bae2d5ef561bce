PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
WSTAMP := $(VENV)/.installed-web
BSTAMP := $(VENV)/.installed-browser
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Ralph, the real LRS the `lrs` tests start, in a venv of its own (its pins are not ours)
RALPH  := .venv-ralph
RSTAMP := $(RALPH)/.installed

.PHONY: l10n-extract l10n-init l10n-update l10n-pseudo l10n-compile play serve test test-all test-slow test-browser test-lrs test-floor bench check fuzz clean lrs-env lint format npm-axe scorm-env

# pytest-xdist: the tests run on every core (JOBS=1 for one process; a group marked serial shares one worker)
# two workers per core: the terminal UI's tests spend much of their time waiting for the next frame
# (on 2 cores: 78 s with 4 workers against 99 s with 2, the default suite)
JOBS   ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$((n * 2)))
XDIST  := -n $(JOBS) --dist loadgroup

$(BIN)/python:
	@echo "PizzaBorg: first run, creating a Python environment in $(VENV) (once; about a minute with the install)..."
	@$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "PizzaBorg: installing the game and its libraries (Textual, PyYAML, transitions) into $(VENV)..."
	@$(BIN)/python -m pip install --quiet -e .
	@touch $@
	@echo "PizzaBorg: installed. Starting the game."

$(TSTAMP): pyproject.toml | $(BIN)/python
	@echo "PizzaBorg: installing the game and the test tools into $(VENV)..."
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

$(WSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[web]'
	touch $@ $(STAMP)

$(BSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,web,browser]'
	touch $@ $(TSTAMP) $(WSTAMP) $(STAMP)

$(RSTAMP):
	$(PYTHON) -m venv $(RALPH)
	$(RALPH)/bin/python -m pip install --quiet 'ralph-malph[cli,lrs]>=5.1,<6' 'requests>=2.31'
	touch $@

lrs-env: $(RSTAMP)

play: $(STAMP)
	$(BIN)/pizzaborg

# The gates before the tests: ruff (lint and format), mypy (types) and import-linter (the layers), all
# configured in pyproject.toml.
lint: $(TSTAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# ruff's formatter and its safe fixes over the tree (make test fails on a file that is not formatted)
format: $(TSTAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest $(XDIST) -m "not slow and not browser and not lrs"

test-all: $(BSTAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest $(XDIST)

# the slow tier's own timeout: a whole shipped-story game or a wheel build may take minutes on a busy machine
test-slow: $(TSTAMP)
	$(BIN)/python -m pytest $(XDIST) -m slow --timeout 600

# The lowest versions pyproject.toml allows, in a venv of their own: every test but the slow ones and
# the snapshots (older Textual draws a few characters differently).
FLOOR := .venv-floor
test-floor:
	test -x $(FLOOR)/bin/python || $(PYTHON) -m venv $(FLOOR)
	$(FLOOR)/bin/python -m pip install --quiet -e '.[test]' 'textual==6.0.0' 'pyyaml==6.0' 'transitions==0.9.1'
	$(FLOOR)/bin/python -m pytest $(XDIST) -m "not slow and not browser and not lrs" --ignore=tests/tui/test_tui_snapshots.py

# the class server on this machine only (see docs/trainers.md for a class on a network)
serve: $(WSTAMP)
	$(BIN)/pizzaborg serve --host $(HOST) --port $(PORT)

# scorm-again, the SCORM API that stands in for the LMS in tests/test_scorm_browser.py: pinned by
# tests/npm/scorm/package-lock.json, installed into its node_modules (git-ignored)
SCORM_NPM := tests/npm/scorm
$(SCORM_NPM)/node_modules/.package-lock.json: $(SCORM_NPM)/package-lock.json
	cd $(SCORM_NPM) && npm ci --no-audit --no-fund --loglevel=error

scorm-env: $(SCORM_NPM)/node_modules/.package-lock.json

# the class server's page in the system Chromium (Debian package chromium) driven by Playwright; its
# accessibility test needs axe-core and the SCORM tests scorm-again, from npm (without npm or the registry
# those tests skip, saying why; CI requires the browser tier, so they fail there instead)
test-browser: $(BSTAMP)
	@$(MAKE) --no-print-directory npm-axe || echo "note: could not install axe-core (npm); the accessibility test cannot run" >&2
	@$(MAKE) --no-print-directory scorm-env || echo "note: could not install scorm-again (npm); the SCORM browser tests cannot run" >&2
	$(BIN)/python -m pytest -m browser --timeout 600

# axe-core at the version tests/npm/axe/package-lock.json pins, in tests/npm/axe/node_modules (git-ignored)
AXE_DIR := tests/npm/axe
$(AXE_DIR)/node_modules/.installed: $(AXE_DIR)/package-lock.json
	npm ci --prefix $(AXE_DIR) --no-audit --no-fund --loglevel=error
	touch $@

npm-axe: $(AXE_DIR)/node_modules/.installed

# against Ralph, a real LRS, started by the tests from .venv-ralph (make lrs-env); a test that also drives
# Chromium (a cmi5 launch in the browser) runs in test-browser, whose venv has Playwright
test-lrs: $(TSTAMP)
	$(BIN)/python -m pytest -m "lrs and not browser" --timeout 600

bench: $(BSTAMP)
	@$(MAKE) --no-print-directory lrs-env || echo "note: could not install Ralph; the LRS benchmark cannot measure" >&2
	$(BIN)/python benchmarks/run.py $(if $(RECORD),--record)

# The interface's catalogues (docs/l10n.md). l10n-extract writes the template from the source's _(),
# ngettext(), pgettext() and N_() and the pseudo-locale from the template; l10n-update merges the template
# into every language's .po (msgmerge, as Weblate and Poedit do); l10n-compile writes the .mo files the
# game reads (it also compiles a .po newer than its .mo on first use; the wheel's build hook compiles too).
LOCALE := src/pizzaborg/locale
POT    := $(LOCALE)/pizzaborg.pot
l10n-extract: $(TSTAMP)
	mkdir -p $(LOCALE)
	$(BIN)/pybabel -q extract -F babel.cfg --no-default-keywords -k _ -k ngettext:1,2 -k pgettext:1c,2 -k N_ \
		--project=PizzaBorg --copyright-holder="the PizzaBorg authors" --msgid-bugs-address="" \
		--no-location --sort-output --width=120 -o $(POT) src/pizzaborg
	$(BIN)/python -m pizzaborg.engine.i18n_build normalise $(POT)
	@$(MAKE) --no-print-directory l10n-pseudo

l10n-pseudo: $(TSTAMP)
	$(BIN)/python -m pizzaborg.engine.i18n_build pseudo $(POT) $(LOCALE)/qps/LC_MESSAGES/pizzaborg.po

l10n-update: l10n-extract
	$(BIN)/python -m pizzaborg.engine.i18n_build update $(POT) $(LOCALE)

# a new language's empty catalogue: make l10n-init L=sv (es-419 goes in es_419/)
l10n-init: $(TSTAMP)
	$(BIN)/python -m pizzaborg.engine.i18n_build init $(POT) $(LOCALE) $(L)

l10n-compile: $(TSTAMP)
	$(BIN)/python -m pizzaborg.engine.i18n_build compile $(LOCALE)

fuzz: $(TSTAMP)
	rm -f .fuzz-cases.json
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py
	@cat .fuzz-cases.json

check: $(STAMP)
	$(BIN)/pizzaborg story check

clean:
	rm -rf $(VENV) $(FLOOR) $(RALPH) build dist .pytest_cache .mypy_cache .ruff_cache
