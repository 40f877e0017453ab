# Two commands matter: `make run` to try the site, `make test` to check it. See README.md.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BROWSER_TOOLS := tests/browser/node_modules/.installed

.PHONY: run test lint format typecheck check-content bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# axe-core and the Nu Html Checker for the browser tests; without npm those tests skip.
$(BROWSER_TOOLS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm absent : les tests dans un navigateur seront ignorés."; fi

run: $(VENV)/.installed
	$(BIN)/python -m app db upgrade
	$(BIN)/python -m app seed-demo
	$(BIN)/python -m app serve

test: $(VENV)/.installed-dev $(BROWSER_TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app
	$(BIN)/pytest

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-content: $(VENV)/.installed
	$(BIN)/python -m app check-content

# Needs Debian's nginx and wrk. BENCH_DATABASE_URL=postgresql://… also posts against PostgreSQL.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run.py
	$(BIN)/python bench/questions_page.py
	$(BIN)/python bench/post_questions.py
	@if [ -n "$(BENCH_DATABASE_URL)" ]; then \
		$(BIN)/python bench/post_questions.py --database-url "$(BENCH_DATABASE_URL)"; fi
	$(BIN)/python bench/search.py
	$(BIN)/python bench/questionnaire.py
	$(BIN)/python bench/result_page.py
	$(BIN)/python bench/work_queue.py
	@if [ -n "$(BENCH_DATABASE_URL)" ]; then \
		$(BIN)/python bench/work_queue.py --database-url "$(BENCH_DATABASE_URL)"; fi
	$(BIN)/python bench/dashboard.py
	@if [ -n "$(BENCH_DATABASE_URL)" ]; then \
		$(BIN)/python bench/dashboard.py --database-url "$(BENCH_DATABASE_URL)"; fi

clean:
	rm -rf $(VENV) var tests/browser/node_modules .mypy_cache .ruff_cache .pytest_cache
