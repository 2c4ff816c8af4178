# The two commands: `make run` and `make test`. Nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test fuzz lint openapi clean chromium node-tools

$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The spec linters and the TypeScript client generator, pinned by package-lock.json.
NODE_TOOLS := node_modules/.package-lock.json

$(NODE_TOOLS): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --ignore-scripts; \
	else echo "!!! npm is missing (Debian: apt-get install nodejs npm): the spec linters" \
		"and the TypeScript client tests will be skipped."; fi

node-tools: $(NODE_TOOLS)  ## npm ci: the OpenAPI linters and openapi-typescript (package-lock.json)

run: install  ## Migrate, load the demo data and serve on http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) seed demo
	@echo ""
	@echo "  CISIP API   http://$(HOST):$(PORT)/api/v1/parks"
	@echo "  Docs        http://$(HOST):$(PORT)/docs"
	@echo "  OpenAPI     http://$(HOST):$(PORT)/openapi.json"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install chromium node-tools  ## Lint and type-check, then the suite on PostgreSQL + Redis and on SQLite
	$(BIN)/ruff check api config tests benchmarks examples migrations/env.py wsgi.py
	$(BIN)/mypy api
	$(BIN)/python -m tests.run $(PYTEST_ARGS)

fuzz: install  ## Schema fuzzing with many examples per operation (FUZZ_EXAMPLES)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(BIN)/python -m tests.run tests/test_fuzz.py

lint: install  ## ruff and mypy, as make test runs them (formatting is not enforced yet)
	$(BIN)/ruff check api config tests benchmarks examples migrations/env.py wsgi.py
	$(BIN)/mypy api

openapi: install  ## Rewrite openapi/openapi.json from the code
	$(FLASK) openapi write openapi/openapi.json

# The browser tests drive Debian's chromium; nothing ever downloads a browser of its own.
chromium:  ## Install Debian's chromium for the browser tests when missing (as root, apt-get)
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium; } \
		|| echo "!!! chromium could not be installed: the browser tests will be skipped."; \
	else \
		echo "!!! /usr/bin/chromium is missing and installing it needs root and apt-get" \
			"(sudo apt-get install chromium): the browser tests will be skipped."; \
	fi

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache node_modules

.PHONY: serve
serve: install  ## Migrate, then serve with gunicorn (config/gunicorn.conf.py) on $(HOST):$(PORT)
	$(FLASK) db upgrade
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c config/gunicorn.conf.py wsgi:app
