# Palabre: `make run` starts the demo community, `make test` runs every test.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV := DEBUG=true
# `make run PORT=8001` (or `PORT=8001 make run`) serves on another port than 8000.
PORT ?= 8000
# Each stage of `make run` says what it does (scripts/step); pip shows its progress on a
# terminal and is quiet in logs (CI's, `make test`'s).
STEP := @scripts/step

.PHONY: run test venv messages belenios demo lint format makemessages trial bench bench-pages bench-load bench-faults bench-ballots bench-uploads

run: belenios venv messages
	$(DEV) PORT=$(PORT) scripts/run

test:
	scripts/test

# Every ballot is a Belenios election, the demo's too: belenios-tool is installed when missing
# (apt-get; without apt, the script says where to get it). No database server, no browser.
belenios:
	$(STEP) "System packages: checking that belenios-tool is installed"
	scripts/install-system-packages --only belenios-tool

venv: $(BIN)/.installed

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
		{ echo "Palabre needs Python 3.12 or newer (found $$($(PYTHON) --version))."; exit 1; }
	$(STEP) "Python packages: creating .venv and installing requirements-dev.txt" \
		"(about a minute)"
	$(PYTHON) -m venv $(VENV)
	if [ -t 1 ]; then quiet=; else quiet=--quiet; fi; \
		$(BIN)/pip install $$quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Compiles locale/*/LC_MESSAGES/django.po; until a catalog exists there is nothing to do
# (pybabel would fail on an empty locale/, and git does not keep empty directories).
CATALOGS := $(wildcard locale/*/LC_MESSAGES/django.po)
messages: venv
	$(STEP) "Translations: compiling locale/"
	$(if $(CATALOGS),$(BIN)/pybabel compile --domain django --directory locale --use-fuzzy --statistics,@echo "No translation catalog in locale/ yet: nothing to compile.")

makemessages: venv
	$(BIN)/python manage.py makemessages --locale fr --ignore '.venv/*' --no-obsolete

# The production stack on 127.0.0.1 (scripts/trial); data kept in var/trial/, Ctrl-C stops all.
trial: venv messages belenios
	scripts/trial

demo: venv messages belenios
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks on 127.0.0.1, not tests (bench/README.md): each starts and removes its own
# PostgreSQL, Redis, Celery worker and gunicorn, prints its figures and exits 1 if a check fails.
bench-load: $(BIN)/.bench-installed
	$(BIN)/python bench/load.py $(BENCH_ARGS)

bench-faults: $(BIN)/.bench-installed
	$(BIN)/python bench/faults.py $(BENCH_ARGS)

# Encrypted ballots: the vote request, and the close and count of 1,000 and 10,000 voters.
bench-ballots: venv messages belenios
	$(BIN)/python bench/ballots_encrypted.py $(BENCH_ARGS)

bench-pages: venv
	scripts/install-system-packages --bench
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

# What an upload costs the web process: in-process, SQLite, a minute (bench/README.md).
bench-uploads: venv
	$(BIN)/python bench/uploads.py $(BENCH_ARGS)

# The performance benches one after the other (bench/README.md): pages on the default preset
# (BENCH_ARGS="--growth" adds the large one), a reply to 5,000 watchers, the close of a
# clear-box ballot of 10,000 (`make bench-ballots` times encrypted ones: an hour at 10,000).
bench: bench-pages
	scripts/postgres-for-tests $(BIN)/python bench/fanout.py
	scripts/postgres-for-tests $(BIN)/python bench/ballot_close.py

$(BIN)/.bench-installed: $(BIN)/.installed bench/requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@
