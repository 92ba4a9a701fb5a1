# pkyx — the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test test-mongo bench bench-peers lint venv deps dev-deps system-packages clean

# Debian's own python3 makes virtualenvs only with python3-venv (ensurepip): installed
# with apt when missing, so a fresh machine needs nothing but make and python3.
$(BIN)/python:
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || { apt-get update && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv; }
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

# Debian packages the tests drive: Chromium (browser tests), nginx (deployment tests),
# redis-server (the mail queue's broker: tests/mail and the deployment tests), and Noto
# Sans CJK (the Chinese screenshots show real glyphs). Installed with apt when missing,
# in one go.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v nginx >/dev/null || test -x /usr/sbin/nginx || missing="$$missing nginx"; \
	command -v redis-server >/dev/null || test -x /usr/bin/redis-server || missing="$$missing redis-server"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	fi

## Install what is needed and serve http://127.0.0.1:5000 on the embedded store.
run: deps
	$(BIN)/python manage.py run --host $(HOST) --port $(PORT)

## Install what is needed and run the whole test suite (lint, tests, coverage).
test: dev-deps system-packages
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --cov --cov-report=term

## The store tier (repositories, API, state machine) against a MongoDB server:
##   make test-mongo MONGO_URI=mongodb://localhost:27017
test-mongo: dev-deps
	@test -n "$(MONGO_URI)" || { echo "usage: make test-mongo MONGO_URI=mongodb://host:27017"; exit 2; }
	$(BIN)/python -m pytest --mongo-uri "$(MONGO_URI)"

## The benchmark (README.md, "Benchmark"): installs Debian's wrk and nginx when missing.
bench: dev-deps system-packages
	command -v wrk >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## pkyx beside Eve 2.3.1 and a bare Flask app (README.md, "Benchmark"): the runner makes
## bench/peers/.venv from bench/peers/requirements.txt.
bench-peers: dev-deps
	command -v wrk >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk)
	$(BIN)/python bench/peers/run.py $(BENCH_ARGS)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .coverage htmlcov
