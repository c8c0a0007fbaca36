# Two entry points: `make serve` runs the server, `make test` runs every check.
# Both create .venv and install what is needed on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test lint bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# `make serve PORT=9000` (or PORT / ROLODEX_PORT in the environment) picks the port.
PORT ?= $(ROLODEX_PORT)
serve: $(BIN)/.installed
	$(BIN)/rolodex serve $(if $(PORT),--port $(PORT))

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 4 --dist worksteal -q

bench: $(BIN)/.installed
	$(BIN)/python bench/rest.py
	$(BIN)/python bench/graphql_api.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/custom_fields.py
	$(BIN)/python bench/tenants.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/batch_insert.py
	$(BIN)/python bench/import_people.py
	$(BIN)/python bench/fresh_stats.py
	$(BIN)/python bench/counts.py
	$(BIN)/python bench/aggregates.py
	$(BIN)/python bench/soak.py

# The browser pages' pinned files (GraphiQL from npm, see src/rolodex/api/assets.py);
# a quick no-op when they are in place. CI runs as root on Debian.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
.PHONY: assets
assets: $(BIN)/.installed
	@command -v npm >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y npm)
	$(BIN)/python -m rolodex.api.assets install

# The browser tests drive Debian's Chromium.
/usr/bin/chromium:
	$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium

# Third-party JavaScript clients and tools that tests run (tests/node/package.json,
# pinned by its lock file); reinstalled when the lock file changes.
NODE_TOOLS := tests/node
$(NODE_TOOLS)/node_modules/.installed: $(NODE_TOOLS)/package.json $(NODE_TOOLS)/package-lock.json
	@command -v npm >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y npm)
	npm ci --prefix $(NODE_TOOLS) --no-audit --no-fund --loglevel=error
	mkdir -p $(NODE_TOOLS)/node_modules && touch $@

serve: assets
test: assets /usr/bin/chromium $(NODE_TOOLS)/node_modules/.installed
