# The two commands: `make run` and `make test`. Nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test fuzz lint openapi clean

$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install  ## Migrate, load the demo data and serve on http://127.0.0.1:5000
	$(FLASK) db upgrade
	$(FLASK) seed demo
	@echo ""
	@echo "  CISIP API   http://$(HOST):$(PORT)/api/v1/parks"
	@echo "  Docs        http://$(HOST):$(PORT)/docs"
	@echo "  OpenAPI     http://$(HOST):$(PORT)/openapi.json"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install  ## Lint and type-check, then the suite on PostgreSQL + Redis and on SQLite
	$(BIN)/ruff check api config tests benchmarks migrations/env.py wsgi.py
	$(BIN)/mypy api
	$(BIN)/python -m tests.run $(PYTEST_ARGS)

fuzz: install  ## Schema fuzzing with many examples per operation (FUZZ_EXAMPLES)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} $(BIN)/python -m tests.run tests/test_fuzz.py

lint: install
	$(BIN)/ruff check api config tests benchmarks migrations/env.py wsgi.py
	$(BIN)/mypy api
	$(BIN)/ruff format --check api config tests

openapi: install  ## Rewrite openapi/openapi.json from the code
	$(FLASK) openapi write openapi/openapi.json

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache

.PHONY: serve
serve: install  ## Migrate, then serve with gunicorn (config/gunicorn.conf.py) on $(HOST):$(PORT)
	$(FLASK) db upgrade
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c config/gunicorn.conf.py wsgi:app
