# Sinergi: `make run` serves the demo on a fresh machine; `make test` runs every test.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/sinergi
DEMO_ENV := SINERGI_DEMO=1 SECURE_HTTPS=$${SECURE_HTTPS:-0}

.PHONY: run test install assets messages lint check-deploy serve db demo .pg-client

.venv/installed-base: requirements/base.txt
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/base.txt
	touch $@

.venv/installed-test: .venv/installed-base requirements/test.txt
	$(PY) -m pip install --quiet -r requirements/test.txt
	touch $@

node_modules/installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: .venv/installed-base node_modules/installed

# gettext's msgfmt compiles the translation catalogs; Debian package `gettext`.
messages: install
	command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq gettext; }
	$(DEMO_ENV) $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

assets: install messages
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0

db: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py load_regions
	$(DEMO_ENV) $(PY) manage.py load_instruments

demo: db
	$(DEMO_ENV) $(PY) manage.py load_demo

# The web server and the job consumer (spreadsheet imports) together; Ctrl-C stops both.
serve:
	@echo "Sinergi: http://127.0.0.1:$(PORT)/  (demo logins, password sinergi-demo: admin, dinas-jateng, dinas-rembang, dinas-kendal, pendamping-rembang)"
	$(DEMO_ENV) $(PY) manage.py run_huey --workers 2 & consumer=$$!; \
	trap 'kill $$consumer 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) .venv/bin/gunicorn -c python:sinergi.gunicorn_conf sinergi.wsgi --bind 127.0.0.1:$(PORT) --workers 4 --timeout 600 --access-logfile -

run: assets demo serve

# pg_dump and pg_restore for `manage.py backup` / `restore` on PostgreSQL (and their tests):
# Debian's postgresql-client, installed when we are root and they are missing.
.pg-client:
	@command -v pg_dump >/dev/null && command -v pg_restore >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq postgresql-client; } || true

# Debian's chromium for the Playwright tests (installed when we are root and it is missing).
.chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium; } || true

lint: .venv/installed-test
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	SINERGI_DEMO=1 .venv/bin/mypy sinergi conftest.py

# The PostgreSQL run goes alongside the SQLite one (two cores; each run is mostly one), with its
# own var/ folder; its output is printed after the SQLite run's, and either failing fails.
test: .venv/installed-test node_modules/installed messages assets .chromium .pg-client lint
	@mkdir -p var; pg=""; \
	if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "== on SQLite, and on PostgreSQL alongside (its output follows) =="; \
		( DATABASE_URL=$(PG_URL) SINERGI_VAR_DIR=$(CURDIR)/var/test-postgresql \
			$(PY) -m pytest -q -m "not browser" >var/test-postgresql.log 2>&1; \
			echo $$? >var/test-postgresql.rc ) & pg=$$!; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: skipped the PostgreSQL run"; fi; \
	$(PY) -m pytest -q; sqlite=$$?; pgrc=0; \
	if [ -n "$$pg" ]; then \
		wait $$pg; echo "== on PostgreSQL =="; cat var/test-postgresql.log; \
		pgrc=$$(cat var/test-postgresql.rc); \
	fi; \
	[ $$sqlite -eq 0 ] && [ $$pgrc -eq 0 ]

check-deploy: install
	SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))') \
	FIELD_ENCRYPTION_KEY=check ALLOWED_HOSTS=sinergi.example.id \
	$(PY) manage.py check --deploy --fail-level WARNING
