PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: play test bench check fuzz clean

$(BIN)/python:
	@echo "PizzaBorg: first run, creating a Python environment in $(VENV) (once; about a minute with the install)..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "PizzaBorg: installing the game and its libraries (Textual, PyYAML, transitions) into $(VENV)..."
	@$(BIN)/python -m pip install --quiet -e .
	@touch $@
	@echo "PizzaBorg: installed. Starting the game."

$(TSTAMP): pyproject.toml | $(BIN)/python
	@echo "PizzaBorg: installing the game and the test tools into $(VENV)..."
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP)

play: $(STAMP)
	$(BIN)/pizzaborg

test: $(TSTAMP)
	$(BIN)/python -m pytest

bench: $(TSTAMP)
	$(BIN)/python benchmarks/run.py $(if $(RECORD),--record)

fuzz: $(TSTAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py

check: $(STAMP)
	$(BIN)/pizzaborg story check

clean:
	rm -rf $(VENV) build dist .pytest_cache
