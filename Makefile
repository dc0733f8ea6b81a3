# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck drift pytest demo bench fuzz codegen clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project metadata or the pins change.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

test: lint typecheck drift pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests codegen benchmarks
	$(BIN)/ruff format --check src tests codegen benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

drift: $(STAMP)
	$(BIN)/python codegen/generate.py --check

pytest: $(STAMP)
	$(BIN)/pytest -q

codegen: $(STAMP)
	$(BIN)/python codegen/generate.py

demo: $(STAMP)
	@sh examples/demo.sh $(BIN)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_validate.py

# Long property-based campaigns; `make test` runs a bounded number of examples.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
