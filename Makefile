# Two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= build/demo

.PHONY: demo test install bench lint clean i18n

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

# The site's words: extract them, merge into each catalog, compile the .mo files the package ships.
LOCALE := generator/site/locale
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k ngettext:1,2 --no-location --sort-output --project gitdesk -o $(LOCALE)/gitdesk.pot .
	$(BIN)/pybabel update -N --width=120 -D gitdesk -i $(LOCALE)/gitdesk.pot -d $(LOCALE)
	$(BIN)/pybabel compile --statistics -D gitdesk -d $(LOCALE)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build site .pytest_cache
