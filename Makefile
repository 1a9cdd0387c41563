# The README's promise: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint run bench chaos clean catalogs messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Staff text in Slack (bot/rendering/staff_text.py): the .po catalogs are committed, the .mo
# files they compile to are built here, never committed.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard bot/locale/*/LC_MESSAGES/relance.po))

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

catalogs: $(CATALOGS)

# After changing staff text: the template read again from the code, each catalog updated (new
# msgids left empty for a translator, never guessed); tests/unit/test_staff_catalogs.py fails
# until the template is current and every French entry is translated.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project Relance \
		--copyright-holder Relance -o bot/locale/relance.pot .
	$(BIN)/pybabel update -i bot/locale/relance.pot -d bot/locale -D relance \
		--no-fuzzy-matching --ignore-obsolete

demo: $(STAMP) $(CATALOGS)
	$(BIN)/relance demo

test: $(STAMP) $(CATALOGS) lint
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

run: $(STAMP) $(CATALOGS)
	$(BIN)/relance run

bench: $(STAMP) $(CATALOGS)
	$(BIN)/python -m bench

# A fault campaign, not part of `make test` (see bench/chaos.py): a few minutes, loopback only.
chaos: $(STAMP) $(CATALOGS)
	$(BIN)/python -m bench.chaos

clean:
	rm -rf $(CATALOGS) $(VENV) var .pytest_cache .ruff_cache .hypothesis .mypy_cache .import_linter_cache
