# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= build/demo

.PHONY: demo test install bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m gitdesk.commands.demo_job $(DEMO)

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/python -m pip install -q mypy types-PyYAML
	@# mypy cannot follow setuptools' editable finder; a symlink gives it the import name.
	mkdir -p build/mypy && ln -sfn ../../generator build/mypy/gitdesk
	MYPYPATH=build/mypy $(BIN)/python -m mypy --strict --ignore-missing-imports -p gitdesk

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build site .pytest_cache
