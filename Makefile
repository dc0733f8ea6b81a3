# The two commands a newcomer needs: `make demo` and `make test`. Both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck drift node pytest demo bench fuzz codegen clean

# Node packages (each with a committed package-lock.json and an `npm test` script): the
# TypeScript producer and the editor-engine tests. `npm ci` installs exactly the lock.
NODE_DIRS := $(patsubst %/package-lock.json,%,$(wildcard producers/*/package-lock.json editors/package-lock.json))
NODE_STAMPS := $(addsuffix /node_modules/.installed,$(NODE_DIRS))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project metadata or the pins change.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,dask,beam]'
	touch $@

test: lint typecheck drift node pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests codegen benchmarks conformance
	$(BIN)/ruff format --check src tests codegen benchmarks conformance

typecheck: $(STAMP)
	$(BIN)/mypy

drift: $(STAMP)
	$(BIN)/python codegen/generate.py --check

%/node_modules/.installed: %/package-lock.json %/package.json
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Node tests run before pytest, whose cross-language tests call the installed packages.
node: $(NODE_STAMPS)
	@for dir in $(NODE_DIRS); do (cd $$dir && npm test --silent) || exit 1; done

pytest: $(STAMP) $(NODE_STAMPS)
	$(BIN)/pytest -q

codegen: $(STAMP)
	$(BIN)/python codegen/generate.py

demo: $(STAMP)
	@sh examples/demo.sh $(BIN)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_backends.py
	$(BIN)/python benchmarks/bench_runtime.py

# Long property-based campaigns; `make test` runs a bounded number of examples.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis $(addsuffix /node_modules,$(NODE_DIRS))
