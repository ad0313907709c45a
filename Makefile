# Claim Tracker. `make run` serves the demo; `make test` runs the whole suite. Both set themselves up.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
MANAGE := $(PYTHON) manage.py

.DEFAULT_GOAL := help
# Bytecode is written (into the git-ignored __pycache__) even where the shell says not to:
# otherwise every process, each test worker included, compiles the project and the libraries it
# imports afresh, and pytest rewrites the test modules again (collecting took 14.6 s, not 6.8 s).
unexport PYTHONDONTWRITEBYTECODE
.PHONY: help run test serve bench bench-matching two-servers lint format migrations-check deploy-check setup clean

help:
	@echo "make run     set up, migrate, load the demo and serve http://127.0.0.1:8000"
	@echo "make test    set up and run the whole suite (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make serve   production-style: collectstatic, migrate, gunicorn (set DEBUG=0, SECRET_KEY)"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make bench   load SIZE claims (default 1000000; 20000 is quick) into PostgreSQL, measure against main"
	@echo "make bench-matching  claim matching: recall on the paraphrase set; latency at 100k and 1M"
	@echo "make two-servers  two gunicorns, one PostgreSQL, one Redis: do they act as one site?"

# The virtual environment, with a Python of at least 3.12 (3.13 preferred).
$(PYTHON):
	@found=""; for candidate in python3.13 python3.12 python3; do \
	  if command -v $$candidate >/dev/null 2>&1 && \
	     $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    found=$$candidate; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "Claim Tracker needs Python 3.12 or newer; found $$(python3 --version 2>&1 || echo 'no python3')." >&2; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$($$found --version)"; \
	$$found -m venv $(VENV)

# Reinstall only when the lock file changes, so re-running is fast. No bytecode at install:
# Python compiles what is imported on first use (installing took 35 s instead of 52 s).
$(VENV)/.installed: requirements.lock | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.lock
	@touch $@

setup: $(VENV)/.installed

run: setup
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	@# The task worker (URL imports) runs beside the server and stops with it.
	@trap 'kill $$worker 2>/dev/null' EXIT; \
	$(MANAGE) db_worker & worker=$$!; \
	$(MANAGE) runserver 127.0.0.1:8000

# Three workers (pytest-xdist), each with its own test database; TEST_WORKERS=0 runs in one
# process. On two cores a third worker runs while the others wait for PostgreSQL: 399 s instead
# of 456 s there, and no slower on SQLite (325 s, 316 s with two). Work stealing keeps every
# worker busy to the end (381 s; the default left one to two idle for the last minute).
TEST_WORKERS ?= 3
test: setup
	$(PYTHON) -m pytest -n $(TEST_WORKERS) --dist worksteal

serve: setup
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(MANAGE) migrate --no-input
	@echo "Run the task worker too: $(MANAGE) db_worker"
	$(VENV)/bin/gunicorn config.wsgi --workers $${WORKERS:-2} --bind $${BIND:-127.0.0.1:8000}

# Not part of make test: needs PostgreSQL and wrk (apt-get install -y wrk), and minutes.
# The pages (bench/results.md, which judges the budgets), claim matching (bench/matching.md),
# then exports' memory and a backup round trip at 100k claims (bench/portability.md).
bench: setup
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install -y wrk" >&2; exit 1; }
	$(PYTHON) bench/run.py; pages=$$?; \
	$(PYTHON) bench/matching.py $(MATCHING_SIZES); matching=$$?; \
	$(PYTHON) bench/portability.py $(PORTABILITY_SIZE) && exit $$(( pages || matching ))
PORTABILITY_SIZE ?= 100000

# Recall on the paraphrase set (SQLite), then suggestion latency on PostgreSQL per size, in a
# database of its own (ct_matching_<size>, filled by generate_data when short: 12 minutes at 1M).
MATCHING_SIZES ?= 100000 1000000
bench-matching: setup
	$(PYTHON) bench/matching.py $(MATCHING_SIZES)

# Needs PostgreSQL (DATABASE_URL, or postgres@127.0.0.1) and redis-server; about a minute.
two-servers: setup
	$(PYTHON) deploy/check_two_servers.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: setup
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles
