# Two commands matter: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wijklab
# ruff cannot read setup.cfg; its settings live here so pyproject.toml keeps only [build-system].
RUFF_CONFIG := --config 'line-length = 100' --config 'target-version = "py311"' \
	--config 'lint.ignore = ["S101", "S311"]' \
	--config 'lint.select = ["E", "F", "W", "I", "B", "UP", "S", "SIM"]' \
	--config 'lint.per-file-ignores = {"tests/**" = ["S101", "S105", "S106", "S603", "S607"], "migrations/**" = ["E501"], "benchmarks/**" = ["S101", "S603"]}'
PYTEST_ARGS ?=
# Test processes: one per core (pytest-xdist); WORKERS=0 runs in this process alone.
WORKERS ?= auto
# PDFs (statements, neighbourhood reports) need a Unicode TrueType font: Debian's DejaVu.
PDF_FONT := $(or $(WIJKLAB_PDF_FONT_DIR),/usr/share/fonts/truetype/dejavu)/DejaVuSans.ttf
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup run test test-fast test-browser lint format translations messages bench bench-smoke bench-national clean fuzz

$(BIN)/activate: setup.cfg pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

# Compiled catalogues are build output (.gitignore): make them from the committed .po files.
translations: $(BIN)/activate
	$(BIN)/pybabel compile --use-fuzzy -f -d wijklab/translations

# After changing texts: extract them and update both catalogues, then translate the new
# entries in wijklab/translations/en/LC_MESSAGES/messages.po (tests fail on a missing one).
messages: $(BIN)/activate
	$(BIN)/pybabel extract -F wijklab/babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o wijklab/translations/messages.pot wijklab templates
	$(BIN)/pybabel update -i wijklab/translations/messages.pot -d wijklab/translations \
		--no-fuzzy-matching

$(PDF_FONT):
	@command -v apt-get >/dev/null 2>&1 || { echo "PDFs need the DejaVu Sans font: install fonts-dejavu-core, or set WIJKLAB_PDF_FONT_DIR to a folder with DejaVuSans.ttf and DejaVuSans-Bold.ttf"; exit 1; }
	$(SUDO) apt-get install -y -qq fonts-dejavu-core >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-dejavu-core >/dev/null; }

# One npm install for both packages (npm drops --no-save packages it was not asked for).
NPM_PACKAGES := axe-core@4 oidc-provider@9
node_modules/axe-core/axe.min.js:
	npm install --no-save --no-package-lock --no-audit --no-fund --silent $(NPM_PACKAGES) || echo "npm unavailable: accessibility checks will skip"

# The OpenID Connect provider the institution-login tests start on loopback.
node_modules/oidc-provider/package.json:
	npm install --no-save --no-package-lock --no-audit --no-fund --silent $(NPM_PACKAGES) || echo "npm unavailable: the institution-login tests will skip"

# Everything the tests need, without running them: the venv, catalogues, the PDF font, axe-core.
setup: translations $(PDF_FONT) node_modules/axe-core/axe.min.js node_modules/oidc-provider/package.json

run: translations $(PDF_FONT)
	$(FLASK) db upgrade
	$(FLASK) load-frameworks
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: $(BIN)/activate
	$(BIN)/ruff check $(RUFF_CONFIG) wijklab tests migrations benchmarks
	$(BIN)/ruff format --check $(RUFF_CONFIG) wijklab tests migrations benchmarks
	$(BIN)/python -m tests.check_asserts

format: $(BIN)/activate
	$(BIN)/ruff check --fix $(RUFF_CONFIG) wijklab tests migrations benchmarks
	$(BIN)/ruff format $(RUFF_CONFIG) wijklab tests migrations benchmarks

# Lint, then every test but the browser and deployment tests, spread over the cores.
test: translations lint $(PDF_FONT) node_modules/oidc-provider/package.json
	$(BIN)/pytest -n $(WORKERS) -m 'not e2e and not deploy' $(PYTEST_ARGS)

# The browser tests (Playwright driving Debian's chromium), spread over the cores.
test-browser: translations $(PDF_FONT) node_modules/axe-core/axe.min.js
	$(BIN)/pytest -n $(WORKERS) -m e2e $(PYTEST_ARGS)

# One feature's tests in this process, no lint: make test-fast FEATURE=tasks (a folder of tests/).
test-fast: translations $(PDF_FONT) node_modules/oidc-provider/package.json
	@test -n "$(FEATURE)" -a -d "tests/$(FEATURE)" || { echo "usage: make test-fast FEATURE=<one of: $$(cd tests && ls -d */ | tr -d / | grep -v -e e2e -e __pycache__ | tr '\n' ' ')>"; exit 2; }
	$(BIN)/pytest -m 'not e2e' tests/$(FEATURE) $(PYTEST_ARGS)

# The property-based fuzz of every route with many examples each (the suite runs 3 per route):
# make fuzz WIJKLAB_FUZZ_EXAMPLES=1000. Add WIJKLAB_TEST_DATABASE_URL=... for PostgreSQL.
WIJKLAB_FUZZ_EXAMPLES ?= 200
fuzz: translations $(PDF_FONT)
	WIJKLAB_FUZZ_EXAMPLES=$(WIJKLAB_FUZZ_EXAMPLES) $(BIN)/pytest -n $(WORKERS) tests/test_fuzz.py $(PYTEST_ARGS)

bench: translations $(PDF_FONT)
	$(BIN)/python -m benchmarks

bench-smoke: translations $(PDF_FONT)
	$(BIN)/python -m benchmarks --smoke

# 50,000 students and 4 million participations on PostgreSQL, loaded by COPY, then the page table.
bench-national: translations $(PDF_FONT)
	$(BIN)/python -m benchmarks.national

clean:
	rm -rf $(VENV) node_modules instance .coverage htmlcov
