# Coproduce: `make run` serves the app with demo data; `make test` runs the suite (see `test:`).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=
# `make test` runs on every core with pytest-xdist (PYTEST_WORKERS=0: one process) and leaves
# out the tests marked `large` unless LARGE=1 (CI sets it).
PYTEST_WORKERS ?= auto
LARGE ?=

.PHONY: install assets run test lint format worker beat audit lock clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Coproduce needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed assets

assets: node_modules/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Coproduce is at http://127.0.0.1:8000/ (Ctrl+C stops it)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal $(if $(LARGE),,-m "not large") $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Full stack only (REDIS_URL set): a worker and the reminder scheduler.
worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO

# Needs a machine that can reach a vulnerability database; not part of CI here.
audit: install
	$(VENV)/bin/pip install --quiet pip-audit
	$(VENV)/bin/pip-audit -r constraints.txt

# After changing pyproject.toml: re-resolve and pin what the tests will run on.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -vi '^coproduce' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) node_modules staticfiles .test-media
