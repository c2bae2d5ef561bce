PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: play test test-all test-slow test-floor bench check fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

play: $(STAMP)
	$(BIN)/pizzaborg

test: $(TSTAMP)
	$(BIN)/python -m pytest -m "not slow"

test-all: $(TSTAMP)
	$(BIN)/python -m pytest

test-slow: $(TSTAMP)
	$(BIN)/python -m pytest -m slow

# The lowest versions pyproject.toml allows, in a venv of their own: every test but the slow ones and
# the snapshots (older Textual draws a few characters differently).
FLOOR := .venv-floor
test-floor:
	test -x $(FLOOR)/bin/python || $(PYTHON) -m venv $(FLOOR)
	$(FLOOR)/bin/python -m pip install --quiet -e '.[test]' 'textual==6.0.0' 'pyyaml==6.0' 'transitions==0.9.1'
	$(FLOOR)/bin/python -m pytest -m "not slow" --ignore=tests/tui/test_tui_snapshots.py

bench: $(TSTAMP)
	$(BIN)/python benchmarks/run.py $(if $(RECORD),--record)

fuzz: $(TSTAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py

check: $(STAMP)
	$(BIN)/pizzaborg story check

clean:
	rm -rf $(VENV) $(FLOOR) build dist .pytest_cache
