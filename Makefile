# The README's promise: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every dependency pinned with its hashes (`make lock` writes them from pyproject.toml's ranges):
# requirements.lock for a deployment, requirements-dev.lock with the tools and test servers.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
COMPILE := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	--no-emit-find-links --no-header

.PHONY: demo test lint run bench chaos clean lock catalogs messages

$(STAMP): pyproject.toml $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check || { echo "a dependency is missing from $(DEV_LOCK): run make lock"; exit 1; }
	touch $(STAMP)

# Staff text in Slack (bot/rendering/staff_text.py): the .po catalogs are committed, the .mo
# files they compile to are built here, never committed.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard bot/locale/*/LC_MESSAGES/relance.po))

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

catalogs: $(CATALOGS)

# After changing staff text: the template read again from the code, each catalog updated (new
# msgids left empty for a translator, never guessed); tests/unit/test_staff_catalogs.py fails
# until the template is current and every French, German and Spanish entry is translated.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k phrase -k phrase_n:1,2 --no-location --sort-output --project Relance \
		--copyright-holder Relance -o bot/locale/relance.pot .
	$(BIN)/pybabel update -i bot/locale/relance.pot -d bot/locale -D relance \
		--no-fuzzy-matching --ignore-obsolete

# After adding or changing a dependency in pyproject.toml: `make lock`, then commit both files.
# Pins already in the files are kept; `make lock UPGRADE=--upgrade` moves every pin to the newest.
lock:
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip pip-tools
	$(VENV)-lock/bin/pip-compile $(COMPILE) $(UPGRADE) --output-file $(LOCK) pyproject.toml
	$(VENV)-lock/bin/pip-compile $(COMPILE) $(UPGRADE) --extra dev --output-file $(DEV_LOCK) pyproject.toml

demo: $(STAMP) $(CATALOGS)
	$(BIN)/relance demo

# Two workers, a test file each at a time (its module fixtures stay in one process): the
# suite's services (PostgreSQL schemas, Dovecot, SMTP, Chromium) are per process already.
test: $(STAMP) $(CATALOGS) lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

# ruff's C901 holds each function's complexity to 15; .ci/sizes.py its length to 60 lines, a
# module's to 400.
lint: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/python .ci/sizes.py
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
	rm -rf $(CATALOGS) $(VENV) $(VENV)-lock var .pytest_cache .ruff_cache .hypothesis .mypy_cache .import_linter_cache
