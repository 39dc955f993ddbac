# Two commands matter: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CHROMIUM := /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run dev worker test install install-test install-bench bench-load chromium migrate demo \
	lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

install: $(VENV)/.installed

install-bench: $(VENV)/.installed-bench

install-test: $(VENV)/.installed-test chromium

# Debian's Chromium drives the browser tests (Playwright cannot download browsers here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

# Local serving is plain http://, so the session cookie may not be HTTPS-only here
# (the default, LEADFORM_SESSION_COOKIE_SECURE=true, is for production behind TLS).
LOCAL_HTTP := LEADFORM_SESSION_COOKIE_SECURE=false

# gunicorn serves the app; a worker process delivers alerts (webhooks, Slack, email) with
# retries. Both stop together on Ctrl+C.
run: demo
	@echo "Leadform is serving on http://$(HOST):$(PORT)/  (demo form: /f/demo/talk-to-sales)"
	@echo "Back office: http://$(HOST):$(PORT)/login  (admin@demo.example / leadform-demo)"
	@trap 'kill 0' EXIT INT TERM; \
	$(FLASK) worker & \
	$(LOCAL_HTTP) $(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --threads 4 --worker-class gthread \
		--access-logfile - wsgi:app

# The Flask development server, reloading on code changes (alerts: the fast path only;
# run `$(FLASK) worker` beside it for retries).
dev: demo
	$(LOCAL_HTTP) $(FLASK) run --debug --host $(HOST) --port $(PORT)

worker: migrate
	$(FLASK) worker

test: install-test
	@$(BIN)/python -m tests.postgres_check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The load test (bench/load.py): 50 submissions/s for 5 minutes on SQLite and PostgreSQL by
# default; e.g. `make bench-load LOAD_ARGS="--database sqlite --duration 20"`.
bench-load: install-bench
	$(BIN)/python bench/load.py $(LOAD_ARGS)

lint: install-test
	$(BIN)/ruff check app tests bench migrations

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
