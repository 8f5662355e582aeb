# Seedbed — two commands for a newcomer: `make run` and `make test`.
# Both create/refresh .venv and install the project the first time (and when pyproject.toml changes);
# later runs reuse it and need no network.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.seedbed-installed

.PHONY: install run test worker migrate demo lint imports typecheck bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Seedbed needs Python 3.11+"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## API + admin + worker on http://127.0.0.1:8000 (SEEDBED_PORT to change)
	$(BIN)/seedbed run

test: $(STAMP)  ## the whole suite on real PostgreSQL + Redis (local ones, or embedded if none answer)
	$(BIN)/python -m pytest

worker: $(STAMP)
	$(BIN)/arq app.site.worker.WorkerSettings

migrate: $(STAMP)
	$(BIN)/seedbed migrate

demo: $(STAMP)
	$(BIN)/seedbed demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

imports: $(STAMP)  ## the dependency rules only (import-linter contracts in pyproject.toml)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m tests.perf.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
