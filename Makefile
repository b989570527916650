# Handover: `make run` serves the app with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app handover
DEV_ENV := HANDOVER_ENV=development
TRANSLATIONS := handover/translations

.PHONY: run test lint bench install translations extract-messages browser fonts pgclient backup restore clean field-client

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations fonts pgclient

# Compiled catalogues (.mo) are build products, made from the committed .po files.
translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d $(TRANSLATIONS)

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --ignore-dirs='.* __pycache__' -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel -q update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

run: install
	@mkdir -p instance
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) demo-data --if-empty
	@echo "Serving on http://127.0.0.1:5000  (Ctrl-C to stop)"
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

# Debian's Chromium for the browser tests, and poppler (pdftoppm, pdffonts) for the PDF rendering
# checks: installed when missing (CI always wants them).
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian chromium and CJK fonts for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei poppler-utils >/dev/null) \
	      || echo "Could not install chromium: browser tests will be skipped (and fail under CI)."; \
	  else echo "chromium missing and cannot be installed here: browser tests will be skipped (and fail under CI)."; fi; \
	fi
	@# Under CI also LibreOffice (the spreadsheet-injection check opens our Excel files in a real
	@# spreadsheet program) and redis-server (the RQ queue test); locally those tests say they skip.
	@if [ -n "$${CI:-}" ] && { ! command -v soffice >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; }; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing LibreOffice Calc (headless) and redis-server for the CI checks..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui redis-server >/dev/null) \
	      || echo "Could not install LibreOffice or redis-server: their tests fail under CI."; \
	  fi; \
	fi

# The Chinese TrueType font embedded in PDFs (reportlab cannot embed CFF/OTF fonts), and the
# fallback fonts for rare name characters (CJK extensions A and B: 䶮, 𠀁), used one character at a time.
PDF_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
FALLBACK_FONT := /usr/share/fonts/truetype/hanazono/HanaMinB.ttf
fonts:
	@if [ ! -f "$(PDF_FONT)" ] && [ -z "$${PDF_FONT_PATH:-}" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing fonts-wqy-microhei (the Chinese font embedded in PDFs)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; \
	  else echo "Missing $(PDF_FONT): install fonts-wqy-microhei (or set PDF_FONT_PATH); PDFs cannot be made."; exit 1; fi; \
	fi
	@if [ ! -f "$(FALLBACK_FONT)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing fonts-hanazono (rare CJK characters in names)..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-hanazono >/dev/null) \
	      || echo "Could not install fonts-hanazono: rare characters in names will be missing from PDFs."; \
	  else echo "Missing $(FALLBACK_FONT): install fonts-hanazono, or rare characters in names are missing from PDFs."; fi; \
	fi

# pg_dump/pg_restore for `flask backup`/`flask restore` on PostgreSQL (and the backup test against
# it): installed when missing and a PostgreSQL database is configured.
pgclient:
	@case "$${DATABASE_URL:-}$${TEST_DATABASE_URL:-}" in *postgres*) \
	  if ! command -v pg_dump >/dev/null 2>&1 || ! command -v pg_restore >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "Installing postgresql-client (pg_dump, pg_restore) for backups..."; \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null) \
	        || echo "Could not install postgresql-client: backups of PostgreSQL will fail."; \
	    else echo "pg_dump missing: install postgresql-client, or backups of PostgreSQL fail."; fi; \
	  fi;; \
	esac

# A backup of the database and the upload folder (BACKUP_DIR, default instance/backups), and its
# restore: `make restore ARCHIVE=instance/backups/handover-backup-….tar.gz` (stop the app first).
backup: install
	$(FLASK) backup $(if $(BACKUP_DIR),--output $(BACKUP_DIR),)

restore: install
	@test -n "$(ARCHIVE)" || (echo "usage: make restore ARCHIVE=path/to/handover-backup-….tar.gz"; exit 1)
	$(FLASK) restore "$(ARCHIVE)"

# ruff (mistakes, not style) and import-linter (the floors and anatomy of .importlinter); run by
# tests/run_suite.sh too, so `make test` and CI fail on a wrong arrow.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: install browser
	@bash tests/run_suite.sh

# The load section drives gunicorn with Debian's wrk (installed here when missing).
# `make bench BENCH_ARGS=--quick` keeps a run under about 10 minutes on 2 cores.
bench: install
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing wrk for the bench's load section..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	      || echo "Could not install wrk: the load section will be skipped."; \
	  else echo "wrk missing and cannot be installed here: the load section will be skipped."; fi; \
	fi
	$(DEV_ENV) $(BIN)/python -m tests.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) test-output

# The offline field client (/field/): Dexie and workbox-window vendored from the npm registry into
# static/field/vendor, the Workbox service worker static/field/sw.js and the app icons. The built
# files are committed; run this after changing static/field/ or frontend/ (needs node and npm).
field-client: $(VENV)/.installed
	cd frontend && npm ci --no-audit --no-fund && node build.mjs
	$(BIN)/python frontend/icons.py
