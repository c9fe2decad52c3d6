# leitbild — developer and CI entry points.  `make test` is what CI runs.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PORT ?= 8000
VENV := .venv/bin
UV := python3 -m uv
export UV_PYTHON_DOWNLOADS := never

# PostgreSQL tests run when initdb is on PATH or in a Debian-style versioned dir.
HAVE_POSTGRES := $(shell command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && echo yes)

.PHONY: help install demo lint audit test test-sqlite test-postgres bench bench-register

help:
	@echo "make install        create .venv from uv.lock (dev tools included)"
	@echo "make demo           migrate, load demo data, serve on 127.0.0.1:\$$PORT (default 8000)"
	@echo "make lint           ruff check + ruff format --check"
	@echo "make audit          pip-audit of the locked dependencies (fails on known vulnerabilities)"
	@echo "make test           install, lint, audit, test-sqlite, test-postgres (if PostgreSQL is installed)"
	@echo "make test-sqlite    pytest against SQLite"
	@echo "make test-postgres  pytest against a throwaway PostgreSQL cluster"
	@echo "make bench          import and page benchmarks (prints a table)"
	@echo "make bench-register register derivation: Polars vs pandas vs DuckDB read (prints a table)"
	@echo "make bench-load     load test: demo data × 100, production server, 32 clients (prints a table)"

install:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install -q uv
	@$(UV) sync --frozen --quiet

demo: install
	mkdir -p var
	DEBUG=1 $(VENV)/leitbild migrate --noinput
	DEBUG=1 $(VENV)/leitbild load-demo
	@echo "Background worker (e-mails) and web server; Ctrl-C stops both."
	DEBUG=1 $(VENV)/leitbild db_worker --no-reload & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DEBUG=1 $(VENV)/leitbild runserver 127.0.0.1:$(PORT)

# Both checks always run, so one report shows every finding.
lint:
	@rc=0; \
	echo "$(VENV)/ruff check ."; $(VENV)/ruff check . || rc=1; \
	echo "$(VENV)/ruff format --check ."; $(VENV)/ruff format --check . || rc=1; \
	exit $$rc

# Known vulnerabilities fail; an unreachable vulnerability service only warns (loudly),
# so that CI does not fail on the network (docs/operations.md, Security).
audit:
	UV="$(UV)" $(VENV)/python scripts/audit.py

test: install
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory audit
	@$(MAKE) --no-print-directory test-sqlite
ifeq ($(HAVE_POSTGRES),yes)
	@$(MAKE) --no-print-directory test-postgres
else
	@echo "*** PostgreSQL not found (no initdb on PATH or in /usr/lib/postgresql/*/bin): PostgreSQL tests SKIPPED ***"
endif

test-sqlite:
	env -u DATABASE_URL $(VENV)/pytest

test-postgres:
	scripts/with-postgres.sh $(VENV)/pytest

bench: install
	$(VENV)/python benchmarks/run.py

bench-register: install
	$(VENV)/python benchmarks/register.py

bench-load: install
	$(VENV)/python benchmarks/load.py
