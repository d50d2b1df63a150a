# Virtual School MIS. The README's quick start is `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_312 := $(shell scripts/find-python)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: help venv deps pdf-libs assets migrate demo run test lint typecheck pytest bench ci clean

help:
	@echo "make run    install everything, load the synthetic demo and start the service on 127.0.0.1:$(PORT)"
	@echo "make test   lint, type checks and the full test suite"
	@echo "make bench  the benchmarks in bench/ (PostgreSQL: set DATABASE_URL)"

$(PY):
	@test -n "$(PYTHON_312)" || (echo "Python 3.12 is required" >&2; exit 1)
	$(PYTHON_312) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.deps-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.deps-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Compiled CSS and copied GOV.UK / MOJ assets land in virtualschool/static/dist (not committed).
assets: node_modules/.installed
	npm run --silent build

# WeasyPrint (PDF panel packs) needs Pango and HarfBuzz: install them from Debian when they are missing.
pdf-libs:
	@ldconfig -p | grep -q "libpangoft2-1.0.so.0" || apt-get install -y --no-install-recommends \
		libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
		|| (echo "Install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 for PDF output" >&2; exit 1)

deps: venv pdf-libs assets

migrate: deps
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	PORT=$(PORT) PY=$(PY) scripts/run-local

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

pytest: deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: deps
	DJANGO_SETTINGS_MODULE=config.settings.local $(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules virtualschool/static/dist staticfiles .pytest_cache .mypy_cache .ruff_cache
