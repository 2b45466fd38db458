# Hudong: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
export HUDONG_ENV ?= development
HUDONG := $(UV) run --frozen hudong
DEMO_CUSTOMERS ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: install run serve worker migrate demo test test-fast bench lint fmt messages

install:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen
	@test -d node_modules/htmx.org -a -d node_modules/echarts || npm ci --no-audit --no-fund

migrate: install
	$(HUDONG) migrate --no-input

demo: migrate
	$(HUDONG) demo --customers $(DEMO_CUSTOMERS) --seed 42 --if-empty --find-duplicates
	$(HUDONG) insights run --if-none

run: demo
	$(HUDONG) collectstatic --no-input -v 0
	@echo ""
	@echo "  Hudong: http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password hudong-demo): admin, agent.east, agent.north, supervisor.east, marketer, sales.east, analyst"
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	  $(HUDONG) worker & \
	  $(HUDONG) serve --host $(HOST) --port $(PORT)

test: install
	$(UV) run --frozen pytest -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	$(UV) run --frozen python bench/run.py

lint: install
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench
	$(UV) run --frozen mypy src/hudong

fmt: install
	$(UV) run --frozen ruff format src tests bench
	$(UV) run --frozen ruff check --fix src tests bench

messages: install
	cd src/hudong && $(UV) run --frozen hudong makemessages -l zh_Hans -l en --no-obsolete
	cd src/hudong && $(UV) run --frozen hudong compilemessages
