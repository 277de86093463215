# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
RELYING_PARTIES := solhost/identity/tests/relying_parties
# Synapse gets its own virtual environment: its dependencies would fight the project's pins.
SYNAPSE_VENV := .venv-synapse
SYNAPSE_LOCK := $(RELYING_PARTIES)/synapse/requirements.lock
SYNAPSE_STAMP := $(SYNAPSE_VENV)/.installed-$(shell cat $(SYNAPSE_LOCK) | cksum | cut -d' ' -f1)
# The provider the sign-in benchmark compares with (npm packages pinned by their lock).
BENCH_PROVIDER := benchmarks/oidc_provider_node
# axe-core, the accessibility rules the browser tests check pages against (pinned by its lock).
ACCESSIBILITY_RULES := solhost/tests/accessibility
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test lint test-sqlite test-postgres test-sites system-packages relying-parties bench-provider accessibility-rules lock lock-synapse bench clean

demo: $(STAMP)
	$(BIN)/solhost demo

test: $(STAMP) system-packages relying-parties bench-provider accessibility-rules lint test-sqlite test-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/solhost makemigrations --check --dry-run

# The suite runs on every core. loadgroup hands tests out in the order pytest-django puts
# them (transactional tests last, since they empty the tables), and keeps each module marked
# xdist_group, whose served installation is costly to start, on one worker.
PYTEST_WORKERS ?= auto
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup

test-sqlite: $(STAMP) system-packages relying-parties accessibility-rules
	env -u DATABASE_URL $(PYTEST)

# Tests marked own_database run solhost on databases of their own (a SQLite file, or the
# PostgreSQL clusters of the sites test) whichever database the suite uses, and those marked
# same_on_every_database check what no database changes: the SQLite run has done that work.
test-postgres: $(STAMP) system-packages relying-parties bench-provider
	DATABASE_URL=$(POSTGRES_URL) $(PYTEST) -m "not own_database and not same_on_every_database"

# A site cut off from the primary (issue 19), alone: PostgreSQL clusters of its own, a
# standby, two servers. `make test` runs it too, in the SQLite run (it is own_database).
test-sites: $(STAMP) system-packages
	$(BIN)/python -m pytest solhost/sites/tests/test_cut_off_site.py

bench: $(STAMP) system-packages bench-provider
	$(BIN)/python benchmarks/home_page.py
	$(BIN)/python benchmarks/served_pages.py
	$(BIN)/python benchmarks/pages_under_load.py
	$(BIN)/python benchmarks/energy_site_year.py
	$(BIN)/python benchmarks/energy_storage.py
	$(BIN)/python benchmarks/oidc_token.py
	$(BIN)/python benchmarks/usage_ingest.py --residents 100000 --services 50 --events 1000000 --payers 0.05
	$(BIN)/python benchmarks/close_contention.py --residents 100000 --services 50 --events 1000000 --payers 0.05
	$(BIN)/python benchmarks/site_forwarding.py --events 100000
	$(BIN)/python benchmarks/credential_renewal.py --accounts 10000

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

# From Debian, only what is missing: Chromium for the browser tests, Caddy for the
# reverse-proxy tests, wrk to load a served site in the benchmarks, Node.js and npm for the
# relying parties the tests drive, PostgreSQL's server binaries for the sites test (it
# makes clusters of its own with initdb, pg_ctl and pg_basebackup). A Node.js that already
# brings its own npm keeps it: Debian's npm package conflicts with such a Node.js.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium fonts-dejavu-core"; \
	command -v caddy >/dev/null || missing="$$missing caddy"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -z "$$missing" ] || { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; }

# Real OpenID Connect relying parties (npm packages pinned by their package-lock.json).
relying-parties: system-packages $(SYNAPSE_STAMP)
	npm ci --no-audit --no-fund --prefix $(RELYING_PARTIES)/openid_client

accessibility-rules: system-packages
	npm ci --no-audit --no-fund --prefix $(ACCESSIBILITY_RULES)

# oidc-provider, which benchmarks/oidc_token.py measures sign-ins against (the PostgreSQL
# run of the suite runs that benchmark once, tiny).
bench-provider: system-packages
	npm ci --no-audit --no-fund --prefix $(BENCH_PROVIDER)

$(SYNAPSE_STAMP):
	test -x $(SYNAPSE_VENV)/bin/python || $(PYTHON) -m venv $(SYNAPSE_VENV)
	$(SYNAPSE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(SYNAPSE_LOCK)
	rm -f $(SYNAPSE_VENV)/.installed-*
	touch $@

# Re-pin every dependency after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip setuptools wheel
	.lock-venv/bin/pip install --quiet -e ".[dev]"
	.lock-venv/bin/pip freeze --exclude-editable --all | grep -v '^pip==' > requirements.lock
	rm -rf .lock-venv

# Re-pin Synapse (the relying party the tests drive) and everything it needs.
lock-synapse:
	rm -rf .lock-venv-synapse && $(PYTHON) -m venv .lock-venv-synapse
	.lock-venv-synapse/bin/pip install --quiet 'matrix-synapse[oidc]'
	.lock-venv-synapse/bin/pip freeze --all | grep -v '^pip==' > $(SYNAPSE_LOCK)
	rm -rf .lock-venv-synapse

clean:
	rm -rf $(VENV) $(SYNAPSE_VENV) var/static
