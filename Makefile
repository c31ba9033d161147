# Developer commands. On a fresh clone, `make demo` and `make test` create
# the virtual environment in $(VENV) and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BACKENDS ?= tensorflow jax torch
DEMO_BACKEND ?= tensorflow
EXAMPLES_BACKEND ?= jax
PYTEST_ARGS ?=
WHEEL_CHECK := build/wheel-check

.PHONY: demo test lint format docs docs-serve wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The demo needs one backend (TensorFlow is the fastest on CPU) and matplotlib.
$(VENV)/.demo-installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet --editable ".[tensorflow,plot]"
	touch $@

# The tests need every extra and all three backends.
$(VENV)/.test-installed: $(VENV)/.demo-installed
	$(BIN)/python -m pip install --quiet --editable ".[all,test,onnx,docs]" \
		"torch==2.13.0" jax
	touch $@

demo: $(VENV)/.demo-installed
	KERAS_BACKEND=$(DEMO_BACKEND) $(BIN)/nnaqc demo

# Every test runs under each backend, except the example scripts (plain
# users of the core), which run once, under JAX as on the GPU machine.
test: lint
	set -e; for backend in $(BACKENDS); do \
		echo "=== tests with KERAS_BACKEND=$$backend"; \
		markers="not slow"; \
		[ $$backend = $(EXAMPLES_BACKEND) ] || markers="not slow and not examples"; \
		KERAS_BACKEND=$$backend $(BIN)/python -m pytest -m "$$markers" \
			$(PYTEST_ARGS); \
	done
	$(MAKE) docs
	$(MAKE) wheel-check

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The documentation site; a warning (e.g. a public symbol without a
# docstring) fails the build.
docs: $(VENV)/.test-installed
	KERAS_BACKEND=jax NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(VENV)/.test-installed
	KERAS_BACKEND=jax NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

# The wheel must install into a fresh environment and run the demo from its
# own package data.
wheel-check: $(VENV)/.test-installed
	rm -rf $(WHEEL_CHECK)
	$(BIN)/python -m build --wheel --outdir $(WHEEL_CHECK) .
	$(PYTHON) -m venv $(WHEEL_CHECK)/venv
	$(WHEEL_CHECK)/venv/bin/python -m pip install --quiet \
		"$$(ls $(WHEEL_CHECK)/*.whl)[plot]" jax
	cd $(WHEEL_CHECK) && KERAS_BACKEND=jax venv/bin/nnaqc demo \
		--epochs 1 --output-dir demo-output
	test -f $(WHEEL_CHECK)/demo-output/transition_matrix.png

clean:
	rm -rf $(VENV) build dist *.egg-info nnaqc-output
