# The two commands of the README: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)


.PHONY: run test lint assets check-python lock clean bench bench-quick

run: $(STAMP) assets
	$(BIN)/tracker serve

test: $(STAMP) assets lint
	$(BIN)/pytest

# Benchmarks (not part of `make test`): each hot path beside a baseline measured in the same run,
# on SQLite and PostgreSQL; results in var/bench/. The quick variant runs in under five minutes;
# the full one generates and rebuilds ≈ 5M events per backend (hours on 2 cores, stops at 8 h).
bench: $(STAMP) assets
	$(BIN)/python -m bench.run

bench-quick: $(STAMP) assets
	$(BIN)/python -m bench.run --quick

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

$(STAMP): pyproject.toml constraints.txt | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'

# Browser assets from the npm lockfile (htmx for the pages, barcode-detector for camera scanning,
# axe-core for the browser tests); nothing third-party is committed: node_modules/ and the vendor
# folder are build output.
ASSETS_STAMP := node_modules/.installed
VENDOR := tracker/web/static/vendor
# The ES-module ponyfill, the one local module it imports, and the zxing .wasm it would otherwise
# fetch from a CDN (camera.js points it here with prepareZXingModule).
BARCODE_DETECTOR := $(VENDOR)/barcode-detector
BARCODE_DETECTOR_FILES := $(addprefix $(BARCODE_DETECTOR)/,ponyfill.js zxing-exported.js zxing_reader.wasm)

assets: $(VENDOR)/htmx.min.js $(BARCODE_DETECTOR_FILES)

$(ASSETS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(VENDOR)/htmx.min.js: $(ASSETS_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(BARCODE_DETECTOR)/%.js: $(ASSETS_STAMP)
	mkdir -p $(@D)
	cp node_modules/barcode-detector/dist/es/$*.js $@

# The .wasm must be the build the bundled glue code was made for: check its published SHA-256.
$(BARCODE_DETECTOR)/zxing_reader.wasm: $(ASSETS_STAMP)
	mkdir -p $(@D)
	cp node_modules/zxing-wasm/dist/reader/zxing_reader.wasm $@
	grep -q "$$(sha256sum $@ | cut -c1-64)" node_modules/barcode-detector/dist/es/zxing-exported.js \
		|| { rm -f $@; echo "zxing_reader.wasm does not match barcode-detector's ZXING_WASM_SHA256" >&2; exit 1; }

lock: $(STAMP)
	{ head -2 constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.new && mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache

.PHONY: translations
# Extract the French messages of the web interface and add the new ones to each catalog.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k t:2 -k translate:2 -k tr --no-location --sort-output \
		--project=tracker -o tracker/web/locale/messages.pot .
	$(BIN)/pybabel update -i tracker/web/locale/messages.pot -d tracker/web/locale --width 100
