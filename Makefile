# LadderDesk — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

export QT_API := pyside6
export PYQTGRAPH_QT_LIB := PySide6

.PHONY: run test bench fuzz redteam lint screenshots clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/ladderdesk

test: $(STAMP)
	$(VENV)/bin/ruff check .
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

fuzz: $(STAMP)
	QT_QPA_PLATFORM=offscreen LADDERDESK_FUZZ_EXAMPLES=10000 $(PY) -m pytest -q -m slow tests/hardening

# Randomised attack campaign (issue 10): >= 500 cases over every command and file kind, special
# files, tiny-tmpfs / read-only-mount faults where this machine allows (REDTEAM_CASES, REDTEAM_SEED).
redteam: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) tests/hardening/redteam.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

VIEWS := holdings ladder exposure curves tradeoff scenarios liabilities backtest

screenshots: $(STAMP)
	for v in $(VIEWS); do \
	  QT_QPA_PLATFORM=offscreen $(VENV)/bin/ladderdesk --screenshot docs/screenshot-$$v.png \
	    --view $$v --preset "Shift from US rates" || exit 1; \
	done

clean:
	rm -rf $(VENV) build *.egg-info
