# pkyx — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint venv deps dev-deps browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per requirements file, so installs re-run only when the pins change.
$(VENV)/.deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.deps
dev-deps: $(VENV)/.dev-deps

# The browser tests drive Debian's Chromium (/usr/bin/chromium); install it when missing.
browser:
	command -v chromium >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

## Install what is needed and serve http://127.0.0.1:5000 on the embedded store.
run: deps
	$(BIN)/python manage.py run --host $(HOST) --port $(PORT)

## Install what is needed and run the whole test suite (lint, tests, coverage).
test: dev-deps browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --cov --cov-report=term

lint: dev-deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov
