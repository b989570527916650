# Handover: `make run` serves the app with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app handover
DEV_ENV := HANDOVER_ENV=development
TRANSLATIONS := handover/translations

.PHONY: run test bench install translations extract-messages browser clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

# Compiled catalogues (.mo) are build products, made from the committed .po files.
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -q -d $(TRANSLATIONS) --use-fuzzy 2>/dev/null || $(BIN)/pybabel compile -q -d $(TRANSLATIONS)

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -q -F babel.cfg -k _l -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -q -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

run: install
	@mkdir -p instance
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) demo-data --if-empty
	@echo "Serving on http://127.0.0.1:5000  (Ctrl-C to stop)"
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

# Debian's Chromium for the browser tests: installed when missing (CI always wants it).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian chromium and CJK fonts for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
	      || echo "Could not install chromium: browser tests will be skipped (and fail under CI)."; \
	  else echo "chromium missing and cannot be installed here: browser tests will be skipped (and fail under CI)."; fi; \
	fi

test: install browser
	@bash tests/run_suite.sh

bench: install
	$(DEV_ENV) $(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) test-output
