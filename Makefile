# The two commands of the README: `make run` and `make test`.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_ENV := DJANGO_DEBUG=1
NPM := $(shell command -v npm)

.PHONY: run test lint format check worker beat ci clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# The partial plotly.js bundle (package.json); without npm the full bundle of the Python
# plotly package is served instead.
node_modules/.installed: package.json package-lock.json
ifeq ($(NPM),)
	@echo "npm not found: serving the full plotly.js bundle of the Python plotly package (4.8 MB) instead of the partial one."
else
	$(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@
endif

run: $(VENV)/.runtime node_modules/.installed
	mkdir -p var/mail
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev node_modules/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production-style processes, for a local try with Redis (see the README).
worker: $(VENV)/.runtime
	$(BIN)/celery -A sakai_dx worker --loglevel=INFO

beat: $(VENV)/.runtime
	$(BIN)/celery -A sakai_dx beat --loglevel=INFO

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var/static node_modules
