# Accord — one screen of targets. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
SIZE   ?= S
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install demo test lint fmt bench lock chromium clean

install: $(STAMP)  ## create .venv and install the pinned dependencies and Accord

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

chromium:  ## Debian's chromium for the browser tests (never a downloaded browser)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (browser tests skip without it)"; fi; }

demo: install  ## load the demo into ./accord.db and serve on http://$(HOST):$(PORT)
	$(BIN)/accord demo --host $(HOST) --port $(PORT)

test: install chromium  ## the whole suite, on SQLite and PostgreSQL
	$(BIN)/python -m pytest

lint: install  ## ruff format check, ruff check, mypy --strict on src/
	$(BIN)/ruff format --check src tests benchmarks migrations
	$(BIN)/ruff check src tests benchmarks migrations
	$(BIN)/mypy --strict src

fmt: install
	$(BIN)/ruff format src tests benchmarks migrations
	$(BIN)/ruff check --fix src tests benchmarks migrations

bench: install  ## benchmarks at SIZE=S|M|L, each beside its same-run reference
	$(BIN)/python -m benchmarks --size $(SIZE)

lock: install  ## re-pin requirements.lock from pyproject.toml
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache accord.db accord.db-*
