# Two commands matter: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CHROMIUM := /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run dev worker test test-reliability install install-test install-bench bench-load \
	chromium migrate demo lint audit clean secret-key

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

# A random SECRET_KEY, made once per checkout; the app reads instance/secret_key when
# LEADFORM_SECRET_KEY is not set (production refuses to start without a real key).
SECRET_KEY_FILE := instance/secret_key

$(SECRET_KEY_FILE):
	@mkdir -p instance
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@
	@echo "Wrote a new secret key to $@"

secret-key: $(SECRET_KEY_FILE)

migrate: install $(SECRET_KEY_FILE)
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

# Local serving is plain http://, so the session cookie may not be HTTPS-only here
# (the default, LEADFORM_SESSION_COOKIE_SECURE=true, is for production behind TLS).
LOCAL_HTTP := LEADFORM_SESSION_COOKIE_SECURE=false

# gunicorn serves the app (gunicorn.conf.py); a worker process delivers alerts (webhooks,
# Slack, email) with retries. Both stop together on Ctrl+C, and share a metrics directory.
METRICS_DIR := instance/metrics

run: demo
	@echo "Leadform is serving on http://$(HOST):$(PORT)/  (demo form: /f/demo/talk-to-sales)"
	@echo "Back office: http://$(HOST):$(PORT)/login  (admin@demo.example / leadform-demo)"
	@rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	@trap 'kill 0' EXIT INT TERM; \
	export PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/$(METRICS_DIR); \
	$(FLASK) worker & \
	$(LOCAL_HTTP) LEADFORM_BIND=$(HOST):$(PORT) LEADFORM_WORKERS=$${LEADFORM_WORKERS:-2} \
		$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

# The Flask development server, reloading on code changes (alerts: the fast path only;
# run `$(FLASK) worker` beside it for retries).
dev: demo
	$(LOCAL_HTTP) LEADFORM_ENV=development $(FLASK) run --debug --host $(HOST) --port $(PORT)

worker: migrate
	$(FLASK) worker

test: install-test
	@$(BIN)/python -m tests.postgres_check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Crash durability at scale: SIGKILL gunicorn workers and the alert worker while visitors
# submit, then check that nothing acknowledged or alerted was lost (`make test` runs it small).
RELIABILITY_SUBMISSIONS ?= 300
RELIABILITY_KILL_ROUNDS ?= 20
test-reliability: install-test
	@$(BIN)/python -m tests.postgres_check
	LEADFORM_RELIABILITY_SUBMISSIONS=$(RELIABILITY_SUBMISSIONS) \
	LEADFORM_RELIABILITY_KILL_ROUNDS=$(RELIABILITY_KILL_ROUNDS) \
		$(BIN)/python -m pytest tests/reliability -m reliability $(PYTEST_ARGS)

# The load test (bench/load.py): 50 submissions/s for 5 minutes on SQLite and PostgreSQL by
# default; e.g. `make bench-load LOAD_ARGS="--database sqlite --duration 20"`.
bench-load: install-bench
	$(BIN)/python bench/load.py $(LOAD_ARGS)

lint: install-test
	$(BIN)/ruff check app tests bench migrations

# Known vulnerabilities in every installed distribution (runtime and test), from PyPI's
# advisory data, read by scripts/audit.py: any finding not accepted in audit-ignore.txt
# (an id and why) fails. Where the advisory service answers for no package (an offline
# mirror) it says so loudly; LEADFORM_REQUIRE_AUDIT=1 makes that a failure too.
audit: install-test
	$(BIN)/python scripts/audit.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
