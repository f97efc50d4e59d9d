# KX: `make run` serves a seeded demo site; `make test` runs every check. `make help` lists all.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
GOVUK := node_modules/govuk-frontend/dist/govuk

.DEFAULT_GOAL := help
.PHONY: smoke help run install assets migrate seed test lint format check pytest clean totp bench search-engine search-engine-stop bench-search bench-load bench-all collectstatic serve backup restore image

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Links in emails, calendar files and certificates made outside a request start with BASE_URL,
# and seed_demo points the Wagtail Site at it: the port served, unless BASE_URL is set already.
# A target variable, so that the seed step before runserver has it too.
run: export BASE_URL ?= http://$(HOST):$(PORT)
run: install assets migrate seed ## Set up everything and serve the demo site on SQLite
	$(MANAGE) runserver $(HOST):$(PORT)

$(BIN)/python:
	@echo "--- Creating the virtualenv in $(VENV)"
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-installs only when pyproject.toml changes. The project runs from this checkout, so only its
# dependencies are installed: not an editable install, which adds nothing here but a setuptools
# warning. pip's own lines show the progress.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "--- Installing the Python packages (about two minutes the first time)"
	$(BIN)/pip install --progress-bar off '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its dev tools

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

kx_site/static/css/kx.css: node_modules/.package-lock.json $(wildcard frontend/*.scss)
	npx --no-install sass --no-source-map --quiet-deps --load-path=node_modules --style=compressed frontend/kx.scss $@

kx_site/static/govuk/govuk-frontend.min.js: node_modules/.package-lock.json
	mkdir -p kx_site/static/govuk
	cp $(GOVUK)/govuk-frontend.min.js $@

assets: kx_site/static/css/kx.css kx_site/static/govuk/govuk-frontend.min.js ## Build GOV.UK Frontend styles and scripts

# Production's static storage (hashed, compressed) refuses a stylesheet that refers to a missing
# file. The production settings insist on a key and host names; this one command gets throwaway
# ones when none are set.
collectstatic: install assets ## Collect static files into staticfiles/ as production serves them
	SECRET_KEY="$${SECRET_KEY:-collectstatic-only-throwaway-key-0123456789abcdefghijklmnop}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-collectstatic.invalid}" \
	KX_ALLOW_NON_SMTP_EMAIL="$${KX_ALLOW_NON_SMTP_EMAIL:-true}" \
	DJANGO_SETTINGS_MODULE=kx_site.settings.production $(MANAGE) collectstatic --no-input --verbosity 0

# The production stack on this machine: the Procfile's web (gunicorn), worker and scheduler on
# the production settings, over plain HTTP on 127.0.0.1 (KX_INSECURE_LOCAL_HTTP, refused for any
# other host name). Ctrl-C stops all three. Keeps its own secret key in var/serve-secret-key.
serve: install assets ## Web, worker and scheduler on production settings (needs DATABASE_URL)
	@[ -n "$$DATABASE_URL" ] || { echo "Set DATABASE_URL, e.g. DATABASE_URL=postgres://kx:kx@127.0.0.1:5432/kx make serve"; exit 1; }
	@mkdir -p var && [ -s var/serve-secret-key ] || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/serve-secret-key
	export DJANGO_SETTINGS_MODULE=kx_site.settings.production TASK_BACKEND=database PYTHONUNBUFFERED=1 \
		PATH="$(CURDIR)/$(BIN):$$PATH" \
		SECRET_KEY="$${SECRET_KEY:-$$(cat var/serve-secret-key)}" \
		ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		KX_INSECURE_LOCAL_HTTP="$${KX_INSECURE_LOCAL_HTTP:-true}" \
		KX_ALLOW_NON_SMTP_EMAIL="$${KX_ALLOW_NON_SMTP_EMAIL:-true}" \
		DATABASE_CONN_MAX_AGE="$${DATABASE_CONN_MAX_AGE:-60}" \
		KX_BIND="$${KX_BIND:-$(HOST):$(PORT)}" \
		BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" \
	&& $(MANAGE) migrate --no-input \
	&& $(MANAGE) createcachetable \
	&& $(MANAGE) collectstatic --no-input --verbosity 0 \
	&& exec $(BIN)/honcho start

migrate: install ## Apply database migrations
	$(MANAGE) migrate --no-input
	$(MANAGE) createcachetable

seed: install ## Add demo content and print the demo accounts (idempotent)
	$(MANAGE) seed_demo
	@# Rebuilt only when something is missing from the index or stale in it.
	@$(MANAGE) search_index --check >/dev/null 2>&1 \
		&& echo "--- The search index is up to date" \
		|| { echo "--- Rebuilding the search index"; $(MANAGE) search_index --rebuild; }

lint: install ## ruff and djhtml, checking only
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djhtml --check templates

format: install ## Fix formatting with ruff and djhtml
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djhtml templates

check: install ## Django system checks and missing migrations
	DJANGO_SETTINGS_MODULE=kx_site.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=kx_site.settings.test $(MANAGE) makemigrations --check --dry-run

# A part of the suite chosen with PYTEST_ARGS may hold no journeys (or only journeys): pytest
# exits 5, "no tests collected", and that is fine there. The whole suite must collect in both runs.
NONE_COLLECTED_OK = $(if $(strip $(PYTEST_ARGS)),|| [ $$? -eq 5 ])

# Both passes run on PYTEST_WORKERS processes (pytest-xdist; one per core of this project's
# machines), in xdist's default order: each worker runs its tests in collection order, where
# pytest-django puts the transactional tests last, since each of them ends by emptying the
# database (--dist loadfile mixes them in and the next plain test finds no home page). The files
# that start servers or hold many database connections run one at a time (tests/conftest.py).
# PYTEST_WORKERS=0 runs in-process.
PYTEST_WORKERS ?= 2
XDIST = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS))

# Each pass ends with its slowest tests and set-ups, so that a run's log shows where time went.
DURATIONS = --durations=15 --durations-min=2

pytest: install assets ## The pytest suite: unit, view and service tests, then the browser journeys
	$(BIN)/pytest $(XDIST) $(DURATIONS) -m "not browser and not production" $(PYTEST_ARGS) $(NONE_COLLECTED_OK)
	$(BIN)/pytest $(XDIST) $(DURATIONS) -m browser $(PYTEST_ARGS) $(NONE_COLLECTED_OK)

smoke: install assets ## The production stack (gunicorn, worker, scheduler, SMTP) in Chromium; needs DATABASE_URL (PostgreSQL) and SEARCH_URL
	$(BIN)/pytest -m production -s tests/production $(PYTEST_ARGS)

test: lint check pytest ## Every check: lint, system checks, migrations, the whole suite with browser journeys

clean: ## Remove the virtualenv, node modules, built assets and the SQLite database
	rm -rf $(VENV) node_modules kx_site/static/css/kx.css kx_site/static/govuk db.sqlite3 var staticfiles

totp: install ## Print a demo staff account's current authenticator code: make totp EMAIL=...
	@$(MANAGE) demo_totp $(EMAIL)

bench: install ## Benchmark registration against a running server (see bench/registration.py)
	$(BIN)/python bench/registration.py $(BENCH_ARGS)

search-engine: ## Start a local OpenSearch node at http://127.0.0.1:9201 (then export SEARCH_URL)
	search/opensearch_node/start.sh

search-engine-stop: ## Stop the local OpenSearch node
	search/opensearch_node/start.sh stop

bench-search: install ## Search on the engine and the database side by side (needs make search-engine)
	$(BIN)/python bench/search.py $(BENCH_SEARCH_ARGS)

bench-load: install ## Load the pages of a running server, e.g. make serve (see bench/load.py)
	$(BIN)/python bench/load.py $(BENCH_ARGS)

bench-all: install ## Every benchmark against a running server, one table (see bench/all.py)
	$(BIN)/python bench/all.py $(BENCH_ARGS)

backup: install ## Back up the database and media into BACKUP_DIR (default var/backups)
	scripts/backup.sh

restore: install ## Restore a backup: make restore [BACKUP=var/backups/kx-...] [FORCE=1]
	scripts/restore.sh $(if $(FORCE),--force) $(BACKUP)

image: ## Build the container image localhost/kx:latest with podman (see scripts/build-image.sh)
	scripts/build-image.sh
