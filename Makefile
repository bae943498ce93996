# Maillage — make demo / make test (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.install-stamp

.PHONY: install demo test test-e2e lint format bench lock clean-demo serve

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 requis (trouvé " + sys.version.split()[0] + ")"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

demo: install
	DEBUG=1 MAILLAGE_DEMO=1 $(PY) manage.py migrate --noinput
	DEBUG=1 MAILLAGE_DEMO=1 $(PY) manage.py charger_demo
	@echo "Maillage (démo) sur http://127.0.0.1:$(PORT)/"
	DEBUG=1 MAILLAGE_DEMO=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/djlint maillage/ --lint
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(PY) scripts/audit_dependances.py requirements.txt

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) bench/run.py

# Regenerate the pinned requirements from requirements*.in in a throwaway venv.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	{ echo "# Pinned tree of requirements.in (regenerate with \`make lock\`)."; .venv-lock/bin/pip freeze; } > requirements.txt
	.venv-lock/bin/pip install --quiet -r requirements-dev.in
	{ echo "-r requirements.txt"; .venv-lock/bin/pip freeze | grep -vxFf requirements.txt; } > requirements-dev.txt
	rm -rf .venv-lock
