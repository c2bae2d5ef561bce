PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
# Ralph, the real LRS the `lrs` tests start, in a venv of its own (its pins are not ours)
RALPH  := .venv-ralph
RSTAMP := $(RALPH)/.installed

.PHONY: play test bench check fuzz clean lrs-env

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

$(RSTAMP):
	$(PYTHON) -m venv $(RALPH)
	$(RALPH)/bin/python -m pip install --quiet 'ralph-malph[cli,lrs]>=5.1,<6' 'requests>=2.31'
	touch $@

lrs-env: $(RSTAMP)

play: $(STAMP)
	$(BIN)/pizzaborg

test: $(TSTAMP)
	$(BIN)/python -m pytest

bench: $(TSTAMP)
	@$(MAKE) --no-print-directory lrs-env || echo "note: could not install Ralph; the LRS benchmark cannot measure" >&2
	$(BIN)/python benchmarks/run.py $(if $(RECORD),--record)

fuzz: $(TSTAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/test_fuzz.py

check: $(STAMP)
	$(BIN)/pizzaborg story check

clean:
	rm -rf $(VENV) $(RALPH) build dist .pytest_cache
